"""Each student's submission time, for late penalties: the CSV file of ``grader batch --submitted-at``.

The file is what an LMS exports: a header row naming (among any others, which are ignored) the
columns ``student`` and ``submitted_at``, matched case-insensitively and ignoring surrounding
spaces, then one row per student. Times are ISO 8601 instants with a UTC offset, read by the same
rules as ``grader grade --submitted-at``. A row with an empty time is a student with no known time (graded
as on time, like a student with no row). Anything ambiguous (a missing column, a time that is not
one, a student listed twice) stops the batch before grading, naming the file and line: a guessed
time would be a wrong grade.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from grader.errors import UsageError
from grader.frontends.instants import parse_instant

STUDENT, SUBMITTED_AT = "student", "submitted_at"
_HEADER_FIX = (
    f"start the file with a header row naming the columns, e.g. {STUDENT},{SUBMITTED_AT} (other columns are ignored)"
)


def read_submission_times(path: Path) -> dict[str, datetime]:
    """The submission time of every student with one in ``path``, by student id."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:  # utf-8-sig: a spreadsheet's byte-order mark
            return _times(path, file)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(
            f"{path}: cannot be read as a CSV file ({exc})", "save it as UTF-8 CSV (comma-separated)"
        ) from None


def times_digest(times: dict[str, datetime] | None) -> str:
    """What identifies the times a batch was graded with ("" for none): the same instants, however the
    file wrote them (offsets, column order, other columns), give the same digest."""
    if times is None:
        return ""
    lines = sorted(f"{student}\t{when.astimezone(timezone.utc).isoformat()}" for student, when in times.items())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _times(path: Path, file: TextIO) -> dict[str, datetime]:
    reader = csv.reader(file)
    header = next(reader, [])
    student_column, time_column = (_column(path, header, name) for name in (STUDENT, SUBMITTED_AT))
    times: dict[str, datetime] = {}
    first_line: dict[str, int] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue  # a blank line, e.g. at the end of a hand-edited file
        line = reader.line_num  # physical lines, so a quoted cell spanning lines does not shift the count
        student, text = _cell(row, student_column), _cell(row, time_column)
        if not student:
            raise UsageError(
                f"{path}:{line}: no student id", "fill in the student column of that row, or delete the row"
            )
        if student in first_line:
            raise UsageError(
                f"{path}:{line}: student {student!r} is listed twice (first on line {first_line[student]})",
                "keep one row per student: the time of the submission being graded",
            )
        first_line[student] = line
        if text:
            times[student] = parse_instant(text, f"{path}:{line}: {SUBMITTED_AT}")
    return times


def _column(path: Path, header: list[str], name: str) -> int:
    """Where the column ``name`` is in ``header``; it must be there exactly once."""
    names = [cell.strip().lower() for cell in header]
    if name not in names:
        raise UsageError(
            f"{path}:1: the header row has no column {name!r} (it reads: {','.join(header) or 'nothing'})", _HEADER_FIX
        )
    if names.count(name) > 1:
        raise UsageError(f"{path}:1: the header row has the column {name!r} twice", "keep one of them")
    return names.index(name)


def _cell(row: list[str], column: int) -> str:
    """The cell, stripped; a short row's missing cells are empty."""
    return row[column].strip() if column < len(row) else ""
