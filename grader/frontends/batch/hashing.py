"""The fingerprints resume compares: a submission's files, and everything else a grade depends on.

A stored result is reused only when both fingerprints match: the same bytes submitted, graded by the
same course (course.yaml, every check file, every reference), the same grader (its version and its
own source and message catalogues, so a fix to the grader re-grades) and the same options.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from grader.course import Course
from grader.course.load import COURSE_FILE
from grader.frontends.batch.discover import Submission

_CHUNK = 1 << 20
_GRADER_ROOT = Path(__file__).resolve().parents[2]
_GRADER_SUFFIXES = (".py", ".yaml", ".html")


def submission_hash(submission: Submission) -> str:
    """SHA-256 of a zip's bytes, or of every file in a folder (relative path and content)."""
    digest = hashlib.sha256(submission.kind.encode() + b"\0")
    if submission.kind == "zip":
        _feed_file(digest, submission.path)
    else:
        for relative, path in _folder_files(submission.path):
            digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
            if path.is_symlink():
                digest.update(b"link\0" + os.fsencode(os.readlink(path)) + b"\0")
            else:
                _feed_file(digest, path)
    return digest.hexdigest()


def course_hash(course: Course, options: dict[str, Any]) -> str:
    """SHA-256 of the course's trusted files, the grader itself and the grading ``options``."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"grader": _grader_version(), "options": options}, sort_keys=True).encode() + b"\0")
    for relative, path in _course_files(course):
        digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
        _feed_file(digest, path)
    digest.update(_grader_digest().encode())
    return digest.hexdigest()


def _course_files(course: Course) -> list[tuple[str, Path]]:
    files = [course.root / COURSE_FILE]
    for assignment in course.assignments:
        files += assignment.public_check_code + assignment.hidden_check_files
        if assignment.has_solutions:
            files.append(assignment.reference)
    return sorted((path.relative_to(course.root).as_posix(), path) for path in files)


@functools.lru_cache(maxsize=1)
def _grader_digest() -> str:
    """SHA-256 of the grader's own source and catalogues, read once per process (a run grades with one grader)."""
    digest = hashlib.sha256()
    for relative, path in _grader_files():
        digest.update(relative.encode() + b"\0")
        _feed_file(digest, path)
    return digest.hexdigest()


def _grader_files() -> list[tuple[str, Path]]:
    files = (
        path for path in _GRADER_ROOT.rglob("*") if path.suffix in _GRADER_SUFFIXES and "__pycache__" not in path.parts
    )
    return sorted((path.relative_to(_GRADER_ROOT).as_posix(), path) for path in files if path.is_file())


def _grader_version() -> str:
    try:
        return metadata.version("grader")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def _folder_files(folder: Path) -> Iterable[tuple[str, Path]]:
    """Every file under ``folder`` (links listed, not followed), sorted by relative path."""
    entries = []
    for root, directories, files in os.walk(folder, followlinks=False):
        directories.sort()
        for name in files + [d for d in directories if os.path.islink(os.path.join(root, d))]:
            path = Path(root, name)
            entries.append((path.relative_to(folder).as_posix(), path))
    return sorted(entries)


def _feed_file(digest: Any, path: Path) -> None:
    with path.open("rb") as file:
        digest.update(f"{os.fstat(file.fileno()).st_size}\0".encode())
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
