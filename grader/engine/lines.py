"""The one place that maps lines of a notebook's generated module back to cells.

The worker compiles the notebook's code as one module under the notebook's file name, so its
tracebacks and syntax errors say ``File "x.ipynb", line 17``. The parent holds the :class:`LineMap`
it built when it converted the notebook, and rewrites those places into ``x.ipynb, cell 3, line 2``.
The worker's text is untrusted: the only thing taken from it is the line number, matched right
after the exact file name the parent chose, and looked up in the parent's own map. A number that is
not a line of the notebook's code is left as the worker wrote it.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass

from grader.engine.results import CheckResult
from grader.i18n import Msg, msg, render
from grader.sandbox.errors import StudentError


@dataclass(frozen=True)
class CellLine:
    """A place in a notebook, as a student finds it."""

    cell: int
    """1-based position of the cell among all the notebook's cells (markdown cells count too)."""
    line: int
    """1-based line within the cell."""


@dataclass(frozen=True)
class LineMap:
    """Where each line of the generated module came from."""

    origins: tuple[CellLine | None, ...]
    """``origins[n - 1]`` is the origin of module line ``n`` (None for a line the grader added)."""

    def locate(self, line: int) -> CellLine | None:
        """The cell and line of module line ``line``, or None when it is not a line of the notebook."""
        if 1 <= line <= len(self.origins):
            return self.origins[line - 1]
        return None

    def where(self, filename: str, line: int, language: str) -> str | None:
        """``x.ipynb, cell 3, line 2`` in ``language`` for module line ``line`` (None when unknown)."""
        origin = self.locate(line)
        if origin is None:
            return None
        return render(msg("notebook.location", file=filename, cell=origin.cell, line=origin.line), language)

    def rewrite(self, text: str, filename: str, language: str) -> str:
        """``text`` with every ``File "<filename>", line N`` and ``<filename>, line N`` put in cell terms.

        A SyntaxError's own text names only the file's base name (``invalid syntax (x.ipynb, line 4)``),
        so that form is matched too.
        """
        names = [re.escape(name) for name in dict.fromkeys((filename, os.path.basename(filename)))]
        # At most 9 digits: a line number is all the worker is trusted for, and a bounded one.
        # Not inside a longer name or another folder's file of the same name.
        pattern = re.compile(
            r'(?<![\w./-])(?:File "' + re.escape(filename) + r'"|' + "|".join(names) + r"), line (\d{1,9})\b"
        )

        def replace(match: re.Match[str]) -> str:
            return self.where(filename, int(match.group(1)), language) or match.group(0)

        return pattern.sub(replace, text)


def relocate_result(line_map: LineMap, result: CheckResult, filename: str, language: str) -> CheckResult:
    """A check's result with its message and traceback in cell terms.

    ``line`` becomes None: a notebook has no single line number that means anything to a reader of
    the file (the message and traceback carry the cell and the line in it).
    """
    return dataclasses.replace(
        result,
        message=line_map.rewrite(result.message, filename, language),
        traceback=line_map.rewrite(result.traceback, filename, language),
        line=None,
    )


def import_problem(line_map: LineMap, error: StudentError, filename: str, language: str) -> tuple[Msg, Msg]:
    """The message and hint for a notebook whose code failed while it was being run as a module."""
    original = str(error)
    text = line_map.rewrite(original, filename, language)
    origin = line_map.locate(error.line) if error.line is not None else None
    hint = msg("notebook.import_failed_hint")
    if origin is None or text != original:  # a SyntaxError's text already names the place
        return msg("notebook.import_failed", error=text), hint
    return msg("notebook.import_failed_at", error=text, cell=origin.cell, line=origin.line), hint
