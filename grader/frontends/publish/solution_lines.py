"""The solution lines a student release must not show, and where a text shows one anyway.

A line of a ``# BEGIN SOLUTION`` block leaks when its *computing part* appears anywhere in the release:
in a README, a notebook cell, a public check's code, or one of its strings (hints and descriptions,
with implicitly concatenated literals joined). Texts are compared as token sequences, so spacing and
line breaks do not matter (``dW += h.T@da`` is ``dW += h.T @ da``) but token boundaries do
(``x * err`` is not found in ``max * error``).

The computing part of a line (its *core*) is what follows ``return``, the right-hand side of an
assignment (``=``, ``+=`` and the like), or else the whole line. A line is **trivial**, and never
compared, when its core computes nothing: no operator, subscript or comprehension, and no number or
string (``axis=0`` and an ``einsum`` spec are content) — names, ``None``/``True``/``False``, tuples and
calls of functions with such arguments only say how the documented functions are called
(``return dx, dw, db``, ``self.w = None``, ``Q, K, V = project_qkv(X, W_q, W_k, W_v)``,
``dx = np.zeros_like(x)``, ``x = np.asarray(x, dtype=float)``, ``else:``).
A core of at most three tokens is trivial too (``a + b``, ``x * err``: such a formula is the definition
the docstring states anyway). Comments are dropped first.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass

from grader.course import Assignment
from grader.course.markers import solution_blocks, source_lines

# ASCII words and numbers are tokens; every other visible character is a token of its own (so Korean
# text glued to a formula, "dZ이고", still ends the formula at "dZ").
_TOKEN = re.compile(r"[A-Za-z0-9_]+|[^\sA-Za-z0-9_]")
_COMPUTING = (
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.BoolOp,
    ast.Subscript,
    ast.Lambda,
    ast.IfExp,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.JoinedStr,
)
_CONTENT_CONSTANTS = (int, float, complex, str, bytes)
"""Constants that say something (``type(True)`` is bool, so True, False and None do not)."""
_SHORTEST = 4
"""Cores of fewer tokens are trivial."""


@dataclass(frozen=True)
class SolutionLine:
    """A non-trivial line of a reference's solution blocks."""

    text: str
    """The line as written (stripped, without its comment)."""
    core: tuple[str, ...]
    """The tokens of its computing part, the sequence searched for."""
    origin: str
    """Where it is (``solutions/conv/conv.py:88``)."""


@dataclass(frozen=True)
class Sighting:
    """A solution line found in a text."""

    line: SolutionLine
    where: int
    """The text's line number where the match starts."""


def solution_lines(assignment: Assignment, origin_root: str) -> list[SolutionLine]:
    """The non-trivial lines of the reference's solution blocks (``origin_root``: how the course root is shown)."""
    text = assignment.reference.read_text(encoding="utf-8")
    blocks = solution_blocks(text, assignment.reference)
    lines = _without_comments(text)
    origin = f"{origin_root}solutions/{assignment.id}/{assignment.reference.name}"
    found = []
    for number, line in enumerate(lines, start=1):
        if any(block.begin < number < block.end for block in blocks):
            core = core_tokens(line)
            if core is not None:
                found.append(SolutionLine(line.strip(), core, f"{origin}:{number}"))
    return found


def core_tokens(line: str) -> tuple[str, ...] | None:
    """The tokens of the line's computing part, or None when the line is trivial (see the module doc)."""
    statement = _statement(line.strip())
    if statement is None:  # a piece of a statement spread over several lines: the line as it is
        core, computes = line.strip(), bool(re.search(r"[-+*/@%<>~&|^\[0-9'\"]", line))
    else:
        core, computes = _core(statement, line.strip())
    tokens = tokens_of(core)
    return tokens if computes and len(tokens) >= _SHORTEST else None


def tokens_of(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text))


def sightings(text: str, lines: list[SolutionLine]) -> Iterator[Sighting]:
    """Every place where ``text`` shows the core of one of ``lines``, with the text's line where it starts."""
    tokens: list[str] = []
    token_lines: list[int] = []
    for number, row in enumerate(text.split("\n"), start=1):
        row_tokens = _TOKEN.findall(row)
        tokens += row_tokens
        token_lines += [number] * len(row_tokens)
    joined = " " + " ".join(tokens) + " "
    starts = _token_starts(tokens)
    for line in lines:
        pattern = " " + " ".join(line.core) + " "
        at = joined.find(pattern)
        while at >= 0:
            yield Sighting(line, token_lines[starts[at]])
            at = joined.find(pattern, at + 1)


def python_strings(source: str) -> list[tuple[int, str]]:
    """(line, value) of every string in Python ``source``, implicitly concatenated literals joined and the
    constant parts of f-strings each on their own (an unparsable file has none)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _statement(line: str) -> ast.stmt | None:
    """The line parsed as one statement; a compound statement's header gets a body so that it parses."""
    for candidate in (line, f"{line} pass" if line.endswith(":") else None):
        if candidate is None:
            continue
        try:
            body = ast.parse(candidate).body
        except SyntaxError:
            continue
        if len(body) == 1:
            return body[0]
    return None


def _core(statement: ast.stmt, line: str) -> tuple[str, bool]:
    """(the text of the computing part, whether it computes anything)."""
    value = statement.value if isinstance(statement, (ast.Return, ast.Assign, ast.AnnAssign, ast.AugAssign)) else None
    if value is None:
        return line, _computes(statement)
    segment = ast.get_source_segment(line, value) or ""
    return segment, _computes(value)


def _computes(node: ast.AST) -> bool:
    return any(
        isinstance(child, _COMPUTING) or (isinstance(child, ast.Constant) and type(child.value) in _CONTENT_CONSTANTS)
        for child in ast.walk(node)
    )


def _without_comments(text: str) -> list[str]:
    """The lines of Python ``text`` with their comments cut off (strings containing # are left alone)."""
    lines = [line.rstrip("\r\n") for line in source_lines(text)]
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                row, column = token.start
                lines[row - 1] = lines[row - 1][:column]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # the reference compiles (the stub check says so); a fragment keeps its comments
    return lines


def _token_starts(tokens: list[str]) -> dict[int, int]:
    """Character offset (in the space-joined text, after its leading space) -> index of the token starting there."""
    starts, offset = {}, 0
    for index, token in enumerate(tokens):
        starts[offset] = index
        offset += len(token) + 1
    return starts
