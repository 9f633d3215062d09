"""What a front end hands the engine for one assignment: the code to grade, or why there is none.

Finding a student's files and reading them (a ``.py`` file, a notebook turned into a module) is the
front ends' business (:mod:`grader.frontends.submission`); the engine sees only this.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.engine.lines import LineMap
from grader.engine.unusable import Unusable
from grader.i18n import Msg


@dataclass(frozen=True)
class Source:
    """A submission's code, ready for the worker."""

    text: str
    """The Python source."""
    filename: str
    """The name tracebacks and annotations use."""
    line_map: LineMap | None = None
    """For a notebook: where each line of ``text`` is in the notebook (None for a .py file)."""
    notes: tuple[Msg, ...] = ()
    """What the report should tell the student about how the file was read (skipped magics, …)."""


@dataclass(frozen=True)
class NoSource:
    """An assignment with nothing to grade: no file, the unchanged stub, an unreadable file, two answers."""

    problem: Unusable
    """Why, and what to do (every check fails without running, summed up in one row)."""
    file: str = ""
    """The file shown in the report ("" when there is none)."""
    notes: tuple[Msg, ...] = ()
    """What the student should know about how the file was chosen."""
    submitted: bool = True
    """False when the student handed in nothing of their own (no file, the unchanged stub, an empty file)."""


Submitted = Source | NoSource
"""One assignment's part of a submission, as the engine grades it."""
