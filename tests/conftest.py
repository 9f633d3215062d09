"""Shared fixtures: every test works inside its own temporary folder, including the sandbox's; and how
pytest-xdist's workers share the suite (tests/scheduling.py) and one folder for the run."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
_RUN_FOLDER = pytest.StashKey[Path]()
_RUN_FOLDER_INPUT = "grader_run_folder"


def pytest_configure(config: pytest.Config) -> None:
    """The controller (or a run without xdist) names the folder its workers share: made on first use."""
    if not hasattr(config, "workerinput"):
        # under /tmp, as the security suite's folders: other users must reach it (TMPDIR may be private)
        config.stash[_RUN_FOLDER] = Path("/tmp") / f"grader-tests-{uuid.uuid4().hex[:12]}"


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controller removes the shared folder once every worker is done."""
    if not hasattr(config, "workerinput") and _RUN_FOLDER in config.stash:
        shutil.rmtree(config.stash[_RUN_FOLDER], ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # noqa: ANN001 (xdist's WorkerController)
    node.workerinput[_RUN_FOLDER_INPUT] = str(node.config.stash[_RUN_FOLDER])


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN001, ANN201 (xdist's types)
    if config.getvalue("dist") != "loadfile":
        return None
    from tests.scheduling import ByFileAndRun

    return ByFileAndRun(config, log)


@pytest.fixture(scope="session")
def run_folder(request: pytest.FixtureRequest) -> Path:
    """A folder every xdist worker of this run shares, for what is built once per run (the security
    suite's venv); world-readable, made on first use, removed by the controller at the end."""
    workerinput = getattr(request.config, "workerinput", None)
    folder = Path(workerinput[_RUN_FOLDER_INPUT]) if workerinput else request.config.stash[_RUN_FOLDER]
    folder.mkdir(mode=0o755, exist_ok=True)
    folder.chmod(0o755)
    return folder


@pytest.fixture(autouse=True)
def _temporary_files_stay_in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker directories and atomic-write temp files are created under the test's own folder."""
    sandbox_tmp = tmp_path / "tmp"
    sandbox_tmp.mkdir()
    sandbox_tmp.chmod(0o755)
    monkeypatch.setattr(tempfile, "tempdir", str(sandbox_tmp))
    monkeypatch.setenv("TMPDIR", str(sandbox_tmp))


@pytest.fixture
def mini_course(tmp_path: Path) -> Path:
    """A private copy of the one-assignment test course."""
    target = tmp_path / "mini_course"
    shutil.copytree(FIXTURES / "mini_course", target)
    return target
