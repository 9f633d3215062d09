"""Fingerprints of the published stubs: how a student's answer is told apart from the file they were given.

A release holds both ``<id>.py`` and ``<id>.ipynb`` for every assignment. Which of them is the answer
cannot come from file times: a ``git clone``, a ``cp -r`` or an upload to Gradescope gives every file
the same time, and Jupyter's autosave touches a notebook nobody edited. It comes from the content:
the answer is the file that differs from the stub it was published as.

What is compared is the *code*, not the bytes: the lines of Python (a notebook's code cells, as they
are graded), each without trailing whitespace, leaving out blank lines and top-level ``pass`` lines
(no-ops; a notebook's feedback call ``grader.check("<id>")`` is graded as one). So the ``.py`` stub
and the notebook stub (the same code, in cells) have one fingerprint, and a stub opened in Jupyter
and saved, run (outputs), or checked out with CRLF line ends is still the stub. Any other edit, a
comment included, makes the file the student's answer.

Where the fingerprints come from:

- a student release and an autograder bundle ship ``stubs.json``, written by ``grader publish``:
  ``{"format_version": 1, "stubs": {"<id>": "<sha256 of the stub's code>"}}``;
- the instructor's course folder has none: they are computed from the stubs generated from solutions/;
- with neither (a release whose stubs.json was deleted) they are unknown: then only an empty file
  counts as not submitted, and where both files exist, only course.yaml's ``submit:`` can choose.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from grader.course.model import Assignment, Course
from grader.errors import CourseError

STUBS_FILE = "stubs.json"
FORMAT_VERSION = 1
_NO_OP = "pass"  # at the top level: what a notebook's feedback cell becomes when it is graded


def code_fingerprint(code: str) -> str:
    """SHA-256 of ``code``'s lines without trailing whitespace, blank and top-level ``pass`` lines left out
    (see the module docstring)."""
    lines = (line.rstrip() for line in code.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    kept = "\n".join(line for line in lines if line and line != _NO_OP)
    return hashlib.sha256(kept.encode("utf-8", "surrogatepass")).hexdigest()


EMPTY_FINGERPRINT = code_fingerprint("")
"""The fingerprint of a file with no code at all (empty, or only blank lines)."""


def manifest_text(course: Course, assignments: Sequence[Assignment] | None = None) -> str:
    """``stubs.json``: the fingerprint of the stub of each of ``assignments`` (default: all), generated from its
    solution."""
    return (
        json.dumps(
            {"format_version": FORMAT_VERSION, "stubs": _generated(course, assignments)}, indent=1, sort_keys=True
        )
        + "\n"
    )


@functools.lru_cache(maxsize=8)
def stub_fingerprints(course: Course) -> Mapping[str, str]:
    """Assignment id -> its published stub's fingerprint; empty when unknown (see the module docstring).

    Cached per course for the life of the process: a batch or a watch session asks once per file.
    """
    manifest = course.root / STUBS_FILE
    if manifest.is_file():
        return _read_manifest(manifest, course)
    if course.solutions_dir.is_dir():
        return _generated(course)
    return {}


def _generated(course: Course, assignments: Sequence[Assignment] | None = None) -> dict[str, str]:
    from grader.course.markers import generate_stub  # the instructor's side only; markers imports the course

    chosen = course.assignments if assignments is None else assignments
    return {a.id: code_fingerprint(generate_stub(a)) for a in chosen if a.has_solutions}


def _read_manifest(path: Path, course: Course) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        stubs = data["stubs"]
        valid = data.get("format_version") == FORMAT_VERSION and all(
            isinstance(key, str) and isinstance(value, str) and len(value) == 64 for key, value in stubs.items()
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise CourseError(
            f"{path}: not a stubs manifest written by `grader publish`",
            "restore it from the release (git checkout -- stubs.json), or ask your instructor for the release again",
        )
    known = {assignment.id for assignment in course.assignments}
    return {assignment_id: digest for assignment_id, digest in stubs.items() if assignment_id in known}
