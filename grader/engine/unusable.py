"""Why no check can run on a submission, said once: the problem, its hint, and the line it points at.

A missing or unreadable file, an invalid notebook, or a module that fails to import stops every check
of the assignment. The assignment's error says why once, with the student's line and (for a syntax
error) a caret under its column; every check keeps a one-line message for the machine formats, and
the human formats show the checks as one row (:mod:`grader.engine.groups`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grader.engine.checks.registry import CheckSpec
from grader.engine.checks.runner import failed_without_running
from grader.engine.results import CheckResult
from grader.i18n import Msg, render


@dataclass(frozen=True)
class Unusable:
    """Why no check could run."""

    message: Msg
    """The problem, in one line."""
    hint: Msg
    """What to do about it."""
    quoted: str = ""
    """The line of the file it points at, with a caret under a syntax error's column ("" when none)."""
    line: int | None = None
    """That line's number in a ``.py`` file (a notebook's place is in the message, in cell terms)."""

    def error(self, language: str) -> str:
        """The assignment's error: the message, then the quoted line."""
        message = render(self.message, language)
        return f"{message}\n{self.quoted}" if self.quoted else message

    def results(self, checks: Sequence[CheckSpec], language: str) -> tuple[CheckResult, ...]:
        """Every check failed without running, each with the one-line message."""
        return tuple(failed_without_running(spec, self.message, self.hint, language, self.line) for spec in checks)
