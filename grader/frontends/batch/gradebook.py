"""The gradebook as CSV files a spreadsheet opens directly: ``grades.csv``, ``assignments.csv`` and ``checks.csv``.

Columns are named by ids a formula can use (``=SUM(conv, ...)`` after "use first row as names", or
a lookup by header): grades.csv has a column per assignment id, and assignments.csv, one row per
assignment, maps each id to its title and points (the class report shows the same mapping).

UTF-8 with a byte-order mark (Excel otherwise reads Korean titles as mojibake), comma-separated,
CRLF line ends, numbers with a dot. Every text cell that came from a student or a course (ids,
titles, messages) is made inert and kept on one line (:func:`grader.safetext.safe_line`: a student id
taken from a folder or zip name with escape codes in it shows them, ``\x1b[2J``, in a terminal's
``cat`` too), and neutralised against formula injection: a cell starting with ``= + - @`` (or a tab
or carriage return) gets a leading ``'``, so a student named ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from grader.atomic import write_atomic
from grader.frontends.batch.stats import ClassStats, points
from grader.safetext import safe_line

GRADES_FILE = "grades.csv"
ASSIGNMENTS_FILE = "assignments.csv"
CHECKS_FILE = "checks.csv"
_BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | float | int | None


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet will show it, never evaluate it."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_gradebook(out_dir: Path, stats: ClassStats) -> tuple[Path, ...]:
    """Write the CSV files into ``out_dir`` (atomically); returns their paths."""
    tables = {
        GRADES_FILE: grades_table(stats),
        ASSIGNMENTS_FILE: assignments_table(stats),
        CHECKS_FILE: checks_table(stats),
    }
    for name, table in tables.items():
        write_atomic(out_dir / name, _csv(table))
    return tuple(out_dir / name for name in tables)


def grades_table(stats: ClassStats) -> list[list[Cell]]:
    """One row per student: a column per assignment id, the total, percent, status and what went wrong.

    ``status`` is graded, not_submitted (nothing of their own handed in: they score zero) or error
    (could not be graded; ``error`` says why).
    """
    header: list[Cell] = [
        "student",
        *(a.id for a in stats.assignments),
        "total",
        "max_score",
        "percent",
        "status",
        "error",
    ]
    rows = [header]
    for row in stats.rows:
        scores = [row.scores.get(a.id) for a in stats.assignments]
        percent = None if row.percent is None else round(row.percent, 2)
        rows.append([row.student, *scores, row.total, row.max_score, percent, row.status, row.error])
    return rows


def assignments_table(stats: ClassStats) -> list[list[Cell]]:
    """One row per assignment: its id (grades.csv's column), title, points, and how the class did."""
    rows: list[list[Cell]] = [["id", "title", "max_score", "submitted", "mean_percent", "full_marks"]]
    for a in stats.assignments:
        rows.append([a.id, a.title, a.max_score, a.submitted, round(a.mean_percent, 2), a.full_marks])
    return rows


def checks_table(stats: ClassStats) -> list[list[Cell]]:
    """One row per check: how many students passed, failed, erred, timed out or had it not run, and the pass rate."""
    rows: list[list[Cell]] = [
        [
            "assignment",
            "check",
            "visibility",
            "points",
            "students",
            "passed",
            "failed",
            "error",
            "timeout",
            "not_run",
            "pass_rate_percent",
        ]
    ]
    for check in stats.checks:
        counts = check.counts
        rows.append(
            [
                check.assignment,
                check.name,
                check.visibility,
                check.points,
                check.runs,
                counts["passed"],
                counts["failed"],
                counts["error"],
                counts["timeout"],
                counts["not_run"],
                round(check.pass_rate, 2),
            ]
        )
    return rows


def _csv(rows: Iterable[Sequence[Cell]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return _BOM + buffer.getvalue()


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(safe_line(value))
    return points(value)
