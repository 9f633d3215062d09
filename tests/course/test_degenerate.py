"""No credit for computing nothing: every check of every assignment fails a submission whose functions all
return zeros of the right shape and type, and one whose functions all return their first input.

Self-consistent nonsense used to earn points (issue 13): a numeric-gradient check of the student's own
forward pass passes a backward pass of zeros when the forward pass returns zeros too, and a check that
the uncovered cells of dx are 0 passed an all-zero dx. A check may pass one of these submissions only
with its reason in ALLOWED below.

The submissions are built from each reference by tests/course/degenerate.py and graded in the official
setting (public and hidden checks), each assignment's checks loaded once, one fork server for all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import load_course
from grader.grading import GradeOptions, grade_source, load_assignment
from grader.sandbox.launcher import Launcher
from grader.submission import Source
from tests.course.degenerate import KINDS, degenerate_source

ROOT = Path(__file__).resolve().parents[2]
IDS = ("rnn_backward", "conv", "logistic_regression", "self_attention")

# (assignment, kind, check) -> why that check may pass the degenerate submission. Keep it small: every
# entry is a check that gives points for code that computes nothing.
ALLOWED: dict[tuple[str, str, str], str] = {}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, tuple[str, str, str]]]:
    """(assignment, kind) -> {check name: (status, message, visibility)}."""
    course = load_course(ROOT)
    base = tmp_path_factory.mktemp("sandbox")
    base.chmod(0o755)
    launcher = Launcher(denied_roots=[course.solutions_dir], base_dir=base)
    try:
        results = {}
        for aid in IDS:
            loaded = load_assignment(course.assignment(aid), hidden=True)
            for kind in KINDS:
                source = Source(degenerate_source(aid, kind), f"{aid}.py")
                result = grade_source(course, loaded, source, launcher, GradeOptions(language="en"))
                assert result.error is None, result.error
                results[aid, kind] = {check.name: (check.status, check.message, check.visibility) for check in result.checks}
        return results
    finally:
        launcher.close()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("aid", IDS)
def test_every_check_fails_a_submission_that_computes_nothing(graded, aid: str, kind: str) -> None:
    checks = graded[aid, kind]
    assert {visibility for _, _, visibility in checks.values()} == {"public", "hidden"}  # the official grade
    passing = {name for name, (status, _, _) in checks.items() if status == "passed"}
    allowed = {check for (a, k, check) in ALLOWED if (a, k) == (aid, kind)}
    assert passing - allowed == set(), f"{aid}, {kind}: these checks give points for computing nothing"
    assert allowed <= passing, f"{aid}, {kind}: allowed but failing now, remove from ALLOWED: {allowed - passing}"


@pytest.mark.parametrize("aid", IDS)
def test_the_zeros_are_compared_as_values(graded, aid: str) -> None:
    """The zeros submission has the reference's shapes and types and never raises, so it fails on values:
    no check reports an error or a shape, and the backward checks that use the student's own forward
    are not run (its forward failed), while those that use the reference's forward fail."""
    checks = graded[aid, "zeros"]
    assert not [name for name, (status, _, _) in checks.items() if status in ("error", "timeout")]
    assert not [name for name, (_, message, _) in checks.items() if "has shape" in message or "should be a" in message]
    assert any(status == "not_run" for status, _, _ in checks.values())
