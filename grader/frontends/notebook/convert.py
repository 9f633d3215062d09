"""A notebook's code cells as one Python module, graded like a ``.py`` file.

Code cells are taken in order; markdown and raw cells are left out. What plain Python cannot run
is skipped and reported: a cell that starts with a cell magic (``%%timeit``) is skipped whole; a
line magic (``%matplotlib inline``), a shell line (``!pip install …``) and their assigned forms
(``files = !ls``, ``t = %time f()``) become ``pass`` at the same indentation, so the lines around
them, and every line number, stay as they were. A line is only taken for a magic where a statement
starts (the tokenizer decides), never inside a string or a bracket.

The notebook's own feedback calls (``import grader``, ``grader.check("<id>")``) are left out without
a note: in a worker they would only try to start a grader inside the sandbox.

Each line of the module keeps its origin in a :class:`~grader.engine.lines.LineMap`.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass

from nbformat import NotebookNode

from grader.engine.lines import CellLine, LineMap
from grader.frontends.notebook.read import cell_source

# A magic or shell line, plain or assigned: "%time f()", "!ls", "files = !ls", "t = %timeit -o f()".
_MAGIC = re.compile(r"\s*(?:[%!]|[A-Za-z_][\w.,\[\] ]*=\s*[%!])")
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line breaks Python's compiler counts (str.splitlines has more)


@dataclass(frozen=True)
class Skipped:
    """A magic or shell line the grader left out."""

    cell: int
    """1-based position of its cell in the notebook."""
    line: int | None
    """1-based line in the cell; None when the whole cell was skipped (a ``%%`` cell magic)."""


@dataclass(frozen=True)
class NotebookModule:
    """The module made of a notebook's code cells."""

    text: str
    """Python source, one line per line of the code cells."""
    line_map: LineMap
    """Where each line came from."""
    skipped: tuple[Skipped, ...]
    """Magic and shell lines left out, in notebook order."""


def notebook_module(notebook: NotebookNode) -> NotebookModule:
    """The notebook's code cells as one module, with its line map and the lines skipped."""
    lines: list[str] = []
    origins: list[CellLine] = []
    skipped: list[Skipped] = []
    for position, cell in enumerate(notebook.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        cell_lines, cell_skipped = code_cell_lines(cell_source(cell), position)
        lines += cell_lines
        origins += [CellLine(position, number) for number in range(1, len(cell_lines) + 1)]
        skipped += cell_skipped
    text = "".join(line + "\n" for line in lines)
    return NotebookModule(text, LineMap(tuple(origins)), tuple(skipped))


def code_cell_lines(source: str, cell: int) -> tuple[list[str], list[Skipped]]:
    """The lines of one code cell as plain Python, and what was skipped in it."""
    lines = split_lines(source)
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        return [], [Skipped(cell, None)]
    candidates = [number for number, line in enumerate(lines, start=1) if _MAGIC.match(line)]
    # The magics themselves may not tokenize (a "$" in a shell line): then try without them.
    starts = statement_starts("\n".join(lines))
    if starts is None:
        starts = statement_starts("\n".join(_with_pass(lines, candidates)))
    magics = [number for number in candidates if starts is None or number in starts]
    lines = _with_pass(lines, magics)
    lines = _with_pass(lines, feedback_lines("\n".join(lines)), keep_indent=False)
    return lines, [Skipped(cell, number) for number in magics]


def split_lines(text: str) -> list[str]:
    """Lines as Python's compiler counts them (a final line break does not start a new line)."""
    lines = _NEWLINE.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def statement_starts(text: str) -> set[int] | None:
    """Lines on which a logical line (a statement) starts; None when the text does not tokenize."""
    starts: set[int] = set()
    at_start = True
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NEWLINE:
                at_start = True
            elif token.type not in (
                tokenize.NL,
                tokenize.COMMENT,
                tokenize.INDENT,
                tokenize.DEDENT,
                tokenize.ENDMARKER,
            ):
                if at_start:
                    starts.add(token.start[0])
                at_start = False
    except (tokenize.TokenError, SyntaxError):
        return None
    return starts


def feedback_lines(text: str) -> list[int]:
    """Lines holding only the grader's own feedback statements (top level); none if it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    feedback: set[int] = set()
    other: set[int] = set()
    for statement in tree.body:
        span = range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
        (feedback if _is_feedback(statement) else other).update(span)
    return sorted(feedback - other)


def _is_feedback(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Import):
        return all(alias.name.split(".")[0] == "grader" for alias in statement.names)
    if isinstance(statement, ast.ImportFrom):
        return (statement.module or "").split(".")[0] == "grader" and statement.level == 0
    value = statement.value if isinstance(statement, (ast.Expr, ast.Assign)) else None
    return isinstance(value, ast.Call) and _is_check_call(value)


def _is_check_call(call: ast.Call) -> bool:
    """``grader.check("<id>", ...)`` or ``check("<id>", ...)``: a string first means "grade this"."""
    function = call.func
    named = (
        isinstance(function, ast.Attribute)
        and function.attr == "check"
        and isinstance(function.value, ast.Name)
        and function.value.id == "grader"
    ) or (isinstance(function, ast.Name) and function.id == "check")
    first = call.args[0] if call.args else None
    return named and isinstance(first, ast.Constant) and isinstance(first.value, str)


def _with_pass(lines: list[str], numbers: Iterable[int], keep_indent: bool = True) -> list[str]:
    """``lines`` with the given (1-based) lines replaced by ``pass``.

    A magic keeps its indentation (it may be the body of a block); the lines of a top-level
    statement lose theirs (a continuation line's indentation would be an unexpected indent).
    """
    result = list(lines)
    for number in numbers:
        line = result[number - 1]
        indent = line[: len(line) - len(line.lstrip())] if keep_indent else ""
        result[number - 1] = indent + "pass"
    return result
