"""The student release: what students get, and the proof that nothing of solutions/ is in it.

Layout of ``<out>/release``::

    README.md                     how to install and run the grader (Korean, then English)
    course.yaml                   the student part of the instructor's course.yaml
    assignments/<id>/<id>.py      the stub, generated from the reference
    assignments/<id>/<id>.ipynb   the same stub as a notebook, with the README (grader.notebook.stub)
    assignments/<id>/README*.md   the exercise's README(s)
    assignments/<id>/checks*.py   the public checks
    tools/grader-<v>-py3-none-any.whl   the grader (the instructor's version)
    .github/workflows/grader.yml  runs the public checks on every push (advisory)
    .gitignore

Nothing else of assignments/ is copied (other files are reported), and the release is scanned for
leaks before it replaces the previous one (:func:`find_leaks`).
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from grader.course import COURSE_FILE, Assignment, Course
from grader.errors import CourseError
from grader.i18n import Msg, msg, render
from grader.notebook.stub import write_stub_notebook
from grader.publish.files import copy_file, publishable_files, replaced_directory, write_text
from grader.publish.markers import generate_stub, solution_blocks, source_lines
from grader.publish.package import build_wheel, wheel_name
from grader.publish.templates import template

# Every course.yaml key is either for students or instructor-only; publishing refuses a key that is
# neither, so that a new setting is never published (or dropped) without someone deciding.
STUDENT_KEYS = ("title", "seed", "language", "limits", "assignments")
INSTRUCTOR_ONLY_KEYS = ("autograder",)
STUDENT_ASSIGNMENT_KEYS = ("id", "title", "limits", "due", "late_policy")
INSTRUCTOR_ONLY_ASSIGNMENT_KEYS: tuple[str, ...] = ()
STUDENT_FILE_PATTERNS = ("README*.md", "checks*.py")
"""Files of assignments/<id>/ that go to students besides the stub."""

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


def write_release(course: Course, target: Path) -> list[Path]:
    """Write the release to ``target`` (replacing it whole); returns the assignments/ files skipped."""
    skipped: list[Path] = []
    with replaced_directory(target) as staging:
        for assignment in course.assignments:
            folder = staging / "assignments" / assignment.id
            write_text(folder / assignment.stub.name, generate_stub(assignment))
            for path in student_files(assignment):
                copy_file(path, folder / path.name)
            write_stub_notebook(folder / assignment.stub.name, folder / "README.md", assignment.id)
            skipped += [path for path in publishable_files(assignment.public_dir) if path != assignment.stub and path not in student_files(assignment)]
        write_text(staging / COURSE_FILE, public_course_yaml(course))
        build_wheel(staging / "tools")
        write_text(staging / "README.md", student_readme(course))
        write_text(staging / ".github" / "workflows" / "grader.yml", template("workflows/student.yml"))
        write_text(staging / ".gitignore", ".venv/\n__pycache__/\n")
        leaks = find_leaks(course, staging)
        if leaks:
            raise CourseError(
                "the student release would contain solutions: " + "; ".join(map(str, leaks[:10])) + ("; ..." if len(leaks) > 10 else ""),
                "remove those lines from the public files (README, public checks), or reword them in solutions/",
            )
    return skipped


def student_files(assignment: Assignment) -> list[Path]:
    """The public files of an assignment that students get besides its stub."""
    found = {path for pattern in STUDENT_FILE_PATTERNS for path in assignment.public_dir.glob(pattern) if path.is_file()}
    return sorted(found - {assignment.stub})


def public_course_yaml(course: Course) -> str:
    """course.yaml without instructor-only settings (and without comments, which may hold notes)."""
    data = yaml.safe_load((course.root / COURSE_FILE).read_text(encoding="utf-8"))
    public = _public_part(data, STUDENT_KEYS, INSTRUCTOR_ONLY_KEYS, "")
    public["assignments"] = [
        _public_part(item, STUDENT_ASSIGNMENT_KEYS, INSTRUCTOR_ONLY_ASSIGNMENT_KEYS, f"assignments[{i}].")
        for i, item in enumerate(data["assignments"])
    ]
    header = "# Written by `grader publish` from the instructor's course.yaml (instructor-only settings removed).\n"
    return header + yaml.safe_dump(public, allow_unicode=True, sort_keys=False, width=100)


def student_readme(course: Course) -> str:
    """The release's README.md: Korean first, then English (as the assignments' READMEs)."""
    parts = []
    for language in ("ko", "en"):
        items = "\n".join(render(_assignment_line(a), language) for a in course.assignments)
        readme = msg("publish.readme", title=course.title, wheel=wheel_name(), assignments=items, example=course.assignments[0].id)
        parts.append(render(readme, language))
    return "\n\n".join(parts) + "\n"


def _assignment_line(assignment: Assignment) -> Msg:
    if assignment.due is None:
        return msg("publish.assignment", id=assignment.id, title=assignment.title)
    return msg("publish.assignment_due", id=assignment.id, title=assignment.title, due=assignment.due.isoformat(" ", "minutes"))


def _public_part(data: dict, public: tuple[str, ...], private: tuple[str, ...], where: str) -> dict:
    unknown = [key for key in data if key not in public and key not in private]
    if unknown:
        raise CourseError(
            f"{COURSE_FILE}: grader publish does not know whether {where}{unknown[0]} is for students",
            "add the key to STUDENT_KEYS or INSTRUCTOR_ONLY_KEYS (or the assignment lists) in grader/publish/release.py",
        )
    return {key: value for key, value in data.items() if key in public}


# -- the leak scan --------------------------------------------------------------------------------
def find_leaks(course: Course, release: Path) -> list[Leak]:
    """Every line and file of solutions/ found in ``release``.

    What "no line" means: a line of solutions/ leaks when the release has it although the instructor's
    material for students does not. A line inside a solution block may appear only if the same
    assignment's public files have it (its generated stub, README, public checks: a README may show
    a formula of the reference on purpose, and :func:`public_solution_lines` lists those). Any other
    line of solutions/ (hidden checks, helpers) only if a stub or public check file of the course has
    it, since check files share boilerplate such as ``@check(points=2)`` across assignments, but
    never because a README has it. Lines without a letter or digit, or with a lone keyword
    (``else:``), say nothing and are not compared. Notebooks are compared cell by cell. Whole files
    are compared by content, members of archives too; archives (the grader's wheel) only file by
    file: the wheel is built from the grader, never from the course, and the grader's code shares
    generic lines such as ``return value`` with any Python file.
    """
    lines, files = _protected(course)
    leaks: list[Leak] = []
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        name = path.relative_to(release).as_posix()
        data = path.read_bytes()
        if "solutions" in Path(name).parts or _digest(data) in files:
            leaks.append(Leak(name, None, files.get(_digest(data), "a solutions/ folder")))
        if zipfile.is_zipfile(path):
            leaks += _archive_leaks(path, name, files)
        elif path.suffix == ".ipynb":
            leaks += _notebook_leaks(data, name, lines)
        else:
            leaks += _line_leaks(data, name, lines)
    return leaks


def public_solution_lines(course: Course) -> list[str]:
    """Lines of solution blocks that the instructor also wrote into a public file (a formula in a
    README, a recurrence a public check computes): public on purpose, presumably, but worth a look."""
    notes = []
    for assignment in course.assignments:
        block_lines = _block_lines(assignment)
        for path in student_files(assignment):
            for number, line in enumerate(source_lines(path.read_text(encoding="utf-8")), start=1):
                if line.strip() in block_lines:
                    notes.append(f"{path.relative_to(course.root).as_posix()}:{number} repeats {block_lines[line.strip()]}")
    return notes


def _protected(course: Course) -> tuple[dict[str, str], dict[str, str]]:
    """(protected line -> its origin, content digest -> origin) of everything under solutions/."""
    public = {assignment.id: _public_lines(assignment, readmes=True) for assignment in course.assignments}
    code = set().union(*(_public_lines(assignment, readmes=False) for assignment in course.assignments))
    lines: dict[str, str] = {}
    files: dict[str, str] = {}
    for path in sorted(p for p in course.solutions_dir.rglob("*") if p.is_file()):
        origin = path.relative_to(course.root).as_posix()
        data = path.read_bytes()
        if data.strip():
            files[_digest(data)] = origin
        owner = next((a for a in course.assignments if a.solution_dir in path.parents), None)
        block_lines = _block_lines(owner) if owner is not None and path == owner.reference else {}
        for number, line in enumerate(_text_lines(data), start=1):
            key = line.strip()
            allowed = public[owner.id] if key in block_lines and owner is not None else code
            if _meaningful(key) and key not in allowed:
                lines.setdefault(key, f"{origin}:{number}")
    return lines, files


def _public_lines(assignment: Assignment, readmes: bool) -> set[str]:
    """Stripped lines of the stub and public checks students get for ``assignment`` (and its READMEs)."""
    files = [path for path in student_files(assignment) if readmes or path.suffix == ".py"]
    texts = [generate_stub(assignment), *(path.read_text(encoding="utf-8") for path in files)]
    return {line.strip() for text in texts for line in source_lines(text)}


def _block_lines(assignment: Assignment) -> dict[str, str]:
    """Meaningful stripped lines inside the reference's solution blocks, with their origin."""
    text = assignment.reference.read_text(encoding="utf-8")
    blocks = solution_blocks(text, assignment.reference)
    origin = assignment.reference.relative_to(assignment.solution_dir.parents[1]).as_posix()
    found: dict[str, str] = {}
    for number, line in enumerate(source_lines(text), start=1):
        if _meaningful(line.strip()) and any(block.contains(number) for block in blocks):
            found.setdefault(line.strip(), f"{origin}:{number}")
    return found


def _meaningful(line: str) -> bool:
    return bool(line) and not _TRIVIAL.fullmatch(line)


def _text_lines(data: bytes) -> list[str]:
    try:
        return source_lines(data.decode("utf-8"))
    except UnicodeDecodeError:
        return []


def _line_leaks(data: bytes, name: str, protected: dict[str, str]) -> list[Leak]:
    return [Leak(name, number, protected[line.strip()]) for number, line in enumerate(_text_lines(data), start=1) if line.strip() in protected]


def _notebook_leaks(data: bytes, name: str, protected: dict[str, str]) -> list[Leak]:
    """Leaks in the cells of a notebook (its JSON quotes every line, so the file itself hides them)."""
    try:
        cells = json.loads(data)["cells"]
    except (ValueError, KeyError, TypeError):
        return _line_leaks(data, name, protected)
    leaks = []
    for index, cell in enumerate(cells, start=1):
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        leaks += _line_leaks(text.encode(), f"{name} cell {index}", protected)
    return leaks


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
