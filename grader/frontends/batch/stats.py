"""What a class's results add up to: rows per student, pass rates, a histogram, common failures.

Computed once from the students' records (their stored ``grade`` JSON), one record at a time, and
rendered by both the CSV gradebook and the HTML report, so the two never disagree. Needs no course:
everything comes from the records, which is what lets ``grader merge`` run on a machine without it.

A student who handed in nothing of their own (no file, or only the unchanged stubs, or empty files:
``submitted: false`` on every assignment) is *not submitted*, counted apart from the graded: they
score zero, but the class's mean, median and histogram are those of the students who submitted.
Likewise an assignment a student did not submit counts in neither its mean nor its checks' pass
rates nor the common failures (which would otherwise be "still the published stub" for everyone).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from grader.frontends.batch.records import StudentRecord

HISTOGRAM_BINS = 10
TOP_FAILURES = 15
_MAX_FAILURE_KINDS = 20_000
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

RowStatus = Literal["graded", "not_submitted", "error"]
"""graded (handed in something of their own); not_submitted (nothing: no file, unchanged stubs, empty
files); error (could not be graded at all: a rejected zip, a crash)."""


@dataclass(frozen=True, kw_only=True)
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
    """Why the student was not graded, or the assignments handed in that could not be run ("conv: syntax error")."""
    status: RowStatus
    """graded, not_submitted or error (see :data:`RowStatus`)."""
    submitted: frozenset[str] = frozenset()
    """The assignments the student handed in something for."""

    @property
    def graded(self) -> bool:
        """Whether the student handed in work that was graded."""
        return self.status == "graded"


@dataclass(frozen=True, kw_only=True)
class AssignmentStat:
    """One assignment across the class."""

    id: str
    """The assignment id."""
    title: str
    """Its title."""
    max_score: float
    """Points possible."""
    mean_percent: float
    """Mean score of the students who submitted it, in percent of ``max_score`` (0 when nobody did)."""
    full_marks: int
    """Students with every point."""
    submitted: int = 0
    """Students who handed in something for it."""


@dataclass(kw_only=True)
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
    """Students per status (passed, failed, error, timeout, not_run)."""

    @property
    def runs(self) -> int:
        return sum(self.counts.values())

    @property
    def pass_rate(self) -> float:
        """Percent of students who passed it."""
        return 100.0 * self.counts["passed"] / self.runs if self.runs else 0.0


@dataclass(frozen=True, kw_only=True)
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
    students: tuple[str, ...] = ()
    """Who got it, by id."""


@dataclass(frozen=True, kw_only=True)
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
        """Students who could not be graded at all."""
        return sum(row.status == "error" for row in self.rows)

    @property
    def not_submitted(self) -> int:
        """Students who handed in nothing of their own."""
        return sum(row.status == "not_submitted" for row in self.rows)

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


def class_stats(records: Iterable[StudentRecord]) -> ClassStats:
    """Aggregate ``records`` (any order) into the class's statistics."""
    builder = StatsBuilder()
    for record in records:
        builder.add(record)
    return builder.build()


class StatsBuilder:
    """Adds up records one at a time, so a class of thousands never has its reports in memory at once."""

    def __init__(self) -> None:
        self.rows: list[StudentRow] = []
        self.assignments: dict[str, _AssignmentTally] = {}
        self.checks: dict[tuple[str, str], CheckStat] = {}
        self.failures: Counter[tuple[str, str, str]] = Counter()
        self.examples: dict[tuple[str, str, str], str] = {}
        self.who: dict[tuple[str, str, str], list[str]] = {}

    def add(self, record: StudentRecord) -> None:
        """Count one student (their report can be dropped afterwards)."""
        self.rows.append(_row(record))
        for assignment in (record.report or {}).get("assignments", []):
            tally = self.assignments.setdefault(assignment["id"], _AssignmentTally(title=str(assignment["title"])))
            tally.max_score = max(tally.max_score, float(assignment["max_score"]))
            if not _submitted(assignment):
                continue
            tally.add(float(assignment["score"]), float(assignment["max_score"]))
            for check in assignment["checks"]:
                self._add_check(assignment["id"], check, record.student)
        if len(self.failures) > _MAX_FAILURE_KINDS:
            self._forget_rare_failures()

    def build(self) -> ClassStats:
        rows = sorted(self.rows, key=lambda row: row.student)
        ranked = sorted(self.failures.items(), key=lambda item: (-item[1], item[0]))[:TOP_FAILURES]
        return ClassStats(
            rows=rows,
            assignments=[tally.stat(assignment_id) for assignment_id, tally in self.assignments.items()],
            checks=list(self.checks.values()),
            failures=[
                FailureStat(
                    assignment=key[0],
                    check=key[1],
                    message=self.examples[key],
                    count=count,
                    students=tuple(sorted(self.who[key])),
                )
                for key, count in ranked
            ],
            histogram=_histogram([row.percent for row in rows if row.graded and row.percent is not None]),
        )

    def _add_check(self, assignment_id: str, check: dict[str, Any], student: str) -> None:
        key = (assignment_id, check["name"])
        stat = self.checks.get(key)
        if stat is None:
            stat = self.checks[key] = CheckStat(
                assignment=assignment_id,
                name=check["name"],
                visibility=check["visibility"],
                points=float(check["max_score"]),
            )
        stat.counts[check["status"]] += 1
        # A check not run only echoes the failure that stopped it, which is counted in its own row.
        if check["status"] not in ("passed", "not_run") and check["message"]:
            # Numbers masked, so "off by 0.31" and "off by 0.27" count as one kind of failure.
            kind = (assignment_id, check["name"], _NUMBER.sub("#", check["message"]))
            self.failures[kind] += 1
            self.examples.setdefault(kind, check["message"])
            self.who.setdefault(kind, []).append(student)

    def _forget_rare_failures(self) -> None:
        """Bound memory when messages are nearly all different: a kind seen once is not among the most common."""
        for kind in [kind for kind, count in self.failures.items() if count == 1]:
            del self.failures[kind]
            del self.examples[kind]
            del self.who[kind]


@dataclass(kw_only=True)
class _AssignmentTally:
    title: str
    max_score: float = 0.0
    percent_sum: float = 0.0
    graded: int = 0
    full_marks: int = 0

    def add(self, score: float, max_score: float) -> None:
        """Count one student who submitted the assignment."""
        self.percent_sum += 100.0 * score / max_score if max_score else 0.0
        self.graded += 1
        self.full_marks += score >= max_score

    def stat(self, assignment_id: str) -> AssignmentStat:
        mean = self.percent_sum / self.graded if self.graded else 0.0
        return AssignmentStat(
            id=assignment_id,
            title=self.title,
            max_score=self.max_score,
            mean_percent=mean,
            full_marks=self.full_marks,
            submitted=self.graded,
        )


def _row(record: StudentRecord) -> StudentRow:
    report = record.report
    if report is None:
        return StudentRow(
            student=record.student,
            scores={},
            total=None,
            max_score=None,
            percent=None,
            error=record.error or "",
            status="error",
        )
    submitted = frozenset(a["id"] for a in report["assignments"] if _submitted(a))
    # The error's first line says what is wrong; the student's quoted line follows it.
    unusable = "; ".join(
        f"{a['id']}: {_shortened(a['error'].splitlines()[0])}"
        for a in report["assignments"]
        if a.get("error") and a["id"] in submitted
    )
    return StudentRow(
        student=record.student,
        scores={a["id"]: float(a["score"]) for a in report["assignments"]},
        total=float(report["score"]),
        max_score=float(report["max_score"]),
        percent=float(report["percent"]),
        error=unusable,
        status="graded" if submitted else "not_submitted",
        submitted=submitted,
    )


def _submitted(assignment: dict[str, Any]) -> bool:
    """Whether the student handed in something for ``assignment`` (results stored before this was recorded: yes)."""
    return bool(assignment.get("submitted", True))


def _shortened(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters (the full message is in the student's result file)."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _histogram(percents: list[float]) -> list[int]:
    bins = [0] * HISTOGRAM_BINS
    for percent in percents:
        bins[min(HISTOGRAM_BINS - 1, max(0, int(percent // (100 / HISTOGRAM_BINS))))] += 1
    return bins
