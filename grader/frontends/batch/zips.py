"""Extracting a student's zip without trusting it.

A zip is a list of names and sizes the student chose. Only the Python files and notebooks are
extracted (nothing else is graded); every member name is checked first (no absolute path, no ``..``, no drive letter,
no link), the member count is capped, and the bytes actually inflated are counted against a total
cap as they are written, because the sizes a zip declares can lie. Any violation is a
:class:`ZipRejected` for that student, never a crash of the batch.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.frontends.submission import SUFFIXES
from grader.i18n import Msg, msg, render

_CHUNK = 1 << 16
_IGNORED_PREFIXES = ("__MACOSX/",)  # resource forks added by macOS's "Compress"


@dataclass(frozen=True)
class ZipLimits:
    """How much of a zip is extracted before it is rejected."""

    max_members: int = 1000
    """Entries in the zip (of any kind)."""
    max_total_mb: float = 20.0
    """Bytes written in total, counted as they are inflated."""


class ZipRejected(Exception):
    """The zip is unreadable or breaks a rule; ``problem`` says which, for the gradebook (in the run's language)."""

    def __init__(self, problem: Msg) -> None:
        super().__init__(render(problem, "en"))
        self.problem = problem


def extract_python_files(archive: Path, target: Path, limits: ZipLimits = ZipLimits()) -> Path:
    """Extract the ``.py`` and ``.ipynb`` files of ``archive`` into the empty folder ``target``; the folder to grade.

    When the zip holds a single top-level folder (a zipped folder), that folder is returned.
    """
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            _check_members(members, limits)
            budget = _Budget(int(limits.max_total_mb * 1024 * 1024))
            for member in members:
                if _is_submission_file(member):
                    _extract(zipped, member, target, budget)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise ZipRejected(
            msg("batch.zip_unreadable", name=archive.name, error=f"{type(exc).__name__}: {exc}")
        ) from None
    return _single_top_folder(target)


class _Budget:
    """Bytes left to write; raises once the cap is passed."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise ZipRejected(msg("batch.zip_too_large", mb=self.limit // (1024 * 1024)))  # Python files and notebooks


def _check_members(members: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(members) > limits.max_members:
        raise ZipRejected(msg("batch.zip_too_many", count=len(members), limit=limits.max_members))
    for member in members:
        name = member.filename
        path = PurePosixPath(name.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in name or "\0" in name:
            raise ZipRejected(msg("batch.zip_unsafe_path", name=repr(name)))
        if stat.S_ISLNK(member.external_attr >> 16):
            raise ZipRejected(msg("batch.zip_symbolic_link", name=repr(name)))


def _is_submission_file(member: zipfile.ZipInfo) -> bool:
    name = member.filename.replace("\\", "/")
    return not member.is_dir() and name.endswith(SUFFIXES) and not name.startswith(_IGNORED_PREFIXES)


def _extract(zipped: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, budget: _Budget) -> None:
    destination = target.joinpath(*PurePosixPath(member.filename.replace("\\", "/")).parts)
    destination.parent.mkdir(parents=True, exist_ok=True)
    # "x": a second member with the same name must not overwrite (or be overwritten by) the first.
    try:
        with zipped.open(member) as source, destination.open("xb") as out:
            while chunk := source.read(_CHUNK):
                budget.spend(len(chunk))
                out.write(chunk)
    except FileExistsError:
        raise ZipRejected(msg("batch.zip_twice", name=repr(member.filename))) from None


def _single_top_folder(target: Path) -> Path:
    entries = [entry for entry in target.iterdir() if not entry.name.startswith("__MACOSX")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return target
