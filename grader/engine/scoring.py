"""Point allocation, in one place: every score in a report comes from these pure functions."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from grader.course.model import AutograderSettings, LatePolicy
from grader.engine.results import AssignmentResult, CheckResult, GradeReport, Status
from grader.sandbox.layers import SandboxLayers

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Lateness:
    """How late a submission is and what it costs."""

    days_late: int
    """Started days after the due date (0 when on time)."""
    penalty_percent: float
    """Percent of the raw score taken off."""


def check_score(status: Status, points: float) -> float:
    """All or nothing: a check earns its points only when it passes."""
    return points if status == "passed" else 0.0


def assignment_totals(checks: Sequence[CheckResult]) -> tuple[float, float]:
    """(score, max_score) of an assignment: the sums over its checks."""
    return sum(check.score for check in checks), sum(check.max_score for check in checks)


def lateness(policy: LatePolicy, due: datetime | None, submitted_at: datetime | None) -> Lateness:
    """The penalty of a submission made at ``submitted_at`` (no due date or time known: none)."""
    if submitted_at is None:
        return Lateness(0, 0.0)
    if policy.zero_after is not None and submitted_at > policy.zero_after:
        days = _days_late(due, submitted_at) if due is not None else 0
        return Lateness(days, 100.0)
    if due is None:
        return Lateness(0, 0.0)
    days = _days_late(due, submitted_at)
    return Lateness(days, min(100.0, days * policy.percent_per_day))


def apply_penalty(raw_score: float, late: Lateness) -> float:
    """The final score: the raw score less the late penalty, never below zero."""
    return max(0.0, raw_score * (1 - late.penalty_percent / 100))


def _days_late(due: datetime, submitted_at: datetime) -> int:
    seconds = (submitted_at - due).total_seconds()
    return max(0, math.ceil(seconds / SECONDS_PER_DAY))


def grade_report(
    assignments: Sequence[AssignmentResult],
    hidden_ran: bool,
    language: str,
    duration_s: float,
    autograder: AutograderSettings = AutograderSettings(),
    sandbox: SandboxLayers | None = None,
) -> GradeReport:
    statuses: Counter[str] = Counter(check.status for assignment in assignments for check in assignment.checks)
    return GradeReport(
        assignments=tuple(assignments),
        score=sum(a.score for a in assignments),
        max_score=sum(a.max_score for a in assignments),
        hidden_ran=hidden_ran,
        language=language,
        duration_s=duration_s,
        checks_by_status=dict(statuses),
        autograder=autograder,
        sandbox=sandbox,
    )
