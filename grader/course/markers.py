"""Solution markers: find the ``# BEGIN SOLUTION`` … ``# END SOLUTION`` blocks of a reference and
generate its stub, the one transformation between what instructors keep and what students get.

The rule: each block, marker lines included, becomes one line ``<indent>raise NotImplementedError``
at the BEGIN marker's indentation. Anything that could make the rule leak or produce a broken stub
is an error naming the file and line: a lone, nested or misspelled marker, a reference without any
block (its stub would be the whole solution), or a stub that is not valid Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from grader.atomic import write_atomic
from grader.course import Assignment, Course
from grader.errors import CourseError

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION[ \t]*\r?$")
END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*\r?$")
# Anything that looks like a marker but is not exactly one: "#BEGIN SOLUTION", "# end solution",
# "x = 1  # BEGIN SOLUTION". Ignoring it would publish the solution it was meant to hide.
_LOOKS_LIKE_MARKER = re.compile(r"#\s*(BEGIN|END)\s*SOLUTION", re.IGNORECASE)
STUB_STATEMENT = "raise NotImplementedError"


@dataclass(frozen=True)
class SolutionBlock:
    """One marker block of a reference file."""

    begin: int
    """Line number (1-based) of the ``# BEGIN SOLUTION`` line."""
    end: int
    """Line number of the ``# END SOLUTION`` line."""
    indent: str
    """Indentation of the BEGIN marker, which the stub's ``raise`` line takes."""

    def contains(self, line: int) -> bool:
        """Whether ``line`` is part of the block (marker lines included)."""
        return self.begin <= line <= self.end


def solution_blocks(text: str, filename: str | Path) -> list[SolutionBlock]:
    """The blocks of ``text``, validated; raises :class:`CourseError` at the first bad marker."""
    blocks: list[SolutionBlock] = []
    open_at: tuple[int, str] | None = None
    for number, line in enumerate(source_lines(text), start=1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if open_at is not None:
                _fail(
                    filename,
                    number,
                    f"BEGIN SOLUTION inside the block opened at line {open_at[0]}",
                    "close each block before opening the next (blocks cannot nest)",
                )
            open_at = (number, begin.group("indent"))
        elif end:
            if open_at is None:
                _fail(
                    filename,
                    number,
                    "END SOLUTION without a BEGIN SOLUTION before it",
                    "add `# BEGIN SOLUTION` above the solution code, or remove this line",
                )
            blocks.append(SolutionBlock(open_at[0], number, open_at[1]))
            open_at = None
        elif _LOOKS_LIKE_MARKER.search(line):
            _fail(
                filename,
                number,
                f"malformed solution marker {line.strip()!r}",
                "write the marker alone on its line, exactly `# BEGIN SOLUTION` or `# END SOLUTION`",
            )
    if open_at is not None:
        _fail(filename, open_at[0], "BEGIN SOLUTION is never closed", "add `# END SOLUTION` after the solution code")
    return blocks


def strip_solutions(text: str, filename: str | Path) -> str:
    """The stub of a reference: every block replaced by ``<indent>raise NotImplementedError``."""
    blocks = solution_blocks(text, filename)
    if not blocks:
        _fail(
            filename,
            None,
            "has no `# BEGIN SOLUTION` block, so its stub would be the whole solution",
            "wrap each graded function body in `# BEGIN SOLUTION` … `# END SOLUTION`",
        )
    lines = source_lines(text)
    out: list[str] = []
    position = 0
    for block in blocks:
        out += lines[position : block.begin - 1]
        out.append(f"{block.indent}{STUB_STATEMENT}{_ending(lines[block.end - 1])}")
        position = block.end
    stub = "".join(out + lines[position:])
    _require_valid_python(stub, filename)
    return stub


def generate_stub(assignment: Assignment) -> str:
    """The stub of ``assignment``, generated from its reference solution."""
    if not assignment.has_solutions:
        raise CourseError(
            f"{assignment.reference}: no reference solution",
            f"add solutions/{assignment.id}/{assignment.id}.py with solution markers",
        )
    return strip_solutions(assignment.reference.read_text(encoding="utf-8"), assignment.reference)


def stale_stubs(course: Course) -> list[Path]:
    """Committed stubs that differ from their regeneration (missing ones included)."""
    return [a.stub for a in course.assignments if _committed(a.stub) != generate_stub(a)]


def write_stubs(course: Course) -> list[Path]:
    """Regenerate every stub; rewrite (atomically) those that changed, and return them."""
    generated = {a.stub: generate_stub(a) for a in course.assignments}  # all valid before any write
    changed = [path for path, text in generated.items() if _committed(path) != text]
    for path in changed:
        write_atomic(path, generated[path])
    return changed


def _committed(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def source_lines(text: str) -> list[str]:
    """Lines of Python source with their endings; only \\n ends a line (str.splitlines would also split at form feeds,
    which Python source treats as whitespace, and the line numbers would drift)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _ending(line: str) -> str:
    """The line's end-of-line characters (none on a last line without newline)."""
    return line[len(line.rstrip("\r\n")) :]


def _require_valid_python(stub: str, filename: str | Path) -> None:
    try:
        compile(stub, str(filename), "exec", dont_inherit=True)
    except SyntaxError as error:
        _fail(
            filename,
            error.lineno,
            f"the stub generated from it is not valid Python ({error.msg} at stub line {error.lineno})",
            "markers must enclose whole statements of one indented block",
        )


def _fail(filename: str | Path, line: int | None, problem: str, fix: str) -> NoReturn:
    where = f"{filename}:{line}" if line else str(filename)
    raise CourseError(f"{where}: {problem}", fix)
