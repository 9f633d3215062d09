"""Identical files in a class are graded once: the twin gets the same results under its own name."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.engine.grader import GradeOptions
from grader.frontends.batch.process import ProcessGrader, Task
from tests.batch.helpers import REFERENCE, STUB, WRONG_ADD, batch_settings, results, write_class
from tests.commandline import run_grader
from tests.engine.helpers import with_function

BROKEN_NORM = with_function(
    "norm", "def norm(x):\n    print('graded as', __file__)\n    raise RuntimeError('broken norm')\n"
)
SLEEPY_NORM = with_function("norm", "def norm(x):\n    import time\n    time.sleep(30)\n")


def grade_class(
    mini_course: Path, tmp_path: Path, students: dict[str, str], **settings: object
) -> tuple[dict[str, dict], int]:
    """Grade ``students`` in one process; their result documents, and how many files were reused."""
    subs = write_class(tmp_path / "subs", students)
    out = tmp_path / "out"
    grader = ProcessGrader(batch_settings(mini_course, subs, out, **settings))
    try:
        for student in students:
            grader.grade(Task(student=student, path=subs / student, kind="folder", submission_hash=student))
        reused = grader.identical.reused if grader.identical else 0
    finally:
        grader.close()
    return results(out), reused


def checks_of(document: dict) -> list[dict]:
    (assignment,) = document["assignments"]
    return assignment["checks"]


def test_an_identical_file_gets_its_twins_results_under_its_own_name(mini_course: Path, tmp_path: Path) -> None:
    documents, reused = grade_class(mini_course, tmp_path, {"alice": BROKEN_NORM, "bob": BROKEN_NORM, "carol": STUB})
    assert reused == 1
    alice, bob = checks_of(documents["alice"]), checks_of(documents["bob"])
    assert [(c["name"], c["status"], c["score"]) for c in alice] == [(c["name"], c["status"], c["score"]) for c in bob]
    broken = [c for c in bob if "broken norm" in c["message"]]
    assert broken, "the twin's failing checks are reported"
    for check in broken:
        assert "bob" in check["traceback"] and "alice" not in check["traceback"]
        # The worker knows its file by its bare name only: no student's folder reaches graded code.
        assert check["output"] == "graded as vectors.py\n"
    assert documents["alice"]["percent"] == documents["bob"]["percent"] < 100


def test_a_file_that_differs_by_one_character_is_graded_on_its_own(mini_course: Path, tmp_path: Path) -> None:
    _, reused = grade_class(mini_course, tmp_path, {"alice": REFERENCE, "bob": REFERENCE + "\n"})
    assert reused == 0


def test_results_that_depend_on_the_machine_are_not_reused(mini_course: Path, tmp_path: Path) -> None:
    documents, reused = grade_class(
        mini_course, tmp_path, {"alice": SLEEPY_NORM, "bob": SLEEPY_NORM}, grade=GradeOptions(timeout=0.5)
    )
    assert reused == 0, "a file whose grading hit a timeout is graded again"
    assert all(any(c["status"] == "timeout" for c in checks_of(documents[s])) for s in ("alice", "bob"))


def test_reuse_can_be_turned_off(mini_course: Path, tmp_path: Path) -> None:
    documents, reused = grade_class(
        mini_course, tmp_path, {"alice": REFERENCE, "bob": REFERENCE}, reuse_identical=False
    )
    assert reused == 0 and documents["alice"]["percent"] == documents["bob"]["percent"] == 100.0


def test_an_identical_file_that_cannot_be_imported_names_its_own_file(mini_course: Path, tmp_path: Path) -> None:
    failing_import = "import numpy as np\nraise ImportError('missing piece in ' + __file__)\n"
    documents, reused = grade_class(mini_course, tmp_path, {"alice": failing_import, "bob": failing_import})
    assert reused == 1
    (assignment,) = documents["bob"]["assignments"]
    assert "missing piece in vectors.py" in assignment["error"]  # graded code knows no student's folder
    assert all(check["status"] == "error" for check in assignment["checks"])
    assert all("bob" in check["hint"] and "alice" not in check["hint"] for check in assignment["checks"])


@pytest.mark.slow
def test_the_summary_says_how_many_files_were_graded_once(mini_course: Path, tmp_path: Path) -> None:
    write_class(tmp_path / "subs", {"alice": WRONG_ADD, "bob": WRONG_ADD, "carol": WRONG_ADD, "dave": REFERENCE})
    batch = ("batch", "subs", "--course", str(mini_course), "--jobs", "1")
    reused = run_grader(*batch, "--out", "out", cwd=tmp_path)
    assert reused.returncode == 0, reused.stderr
    assert "2 files identical to one already graded got their results" in reused.stdout, reused.stdout
    regraded = run_grader(*batch, "--out", "again", "--regrade-identical", cwd=tmp_path)
    assert regraded.returncode == 0 and "identical" not in regraded.stdout, regraded.stdout
    assert (tmp_path / "out/grades.csv").read_text() == (tmp_path / "again/grades.csv").read_text()
