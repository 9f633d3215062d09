"""What a class's results add up to: rows per student, pass rates, a histogram, common failures.

Computed once from the students' records (their stored ``grade`` JSON) and rendered by both the CSV
gradebook and the HTML report, so the two never disagree. Needs no course: everything comes from
the records, which is what lets ``grader merge`` run on a machine without the course.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence

from grader.batch.records import StudentRecord

HISTOGRAM_BINS = 10
TOP_FAILURES = 15
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class StudentRow:
    """One student's line of the gradebook."""

    student: str
    """The student id."""
    scores: dict[str, float]
    """Score per assignment id (empty when the student could not be graded)."""
    total: float | None
    """Sum of the scores, or None when not graded."""
    max_score: float | None
    """Points possible."""
    percent: float | None
    """Total in percent."""
    error: str
    """Why the student was not graded, or the assignments that could not be run ("conv: syntax error")."""
    graded: bool
    """Whether a score exists."""


@dataclass(frozen=True)
class AssignmentStat:
    """One assignment across the class."""

    id: str
    """The assignment id."""
    title: str
    """Its title."""
    max_score: float
    """Points possible."""
    mean_percent: float
    """Mean score of graded students, in percent of ``max_score``."""
    full_marks: int
    """Students with every point."""


@dataclass
class CheckStat:
    """One check across the class."""

    assignment: str
    """Assignment id."""
    name: str
    """Check name."""
    visibility: str
    """public or hidden."""
    points: float
    """What it is worth."""
    counts: Counter = field(default_factory=Counter)
    """Students per status (passed, failed, error, timeout)."""

    @property
    def runs(self) -> int:
        return sum(self.counts.values())

    @property
    def pass_rate(self) -> float:
        """Percent of students who passed it."""
        return 100.0 * self.counts["passed"] / self.runs if self.runs else 0.0


@dataclass(frozen=True)
class FailureStat:
    """A failure message many students got (numbers aside)."""

    assignment: str
    """Assignment id."""
    check: str
    """Check name."""
    message: str
    """One student's message, as an example."""
    count: int
    """Students who got it."""


@dataclass(frozen=True)
class ClassStats:
    """Everything the gradebook and report show."""

    rows: list[StudentRow]
    """Students, by id."""
    assignments: list[AssignmentStat]
    """In course order."""
    checks: list[CheckStat]
    """In course order."""
    failures: list[FailureStat]
    """Most common first."""
    histogram: list[int]
    """Students per tenth of the percentage scale (the last bin holds 100 %)."""

    @property
    def graded(self) -> list[StudentRow]:
        return [row for row in self.rows if row.graded]

    @property
    def errors(self) -> int:
        return sum(not row.graded for row in self.rows)

    @property
    def mean_percent(self) -> float | None:
        percents = [row.percent for row in self.graded if row.percent is not None]
        return statistics.fmean(percents) if percents else None

    @property
    def median_percent(self) -> float | None:
        percents = [row.percent for row in self.graded if row.percent is not None]
        return statistics.median(percents) if percents else None


def points(value: float) -> str:
    """12.0 -> "12", 12.5 -> "12.5": a score as a person would write it (four decimals at most)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def class_stats(records: Sequence[StudentRecord]) -> ClassStats:
    """Aggregate ``records`` (any order) into the class's statistics."""
    records = sorted(records, key=lambda record: record.student)
    reports = [record.report for record in records if record.report is not None]
    checks = _check_stats(reports)
    return ClassStats(
        rows=[_row(record) for record in records],
        assignments=_assignment_stats(reports),
        checks=list(checks.values()),
        failures=_failures(reports),
        histogram=_histogram([record.percent for record in records if record.percent is not None]),
    )


def _row(record: StudentRecord) -> StudentRow:
    report = record.report
    if report is None:
        return StudentRow(record.student, {}, None, None, None, record.error or "not graded", False)
    unusable = "; ".join(f"{a['id']}: {_shortened(a['error'])}" for a in report["assignments"] if a.get("error"))
    return StudentRow(
        student=record.student, scores={a["id"]: float(a["score"]) for a in report["assignments"]},
        total=float(report["score"]), max_score=float(report["max_score"]), percent=float(report["percent"]),
        error=unusable, graded=True,
    )


def _shortened(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters (the full message is in the student's result file)."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _assignment_stats(reports: list[dict[str, Any]]) -> list[AssignmentStat]:
    by_id: dict[str, list[dict[str, Any]]] = {}
    for report in reports:
        for assignment in report["assignments"]:
            by_id.setdefault(assignment["id"], []).append(assignment)
    stats = []
    for assignment_id, results in by_id.items():
        top = max(float(result["max_score"]) for result in results)
        percents = [100.0 * float(result["score"]) / top if top else 0.0 for result in results]
        stats.append(AssignmentStat(assignment_id, str(results[0]["title"]), top, statistics.fmean(percents),
                                    sum(float(result["score"]) >= top for result in results)))
    return stats


def _check_stats(reports: list[dict[str, Any]]) -> dict[tuple[str, str], CheckStat]:
    checks: dict[tuple[str, str], CheckStat] = {}
    for report in reports:
        for assignment in report["assignments"]:
            for check in assignment["checks"]:
                key = (assignment["id"], check["name"])
                stat = checks.get(key)
                if stat is None:
                    stat = checks[key] = CheckStat(assignment["id"], check["name"], check["visibility"], float(check["max_score"]))
                stat.counts[check["status"]] += 1
    return checks


def _failures(reports: list[dict[str, Any]]) -> list[FailureStat]:
    """The most frequent (check, message) pairs, with numbers masked so "off by 0.31" and "off by 0.27" count as one."""
    counts: Counter[tuple[str, str, str]] = Counter()
    examples: dict[tuple[str, str, str], str] = {}
    for report in reports:
        for assignment in report["assignments"]:
            for check in assignment["checks"]:
                if check["status"] != "passed" and check["message"]:
                    key = (assignment["id"], check["name"], _NUMBER.sub("#", check["message"]))
                    counts[key] += 1
                    examples.setdefault(key, check["message"])
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_FAILURES]
    return [FailureStat(key[0], key[1], examples[key], count) for key, count in ranked]


def _histogram(percents: list[float]) -> list[int]:
    bins = [0] * HISTOGRAM_BINS
    for percent in percents:
        bins[min(HISTOGRAM_BINS - 1, max(0, int(percent // (100 / HISTOGRAM_BINS))))] += 1
    return bins
