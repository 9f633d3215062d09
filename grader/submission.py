"""Finding and reading a student's files for the assignments being graded.

A submission is a folder in the course layout (``<id>/<id>.py``), a flat folder of ``<id>.py``
files, or a single ``.py`` file when exactly one assignment is graded. Wherever a ``.py`` file is
accepted, a Jupyter notebook ``<id>.ipynb`` is too (read by :mod:`grader.notebook`). When a folder
holds both ``<id>.py`` and ``<id>.ipynb`` in the same place, the one saved last (modification time)
is graded, and the report says so: a release ships both stubs, and the one the student worked in is
the one they saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence

from grader.course import Course
from grader.errors import UsageError
from grader.i18n import Msg, msg
from grader.notebook.lines import LineMap

SUFFIXES = (".py", ".ipynb")
"""File types a submission may have."""


@dataclass(frozen=True)
class SubmissionFile:
    """Where one assignment's submission is (or was looked for)."""

    assignment_id: str
    """The assignment it answers."""
    path: Path | None
    """The file, or None when no file was found."""
    expected: str
    """Where it was looked for, as shown to the student when it is missing."""
    note: Msg | None = None
    """Something the student should know about the choice of file (both .py and .ipynb exist)."""

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
    line_map: LineMap | None = None
    """For a notebook: where each line of ``text`` is in the notebook (None for a .py file)."""
    notes: tuple[Msg, ...] = ()
    """What the report should tell the student about how the file was read (skipped magics, …)."""


def locate(course: Course, assignment_ids: Sequence[str], submission: Path | None) -> dict[str, SubmissionFile]:
    """The submission file of every assignment in ``assignment_ids``."""
    root = Path(submission) if submission is not None else course.root / "assignments"
    if not root.exists():
        raise UsageError(f"{root}: no such file or folder", "pass --submission a folder of <id>.py (or <id>.ipynb) files, or one such file")
    if root.is_file():
        return {assignment_ids[0]: _single_file(root, assignment_ids)}
    return {assignment_id: _in_folder(root, assignment_id) for assignment_id in assignment_ids}


def read_source(file: SubmissionFile) -> Source:
    """The file's code (UnicodeDecodeError, OSError and, for a notebook, NotebookError propagate)."""
    assert file.path is not None
    notes = (file.note,) if file.note is not None else ()
    if file.path.suffix == ".ipynb":
        from grader.notebook.source import notebook_source  # nbformat is imported only for notebooks

        source = notebook_source(file.path, file.display_name)
        return Source(source.text, source.filename, source.line_map, notes + source.notes)
    return Source(file.path.read_text(encoding="utf-8"), file.display_name, notes=notes)


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
    if path.suffix not in SUFFIXES:
        raise UsageError(f"--submission {path}: not a .py or .ipynb file", "pass the Python file or the notebook you wrote")
    return SubmissionFile(assignment_ids[0], path, display_path(path))


def candidate_paths(folder: Path, assignment_id: str) -> list[Path]:
    """Every place a submission is looked for in ``folder``: course layout first, then flat."""
    places = [folder / assignment_id / assignment_id, folder / assignment_id]
    return [place.with_name(place.name + suffix) for place in places for suffix in SUFFIXES]


def _in_folder(folder: Path, assignment_id: str) -> SubmissionFile:
    candidates = candidate_paths(folder, assignment_id)
    expected = " or ".join(display_path(path) for path in candidates)
    for index in range(0, len(candidates), len(SUFFIXES)):
        found = [path for path in candidates[index:index + len(SUFFIXES)] if path.is_file()]
        if found:
            return _newest(assignment_id, found, expected)
    return SubmissionFile(assignment_id, None, expected)


def _newest(assignment_id: str, found: list[Path], expected: str) -> SubmissionFile:
    """The file saved last among ``found`` (same place, different types); on a tie the .py file."""
    chosen = max(found, key=lambda path: (_saved_at(path), path.suffix == ".py"))
    others = [path for path in found if path != chosen]
    note = msg("notebook.both_files", chosen=display_path(chosen), other=display_path(others[0])) if others else None
    return SubmissionFile(assignment_id, chosen, expected, note)


def _saved_at(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # removed since it was found (an editor replacing the file): it loses
        return -1


def submission_time(submitted_at: str | None, metadata: Path | None) -> datetime | None:
    """When the submission was made: an ISO 8601 instant, or Gradescope's submission_metadata.json."""
    if submitted_at is not None:
        return parse_instant(submitted_at, "--submitted-at")
    if metadata is None:
        return None
    try:
        created_at = json.loads(metadata.read_text(encoding="utf-8"))["created_at"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{metadata}: no readable created_at field ({exc})", "pass Gradescope's submission_metadata.json") from None
    return parse_instant(str(created_at), f"{metadata}: created_at")


def parse_instant(text: str, where: str) -> datetime:
    """``text`` as an ISO 8601 instant; one with no UTC offset is refused (its time zone would be a guess).

    Every source of a submission time (``grader grade --submitted-at``, Gradescope's metadata, the
    times file of ``grader batch``) goes through here, so they accept the same texts; ``where``
    names the source in the error.
    """
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise UsageError(f"{where}: {text!r} is not a date and time with a UTC offset", "write e.g. 2026-12-01T23:59:00+09:00")
    return value
