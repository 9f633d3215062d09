"""Finding a class's submissions and choosing this shard's share of them.

A submission is a sub-folder of the submissions folder named by the student id, or a zip file
``<student>.zip``. Names starting with a dot are ignored (``.DS_Store``, editor files), and so is
anything else that is neither a folder nor a zip.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from grader.errors import UsageError
from grader.i18n import Msg, msg

Kind = Literal["folder", "zip"]
_SHARD = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True)
class Submission:
    """One student's submission as found on disk."""

    student: str
    """The student id: the folder's name, or the zip's name without ``.zip``."""
    path: Path
    """The folder or the zip file."""
    kind: Kind
    """folder or zip."""
    problem: Msg | None = None
    """Why it cannot be graded at all, found while discovering (e.g. both a folder and a zip)."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``: the students whose stable hash falls in it."""

    index: int = 1
    """Which shard, from 1 to ``count``."""
    count: int = 1
    """How many shards the class is split into."""

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, student: str) -> bool:
        """Whether ``student`` belongs to this shard (the same answer on every machine and run)."""
        return self.count == 1 or shard_of(student, self.count) == self.index


def parse_shard(text: str) -> Shard:
    """``K/N`` with 1 <= K <= N, as given to ``--shard``."""
    match = _SHARD.fullmatch(text.strip())
    if match is None or not 1 <= int(match[1]) <= int(match[2]):
        raise UsageError(
            f"--shard {text!r} is not K/N with 1 <= K <= N", "write e.g. --shard 2/4 (the second of four shards)"
        )
    return Shard(int(match[1]), int(match[2]))


def shard_of(student: str, count: int) -> int:
    """The 1-based shard of ``student`` among ``count``: a SHA-256 of the id, not Python's salted hash."""
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def discover(folder: Path, shard: Shard = Shard(), students: Sequence[str] = ()) -> list[Submission]:
    """The submissions in ``folder`` that fall in ``shard`` (and, if given, among ``students``), by id."""
    if not folder.is_dir():
        raise UsageError(
            f"{folder}: no such folder", "pass the folder holding one sub-folder or <student>.zip per student"
        )
    found: dict[str, list[Submission]] = {}
    for entry in sorted(folder.iterdir()):
        submission = _as_submission(entry)
        if submission is not None:
            found.setdefault(submission.student, []).append(submission)
    # An id absent from the whole folder is a typo; one that falls in another shard is simply not ours.
    missing = [student for student in students if student not in found]
    if missing:
        raise UsageError(
            f"no submission for {', '.join(map(repr, missing))} in {folder}",
            "pass student ids as they appear in the folder",
        )
    return [
        _one(entries)
        for student, entries in sorted(found.items())
        if shard.holds(student) and (not students or student in students)
    ]


def _as_submission(entry: Path) -> Submission | None:
    if entry.name.startswith("."):
        return None
    if entry.is_symlink():
        # A link could point at another student's files; the instructor's download never has one.
        return Submission(entry.name.removesuffix(".zip"), entry, "folder", msg("batch.symbolic_link", name=entry.name))
    if entry.is_dir():
        return Submission(entry.name, entry, "folder")
    if entry.is_file() and entry.suffix.lower() == ".zip" and len(entry.name) > 4:
        return Submission(entry.name[:-4], entry, "zip")
    return None


def _one(entries: list[Submission]) -> Submission:
    if len(entries) == 1:
        return entries[0]
    names = ", ".join(entry.path.name for entry in entries)
    return Submission(entries[0].student, entries[0].path, entries[0].kind, msg("batch.two_submissions", names=names))
