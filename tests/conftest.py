"""Shared fixtures: every test works inside its own temporary folder, including the sandbox's."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


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
