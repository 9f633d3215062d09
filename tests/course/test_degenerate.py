"""No credit for computing nothing: every check of every assignment fails a submission whose functions all
return zeros of the right shape and type, and one whose functions all return their first input.

Self-consistent nonsense used to earn points (issue 13): a numeric-gradient check of the student's own
forward pass passes a backward pass of zeros when the forward pass returns zeros too, and a check that
the uncovered cells of dx are 0 passed an all-zero dx. A check may pass one of these submissions only
with its reason in ALLOWED below.

The submissions are built from each reference by tests/course/degenerate.py and graded in the official
setting (public and hidden checks; every oracle is the reference) and as a student runs them (public
checks only; the oracle is the submission itself), each assignment's checks loaded once, one fork server
for all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import load_course
from grader.engine.grader import GradeOptions, Grader
from grader.engine.source import Source
from grader.sandbox.launcher import Launcher
from tests.course.degenerate import KINDS, degenerate_source

ROOT = Path(__file__).resolve().parents[2]
IDS = ("rnn_backward", "conv", "logistic_regression", "self_attention")

# (assignment, kind, check) -> why that check may pass the degenerate submission. Keep it small: every
# entry is a check that gives points for code that computes nothing.
ALLOWED: dict[tuple[str, str, str], str] = {}


SETTINGS = {"official": True, "own_run": False}
"""Whether the hidden checks (and the reference, the oracle of the backward checks) are part of the grade."""


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], dict[str, tuple[str, str, str]]]:
    """(assignment, kind, setting) -> {check name: (status, message, visibility)}."""
    course = load_course(ROOT)
    base = tmp_path_factory.mktemp("sandbox")
    base.chmod(0o755)
    launcher = Launcher(denied_roots=[course.solutions_dir], base_dir=base)
    try:
        results = {}
        for aid in IDS:
            for setting, hidden in SETTINGS.items():
                grader = Grader(course, GradeOptions(language="en", public_only=not hidden), launcher=launcher)
                for kind in KINDS:
                    source = Source(degenerate_source(aid, kind), f"{aid}.py")
                    result = grader.grade_assignment(course.assignment(aid), source)
                    assert result.error is None, result.error
                    results[aid, kind, setting] = {
                        check.name: (check.status, check.message, check.visibility) for check in result.checks
                    }
        return results
    finally:
        launcher.close()


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("aid", IDS)
def test_every_check_fails_a_submission_that_computes_nothing(graded, aid: str, kind: str, setting: str) -> None:
    checks = graded[aid, kind, setting]
    expected = {"public", "hidden"} if SETTINGS[setting] else {"public"}
    assert {visibility for _, _, visibility in checks.values()} == expected
    passing = {name for name, (status, _, _) in checks.items() if status == "passed"}
    allowed = {check for (a, k, check) in ALLOWED if (a, k) == (aid, kind)}
    assert passing - allowed == set(), f"{aid}, {kind}: these checks give points for computing nothing"
    assert allowed <= passing, f"{aid}, {kind}: allowed but failing now, remove from ALLOWED: {allowed - passing}"


@pytest.mark.parametrize("aid", IDS)
def test_the_zeros_are_compared_as_values(graded, aid: str) -> None:
    """The zeros submission has the reference's shapes and types and never raises, so it fails on values:
    no check reports an error or a shape. In the official grade every check runs (the backward checks
    against the reference's forward) and fails; in the student's own run, the backward checks that use
    the submission's forward are not run (its forward failed)."""
    official, own_run = graded[aid, "zeros", "official"], graded[aid, "zeros", "own_run"]
    assert {status for status, _, _ in official.values()} == {"failed"}
    assert not [
        name for name, (_, message, _) in official.items() if "has shape" in message or "should be a" in message
    ]
    assert {status for status, _, _ in own_run.values()} == {"failed", "not_run"}
