"""Finding and reading a student's files for the assignments being graded.

A submission is a folder in the course layout (``<id>/<id>.py``), a flat folder of ``<id>.py``
files, or a single ``.py`` file when exactly one assignment is graded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence

from grader.course import Course
from grader.errors import UsageError


@dataclass(frozen=True)
class SubmissionFile:
    """Where one assignment's submission is (or was looked for)."""

    assignment_id: str
    """The assignment it answers."""
    path: Path | None
    """The file, or None when no file was found."""
    expected: str
    """Where it was looked for, as shown to the student when it is missing."""

    @property
    def display_name(self) -> str:
        """The file name as the student knows it (relative to the current folder when possible)."""
        assert self.path is not None
        return display_path(self.path)


@dataclass(frozen=True)
class Source:
    """A submission's code, ready for the worker."""

    text: str
    """The Python source."""
    filename: str
    """The name tracebacks and annotations use."""


def locate(course: Course, assignment_ids: Sequence[str], submission: Path | None) -> dict[str, SubmissionFile]:
    """The submission file of every assignment in ``assignment_ids``."""
    root = Path(submission) if submission is not None else course.root / "assignments"
    if not root.exists():
        raise UsageError(f"{root}: no such file or folder", "pass --submission a folder of <id>.py files or a .py file")
    if root.is_file():
        return {assignment_ids[0]: _single_file(root, assignment_ids)}
    return {assignment_id: _in_folder(root, assignment_id) for assignment_id in assignment_ids}


def read_source(file: SubmissionFile) -> Source:
    """The file's text (UnicodeDecodeError and OSError propagate for the caller to report)."""
    assert file.path is not None
    return Source(file.path.read_text(encoding="utf-8"), file.display_name)


def display_path(path: Path) -> str:
    """Relative to the current folder when the file is inside it, else absolute."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def _single_file(path: Path, assignment_ids: Sequence[str]) -> SubmissionFile:
    if len(assignment_ids) != 1:
        raise UsageError(
            f"--submission {path} is one file, but {len(assignment_ids)} assignments are being graded",
            "name the assignment it answers, e.g. `grader grade conv --submission conv.py`",
        )
    if path.suffix != ".py":
        raise UsageError(f"--submission {path}: not a .py file", "pass the Python file you wrote")
    return SubmissionFile(assignment_ids[0], path, display_path(path))


def _in_folder(folder: Path, assignment_id: str) -> SubmissionFile:
    candidates = [folder / assignment_id / f"{assignment_id}.py", folder / f"{assignment_id}.py"]
    found = next((path for path in candidates if path.is_file()), None)
    return SubmissionFile(assignment_id, found, " or ".join(display_path(path) for path in candidates))


def submission_time(submitted_at: str | None, metadata: Path | None) -> datetime | None:
    """When the submission was made: an ISO 8601 instant, or Gradescope's submission_metadata.json."""
    if submitted_at is not None:
        return _instant(submitted_at, "--submitted-at")
    if metadata is None:
        return None
    try:
        created_at = json.loads(metadata.read_text(encoding="utf-8"))["created_at"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{metadata}: no readable created_at field ({exc})", "pass Gradescope's submission_metadata.json") from None
    return _instant(str(created_at), f"{metadata}: created_at")


def _instant(text: str, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise UsageError(f"{where}: {text!r} is not a date and time with a UTC offset", "write e.g. 2026-12-01T23:59:00+09:00")
    return value
