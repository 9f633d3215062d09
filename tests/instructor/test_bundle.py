"""The autograder bundle: Gradescope layout, and run_autograder run for real with its root in tmp_path."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest
import yaml

from grader.course import load_course
from grader.frontends.notebook.stub import stub_notebook
from grader.frontends.publish.package import pinned_requirements
from grader.frontends.publish.pipeline import Published, publish
from grader.sandbox.uids import DEFAULT_RANGE
from tests.course.variants import variant
from tests.instructor.helpers import BUNDLED_IDS, MINI_COURSE, ROOT, copy_course, replace_in

REFERENCE = (MINI_COURSE / "solutions/vectors/vectors.py").read_text()
MINI_POINTS = 6.0
DUE = datetime.fromisoformat("2026-12-01T23:59:00+09:00")


@pytest.fixture(scope="module")
def bundled_course(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The bundled course, published once for the module."""
    target = tmp_path_factory.mktemp("bundled")
    return publish(load_course(copy_course(ROOT, target / "course")), target / "out")


@pytest.fixture(scope="module")
def mini_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini course, with a due date and a late policy, published once for the module."""
    target = tmp_path_factory.mktemp("mini")
    course = copy_course(MINI_COURSE, target / "course")
    replace_in(
        course / "course.yaml",
        "    limits: {timeout: 2}\n",
        f"    limits: {{timeout: 2}}\n    due: {DUE.isoformat()}\n    late_policy: {{percent_per_day: 10}}\n",
    )
    return publish(load_course(course), target / "out").bundle_zip


def run_autograder(bundle_zip: Path, root: Path, files: dict[str, str], metadata: dict | None = None) -> dict:
    """Unpack the bundle as Gradescope does (zip modes lost), put ``files`` in the submission, run it."""
    completed = start_autograder(bundle_zip, root, files, metadata)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads((root / "results/results.json").read_text())


def start_autograder(
    bundle_zip: Path, root: Path, files: dict[str, str], metadata: dict | None = None, **environment: str
) -> subprocess.CompletedProcess:
    """Unpack the bundle, put ``files`` in the submission and run ``run_autograder`` with ``environment`` added."""
    with zipfile.ZipFile(bundle_zip) as archive:
        archive.extractall(root / "source")
    for name, text in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_text(text)
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable, **environment}
    return subprocess.run(
        ["bash", str(root / "source/run_autograder")], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_the_autograder_refuses_to_grade_unconfined_unless_told_to(mini_zip: Path, tmp_path: Path) -> None:
    refused = start_autograder(
        mini_zip, tmp_path / "a", {"vectors.py": REFERENCE}, GRADER_SANDBOX_OFF="seccomp,landlock"
    )
    assert refused.returncode == 2 and "seccomp and Landlock not in force" in refused.stderr
    assert not (tmp_path / "a/results/results.json").exists()  # Gradescope shows the error, never a grade
    allowed = start_autograder(
        mini_zip,
        tmp_path / "b",
        {"vectors.py": REFERENCE},
        GRADER_SANDBOX_OFF="seccomp,landlock",
        AUTOGRADER_ALLOW_UNCONFINED="1",
    )
    assert allowed.returncode == 0, allowed.stderr
    results = json.loads((tmp_path / "b/results/results.json").read_text())
    assert results["score"] == MINI_POINTS and results["extra_data"]["sandbox"]["confined"] is False


def _scores(results: dict) -> dict[str, float]:
    return {test["name"]: test["score"] for test in results["tests"]}


def test_the_bundle_has_gradescope_layout_modes_and_the_complete_course(mini_zip: Path) -> None:
    bundle = mini_zip.with_suffix("")
    with zipfile.ZipFile(mini_zip) as archive:
        modes = {info.filename: stat.S_IMODE(info.external_attr >> 16) for info in archive.infolist()}
    files = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    assert set(modes) == files
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert {name for name in modes if name.startswith("course/solutions/")} == {
        "course/solutions/vectors/vectors.py",
        "course/solutions/vectors/checks_hidden.py",
    }
    assert all(mode == 0o600 for name, mode in modes.items() if name.startswith("course/solutions/"))
    assert {
        "grader/cli.py",
        "grader/frontends/publish/bundle.py",
        "course/course.yaml",
        "course/assignments/vectors/checks.py",
    } <= files
    assert (bundle / "requirements.txt").read_text().split() == pinned_requirements()
    assert all("==" in line for line in pinned_requirements())
    instructor = mini_zip.parents[1] / "course"
    assert (bundle / "course/course.yaml").read_bytes() == (instructor / "course.yaml").read_bytes()
    assert (bundle / "course/solutions/vectors/vectors.py").read_bytes() == (
        instructor / "solutions/vectors/vectors.py"
    ).read_bytes()
    for script in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(bundle / script)]).returncode == 0


def test_publishing_twice_gives_the_same_zip(mini_zip: Path) -> None:
    first = mini_zip.read_bytes()
    publish(load_course(mini_zip.parents[1] / "course"), mini_zip.parent)
    assert mini_zip.read_bytes() == first


def test_a_reference_submission_gets_full_marks(mini_zip: Path, tmp_path: Path) -> None:
    results = run_autograder(mini_zip, tmp_path, {"vectors.py": REFERENCE})
    assert results["score"] == MINI_POINTS == sum(test["max_score"] for test in results["tests"])
    assert {test["status"] for test in results["tests"]} == {"passed"}
    assert any("hidden" in test["tags"] for test in results["tests"])  # hidden checks ran


def test_a_buggy_submission_loses_the_points_of_the_checks_it_fails(mini_zip: Path, tmp_path: Path) -> None:
    results = run_autograder(mini_zip, tmp_path, {"vectors.py": REFERENCE.replace("return a + b", "return a - b")})
    scores = _scores(results)
    assert scores["vectors: add_small"] == scores["vectors: add_random"] == 0
    assert results["score"] == MINI_POINTS - 3  # add_small (1) and add_random (2)


def test_a_whole_repository_submitted_from_github_is_graded_from_its_assignments_folder(
    mini_zip: Path, tmp_path: Path
) -> None:
    results = run_autograder(mini_zip, tmp_path, {"README.md": "mine", "assignments/vectors/vectors.py": REFERENCE})
    assert results["score"] == MINI_POINTS


def test_the_submission_time_in_gradescope_metadata_applies_the_late_policy(mini_zip: Path, tmp_path: Path) -> None:
    late = DUE + timedelta(days=1, hours=12)  # two started days late at 10 % per day
    results = run_autograder(mini_zip, tmp_path, {"vectors.py": REFERENCE}, {"created_at": late.isoformat()})
    assert results["score"] == pytest.approx(MINI_POINTS * (1 - 2 * 0.10))
    assert sum(_scores(results).values()) == MINI_POINTS  # the checks keep their points; the total is penalized


def test_a_submission_cannot_read_the_bundles_solutions(mini_zip: Path, tmp_path: Path) -> None:
    solutions = tmp_path / "source/course/solutions"
    thief = f"""
import os
SOLUTIONS = {str(solutions)!r}

def _steal():
    found = []
    for attempt in (lambda: os.listdir(SOLUTIONS), lambda: open(SOLUTIONS + "/vectors/vectors.py").read(),
                    lambda: open(SOLUTIONS + "/vectors/checks_hidden.py").read()):
        try:
            found.append(str(attempt()))
        except Exception as error:
            found.append("DENIED " + type(error).__name__)
    return found

LOOT = _steal()

def add(a, b):
    if any(item.startswith("DENIED") for item in LOOT):
        raise RuntimeError(f"uid={{os.getuid()}}: " + "; ".join(LOOT))
    namespace = {{}}
    exec(LOOT[1], namespace)  # the reference's own add, since the file could be read
    return namespace["add"](a, b)
"""
    results = run_autograder(mini_zip, tmp_path, {"vectors.py": thief})
    text = json.dumps(results)
    assert results["score"] == 0
    denied = re.search(r"uid=(\d+): DENIED PermissionError; DENIED PermissionError; DENIED PermissionError", text)
    assert denied is not None, text
    if os.geteuid() == 0:  # graded code runs under a uid of its own, from the workers' range
        assert DEFAULT_RANGE[0] <= int(denied.group(1)) <= DEFAULT_RANGE[1]
    else:
        assert int(denied.group(1)) == os.geteuid()
    assert "float(np.sqrt(np.sum(x * x)))" not in text and "add_random(student, reference" not in text
    # The permissions were restored although the unzip lost them: root only.
    assert stat.S_IMODE(solutions.stat().st_mode) == 0o700
    assert stat.S_IMODE((solutions / "vectors/vectors.py").stat().st_mode) == 0o600


@pytest.mark.slow
def test_the_bundled_course_autogrades_its_references_and_catches_a_buggy_variant(
    bundled_course: Published, tmp_path: Path
) -> None:
    bundle = bundled_course.bundle_zip
    references = {f"{aid}.py": (ROOT / f"solutions/{aid}/{aid}.py").read_text() for aid in BUNDLED_IDS}
    full = run_autograder(bundle, tmp_path / "reference", references)
    assert full["score"] == sum(test["max_score"] for test in full["tests"]) > 0
    buggy = {**references, "conv.py": variant("conv", "flipped_kernel").source()}
    results = run_autograder(bundle, tmp_path / "buggy", buggy)
    lost = {name for name, score in _scores(results).items() if score < _scores(full)[name]}
    assert lost and all(name.startswith("conv: ") for name in lost)
    assert results["score"] < full["score"]


# -- one autograder per assignment ---------------------------------------------------------------
def test_each_assignment_has_its_own_bundle_with_only_its_solutions(bundled_course: Published) -> None:
    assert [archive.name for archive in bundled_course.assignment_bundles] == [f"{aid}.zip" for aid in BUNDLED_IDS]
    for archive in bundled_course.assignment_bundles:
        with zipfile.ZipFile(archive) as bundle:
            names = bundle.namelist()
            course_yaml = yaml.safe_load(bundle.read("course/course.yaml"))
            stubs = json.loads(bundle.read("course/stubs.json"))["stubs"]
        assert [item["id"] for item in course_yaml["assignments"]] == [archive.stem] and list(stubs) == [archive.stem]
        assert {
            name.split("/")[2] for name in names if name.startswith(("course/solutions/", "course/assignments/"))
        } == {archive.stem}
        assert {"setup.sh", "run_autograder", "requirements.txt", "grader/cli.py"} <= set(names)


@pytest.mark.slow
def test_an_assignment_bundle_gives_full_marks_for_that_assignment_alone(
    bundled_course: Published, tmp_path: Path
) -> None:
    conv = next(archive for archive in bundled_course.assignment_bundles if archive.stem == "conv")
    reference = {"conv.py": (ROOT / "solutions/conv/conv.py").read_text()}
    results = run_autograder(conv, tmp_path / "conv", reference)
    assert results["score"] == sum(test["max_score"] for test in results["tests"]) > 0  # 100 % for complete work
    assert {test["name"].split(": ")[0] for test in results["tests"]} == {"conv"}
    whole = run_autograder(
        bundled_course.bundle_zip, tmp_path / "whole", reference
    )  # the course-wide bundle, for contrast
    assert whole["score"] == results["score"] < sum(test["max_score"] for test in whole["tests"])


def test_an_assignment_bundle_grades_the_notebook_the_student_worked_in(
    bundled_course: Published, tmp_path: Path
) -> None:
    conv = next(archive for archive in bundled_course.assignment_bundles if archive.stem == "conv")
    assignment = load_course(ROOT).assignment("conv")
    notebook = stub_notebook(assignment.reference, assignment.public_dir / "README.md", "conv")
    files = {
        "conv.py": assignment.stub.read_text(),
        "conv.ipynb": nbformat.writes(notebook),
    }  # the .py is the untouched stub
    results = run_autograder(conv, tmp_path, files)
    assert results["score"] == sum(test["max_score"] for test in results["tests"]) > 0
