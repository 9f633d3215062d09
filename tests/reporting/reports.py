"""GradeReports built directly from the result dataclasses, for the renderers' unit tests.

Scores go through grader.engine.scoring, as in real grading, so no expected number is typed in by hand.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from grader.course.model import AutograderSettings
from grader.engine.groups import check_groups
from grader.engine.results import AssignmentResult, CheckResult, GradeReport
from grader.engine.scoring import Lateness, apply_penalty, assignment_totals, check_score, grade_report

GRADESCOPE_SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
"""results.json as Gradescope's Autograder Specifications describe it (see the schema's description)."""
TRACEBACK = (
    'Traceback (most recent call last):\n  File "conv.py", line 12, in forward\n    raise ValueError("boom")\n'
    "ValueError: boom\n"
)
IMPORT_ERROR = "your module could not be imported: SyntaxError: invalid syntax (line 3)"
QUOTED_LINE = "    def f(x)\n               ^"
"""The student's line 3 and a caret, as the assignment's error quotes them after its first line."""
NOT_RUN = "depends on `backward_matches_numeric_gradient`, which failed: fix that first"
IMPORT_HINT = (
    "Fix this first: no check can run until the file imports. Run `python rnn_backward.py` to see the same error."
)


def check(name: str, status: str, points: float, visibility: str = "public", **fields: object) -> CheckResult:
    """A check result whose score follows from its status, as the runner computes it."""
    fields.setdefault("description", "")
    return CheckResult(
        name=name,
        score=check_score(status, points),
        max_score=points,  # type: ignore[arg-type]
        status=status,
        visibility=visibility,
        **fields,
    )  # type: ignore[arg-type]


def assignment(
    id: str, checks: list[CheckResult], late: Lateness = Lateness(0, 0.0), **fields: object
) -> AssignmentResult:
    raw, possible = assignment_totals(checks)
    groups = check_groups(checks, unusable=fields.get("error") is not None, language="en")  # as grading makes them
    return AssignmentResult(
        id=id,
        title=fields.pop("title", id.title()),
        checks=tuple(checks),
        groups=groups,  # type: ignore[arg-type]
        score=apply_penalty(raw, late),
        max_score=possible,
        raw_score=raw,
        days_late=late.days_late,
        penalty_percent=late.penalty_percent,
        **fields,
    )  # type: ignore[arg-type]


def conv(**check_fields: object) -> AssignmentResult:
    """Two days late at 10% a day: one check of each status (not_run without a hint, as grading makes it),
    public and hidden, one with a known line."""
    checks = [
        check("forward_matches_reference", "passed", 2, duration_s=0.125),
        check(
            "backward_matches_numeric_gradient",
            "failed",
            3,
            "hidden",
            duration_s=0.5,
            message="expected shape (3, 4), got (4, 3)",
            hint="Did you transpose dW?",
        ),
        check(
            "handles_stride",
            "error",
            1,
            "hidden",
            duration_s=0.25,
            message="your code raised ValueError: boom",
            hint="The traceback below shows the line of your code where it happened.",
            traceback=TRACEBACK,
            line=12,
            output="debug: stride 2\n",
        ),
        check(
            "no_infinite_loop",
            "timeout",
            1,
            duration_s=2.0,
            message="your code did not finish within 2 s while running forward",
            hint="Look for an infinite loop.",
        ),
        check("backward_of_own_forward", "not_run", 2, message=NOT_RUN),
    ]
    checks = [dataclasses.replace(c, **check_fields) if c.status != "passed" else c for c in checks]
    return assignment("conv", checks, Lateness(2, 20.0), title="Convolution", file="conv.py")


def unimportable() -> AssignmentResult:
    """A submission that could not be imported: every check fails with the same one-line error, as grading does it."""
    checks = [
        check(name, "error", points, visibility, message=IMPORT_ERROR, hint=IMPORT_HINT, line=3)
        for name, points, visibility in (("bptt_shapes", 1, "public"), ("bptt_gradient", 4, "hidden"))
    ]
    return assignment(
        "rnn_backward", checks, title="RNN backward", file="rnn_backward.py", error=f"{IMPORT_ERROR}\n{QUOTED_LINE}"
    )


def mixed_report(
    language: str = "en", autograder: AutograderSettings = AutograderSettings(), **check_fields: object
) -> GradeReport:
    """Passed, failed, error, timeout and not run; public and hidden; a late penalty; an assignment that did not
    import."""
    return grade_report(
        [conv(**check_fields), unimportable()],
        hidden_ran=True,
        language=language,
        duration_s=3.5,
        autograder=autograder,
    )


def all_checks(report: GradeReport) -> list[tuple[AssignmentResult, CheckResult]]:
    return [(a, c) for a in report.assignments for c in a.checks]
