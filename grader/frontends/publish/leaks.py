"""The proof that the student release holds nothing of solutions/: its solution lines, lines and files.

:func:`find_leaks` runs before the release replaces the previous one (``grader publish`` stops on a
leak); :func:`published_on_purpose` says where the release shows the solution lines course.yaml lets
it show.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader.course import COURSE_FILE, Assignment, Course
from grader.course.markers import generate_stub, solution_blocks, source_lines
from grader.errors import CourseError
from grader.frontends.publish.solution_lines import SolutionLine, python_strings, sightings, solution_lines, tokens_of

# Lines that say nothing about a solution: only punctuation (")", "]", '"""'), or a lone keyword.
_TRIVIAL = re.compile(r"[\W_]*|(?:else|try|finally|pass|return|break|continue|raise)\s*:?")


@dataclass(frozen=True)
class Leak:
    """Something of solutions/ found in the release."""

    release_file: str
    """The release file (relative to the release), with the archive member for a wheel."""
    line: int | None
    """Its line, for a line leak."""
    origin: str
    """Where in solutions/ the line or file comes from (``solutions/conv/conv.py:42``)."""

    def __str__(self) -> str:
        where = f"{self.release_file}:{self.line}" if self.line else self.release_file
        return f"{where} contains {self.origin}"


def find_leaks(course: Course, release: Path) -> list[Leak]:
    """Every solution line, line and file of solutions/ found in ``release``.

    - **Solution lines** (inside ``# BEGIN SOLUTION`` blocks): a non-trivial one leaks wherever its
      computing part appears, in any text of the release (READMEs, notebook cells, public checks and
      their hint strings), compared token by token (:mod:`grader.frontends.publish.solution_lines` says what
      is trivial). Only the lines course.yaml lists under ``published_solution_lines`` may appear.
    - **Other lines of solutions/** (hidden checks, helpers): a line leaks when the release has it
      although no stub or public check file of the course does (check files share boilerplate such
      as ``@check(points=2)``), never because a README has it. Lines without a letter or digit, or
      with a lone keyword (``else:``), say nothing and are not compared.
    - **Files** are compared by content, members of archives too; archives (the grader's wheel) only
      file by file: the wheel is built from the grader, never from the course, and the grader's code
      shares generic lines such as ``return value`` with any Python file.
    """
    hidden, files = _protected(course)
    secret = [line for lines in _solution_lines(course).values() for line in lines.secret]
    leaks: list[Leak] = []
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        name = path.relative_to(release).as_posix()
        data = path.read_bytes()
        if "solutions" in Path(name).parts or _digest(data) in files:
            leaks.append(Leak(name, None, files.get(_digest(data), "a solutions/ folder")))
        if zipfile.is_zipfile(path):
            leaks += _archive_leaks(path, name, files)
            continue
        for text in _texts(path, data, name):
            leaks += _line_leaks(text, hidden)
            leaks += [Leak(text.where, number, line.origin) for number, line in _sighted(text, secret)]
    return _unique(leaks)


def published_on_purpose(course: Course, release: Path) -> list[str]:
    """For each solution line course.yaml lets the release show and the release does show: where, and why."""
    per_assignment = _solution_lines(course).values()
    listed = [line for lines in per_assignment for line in lines.listed]
    reasons = {line: reason for lines in per_assignment for line, reason in lines.reasons.items()}
    places: dict[SolutionLine, list[str]] = {}
    for path in sorted(p for p in release.rglob("*") if p.is_file() and not zipfile.is_zipfile(p)):
        for text in _texts(path, path.read_bytes(), path.relative_to(release).as_posix()):
            for number, line in _sighted(text, listed):
                places.setdefault(line, []).append(f"{text.where}:{number}")
    return [
        f"{line.origin} is shown at {', '.join(dict.fromkeys(where))} ({reasons[line]})"
        for line, where in places.items()
    ]


@dataclass(frozen=True)
class _AssignmentLines:
    """An assignment's non-trivial solution lines, split by what course.yaml says about them."""

    secret: tuple[SolutionLine, ...]
    listed: tuple[SolutionLine, ...]
    reasons: dict[SolutionLine, str]


def _solution_lines(course: Course) -> dict[str, _AssignmentLines]:
    """Per assignment: its secret and its deliberately published solution lines (a listed line that is no
    solution line is an error: it would silently allow nothing, or something else after an edit)."""
    found = {}
    for index, assignment in enumerate(course.assignments):
        lines = solution_lines(assignment, "")
        reasons: dict[SolutionLine, str] = {}
        for entry_index, entry in enumerate(assignment.published_solution_lines):
            matching = [line for line in lines if tokens_of(line.text) == tokens_of(entry.line)]
            if not matching:
                raise CourseError(
                    f"{COURSE_FILE}: assignments[{index}].published_solution_lines[{entry_index}]: {entry.line!r} is "
                    f"not a non-trivial line of a solution block of "
                    f"solutions/{assignment.id}/{assignment.reference.name}",
                    "copy the line exactly as the reference has it (spacing does not matter), or remove the entry",
                )
            reasons.update((line, entry.reason) for line in matching)
        found[assignment.id] = _AssignmentLines(
            tuple(line for line in lines if line not in reasons), tuple(reasons), reasons
        )
    return found


@dataclass(frozen=True)
class _Text:
    """A text of a release file to scan."""

    where: str
    """The release file (and notebook cell) it is in."""
    text: str
    string_line: int | None = None
    """For a string of a Python file: its line there (the string's own line numbers are not the file's)."""


def _texts(path: Path, data: bytes, name: str) -> list[_Text]:
    """The texts of a release file to scan: a notebook's cells one by one, a Python file's source and each of
    its strings (so a hint split over several literals is read whole)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    if path.suffix == ".ipynb":
        return _notebook_cells(text, name)
    strings = python_strings(text) if path.suffix == ".py" else []
    return [_Text(name, text), *(_Text(name, value, line) for line, value in strings)]


def _notebook_cells(text: str, name: str) -> list[_Text]:
    """The cells of a notebook (its JSON quotes every line, so the file itself hides them)."""
    try:
        cells = json.loads(text)["cells"]
    except (ValueError, KeyError, TypeError):
        return [_Text(name, text)]
    found = []
    for index, cell in enumerate(cells, start=1):
        source = cell.get("source", "")
        found.append(_Text(f"{name} cell {index}", "".join(source) if isinstance(source, list) else str(source)))
    return found


def _sighted(text: _Text, lines: list[SolutionLine]) -> list[tuple[int, SolutionLine]]:
    """(line number, solution line) for each of ``lines`` that ``text`` shows."""
    return [(text.string_line or sighting.where, sighting.line) for sighting in sightings(text.text, lines)]


def _unique(leaks: list[Leak]) -> list[Leak]:
    """Each leak once (a hint is found both in its file's text and in its string)."""
    return list(dict.fromkeys(leaks))


def _protected(course: Course) -> tuple[dict[str, str], dict[str, str]]:
    """(protected line -> its origin, content digest -> origin) of everything under solutions/ (the
    lines of solution blocks are left to the solution-line scan)."""
    code = set().union(*(_public_lines(assignment) for assignment in course.assignments))
    lines: dict[str, str] = {}
    files: dict[str, str] = {}
    for path in sorted(p for p in course.solutions_dir.rglob("*") if p.is_file()):
        origin = path.relative_to(course.root).as_posix()
        data = path.read_bytes()
        if data.strip():
            files[_digest(data)] = origin
        owner = next((a for a in course.assignments if a.solution_dir in path.parents), None)
        in_block = _block_line_numbers(owner) if owner is not None and path == owner.reference else set()
        for number, line in enumerate(_text_lines(data), start=1):
            key = line.strip()
            if number not in in_block and _meaningful(key) and key not in code:
                lines.setdefault(key, f"{origin}:{number}")
    return lines, files


def _public_lines(assignment: Assignment) -> set[str]:
    """Stripped lines of the stub and public checks students get for ``assignment``."""
    texts = [generate_stub(assignment), *(path.read_text(encoding="utf-8") for path in assignment.public_check_code)]
    return {line.strip() for text in texts for line in source_lines(text)}


def _block_line_numbers(assignment: Assignment) -> set[int]:
    """The line numbers of the reference's solution blocks, markers included."""
    text = assignment.reference.read_text(encoding="utf-8")
    return {
        number for block in solution_blocks(text, assignment.reference) for number in range(block.begin, block.end + 1)
    }


def _meaningful(line: str) -> bool:
    return bool(line) and not _TRIVIAL.fullmatch(line)


def _text_lines(data: bytes) -> list[str]:
    try:
        return source_lines(data.decode("utf-8"))
    except UnicodeDecodeError:
        return []


def _line_leaks(text: _Text, protected: dict[str, str]) -> list[Leak]:
    if text.string_line is not None:
        return []  # strings are read for solution lines; whole lines are compared in the file itself
    return [
        Leak(text.where, number, protected[line.strip()])
        for number, line in enumerate(source_lines(text.text), start=1)
        if line.strip() in protected
    ]


def _archive_leaks(path: Path, name: str, files: dict[str, str]) -> list[Leak]:
    leaks = []
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            digest = _digest(archive.read(member))
            if "solutions" in Path(member).parts or digest in files:
                leaks.append(Leak(f"{name}!{member}", None, files.get(digest, "a solutions/ folder")))
    return leaks


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
