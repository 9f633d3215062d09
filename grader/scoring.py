"""Point allocation, in one place: every score in a report comes from these pure functions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from grader.results import AssignmentResult, CheckResult, GradeReport, Status


def check_score(status: Status, points: float) -> float:
    """All or nothing: a check earns its points only when it passes."""
    return points if status == "passed" else 0.0


def assignment_totals(checks: Sequence[CheckResult]) -> tuple[float, float]:
    """(score, max_score) of an assignment: the sums over its checks."""
    return sum(check.score for check in checks), sum(check.max_score for check in checks)


def grade_report(assignments: Sequence[AssignmentResult], hidden_ran: bool, language: str, duration_s: float) -> GradeReport:
    statuses = Counter(check.status for assignment in assignments for check in assignment.checks)
    return GradeReport(
        assignments=tuple(assignments),
        score=sum(a.score for a in assignments),
        max_score=sum(a.max_score for a in assignments),
        hidden_ran=hidden_ran,
        language=language,
        duration_s=duration_s,
        checks_by_status=dict(statuses),
    )
