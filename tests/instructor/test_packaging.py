"""Packaging: the metadata a package index shows, dependencies pinned to the tested versions, and a
clear refusal of hidden checks where the sandbox cannot run (everywhere but Linux)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

from grader.course import load_course
from grader.engine import hidden
from grader.errors import UsageError
from grader.frontends.publish.package import pinned_requirements
from grader.frontends.publish.templates import template
from tests.commandline import run_grader
from tests.engine.helpers import REFERENCE, grade_files
from tests.instructor.helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_pyproject_declares_its_license_urls_and_classifiers() -> None:
    assert PYPROJECT["license"] == "MIT" and (ROOT / PYPROJECT["license-files"][0]).read_text().startswith(
        "MIT License"
    )
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(PYPROJECT["urls"])
    assert all(url.startswith("https://") for url in PYPROJECT["urls"].values())
    classifiers = PYPROJECT["classifiers"]
    assert "Operating System :: POSIX :: Linux" in classifiers and "Topic :: Education" in classifiers
    python = f"Programming Language :: Python :: {sys.version_info.major}.{sys.version_info.minor}"
    assert python in classifiers  # the version the suite runs on is one the package claims
    installed = metadata.metadata("grader")
    assert installed["License-Expression"] == "MIT"  # what pip shows of the installed grader


def _runtime_closure() -> dict[str, str]:
    """Every distribution the installed grader needs to run (dependencies of dependencies too), with its installed
    version."""
    found: dict[str, str] = {}
    pending = [Requirement(line) for line in metadata.requires("grader") or []]
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # an extra (test) or a marker that does not apply here
        name = _canonical(requirement.name)
        if name not in found:
            found[name] = metadata.version(requirement.name)
            pending += [Requirement(line) for line in metadata.requires(requirement.name) or []]
    return found


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_pins_are_exactly_the_versions_this_suite_runs_with() -> None:
    pins = dict(line.split("==") for line in pinned_requirements())
    assert {_canonical(name): version for name, version in pins.items()} == _runtime_closure()


def test_setup_sh_installs_the_pins_with_the_python_they_were_tested_on() -> None:
    setup = template("autograder/setup.sh")
    tested = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert re.search(rf"^PYTHON_VERSION={re.escape(tested)}\b", setup, re.MULTILINE)
    assert "Python 3.11" in template("constraints.txt").splitlines()[0] and tested == "3.11"
    assert 'pip" install --quiet -r "$SOURCE/requirements.txt"' in setup  # requirements.txt holds the pins
    assert subprocess.run(["bash", "-n"], input=setup, text=True).returncode == 0


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_hidden_checks_are_refused_early_off_linux_while_public_checks_run(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    (tmp_path / "vectors.py").write_text(REFERENCE)
    course = load_course(mini_course)
    monkeypatch.setattr(hidden, "current_platform", lambda: platform)
    with pytest.raises(UsageError) as refused:
        grade_files(course, tmp_path)
    assert f"hidden checks need the grader's sandbox, which runs only on Linux (this system is {platform!r})" in str(
        refused.value
    )
    assert "--public-only" in refused.value.fix
    public = grade_files(course, tmp_path, public_only=True)
    assert (public.score, public.max_score, public.hidden_ran) == (2, 2, False)


def test_the_command_line_refuses_before_starting_anything_off_linux(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "vectors.py").write_text(REFERENCE)
    monkeypatch.setattr(hidden, "current_platform", lambda: "darwin")
    refused = run_grader("grade", "--course", str(mini_course), "--submission", str(tmp_path))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert (
        "runs only on Linux (this system is 'darwin')" in refused.stderr
        and "fix: run the public checks with --public-only" in refused.stderr
    )
    public = run_grader(
        "grade", "--course", str(mini_course), "--submission", str(tmp_path), "--public-only", "--format", "json"
    )
    assert public.returncode == 0 and json.loads(public.stdout)["score"] == 2
    assert run_grader("check", "--course", str(mini_course)).returncode == 2
