"""The result model every reporter renders: checks, assignments, the whole grade.

Small frozen dataclasses; scores are computed once, by :mod:`grader.engine.scoring`, when results are built,
so a reporter only ever formats what is here.

Their text is inert by construction: every text field passes through :mod:`grader.safetext` when a
result is made, so no control character, escape sequence or bidi override in a student's message,
output, type name or file name can reach any renderer (terminal, JSON, Gradescope, JUnit, GitHub,
notebook, batch records), however the text got in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from grader.course.model import AutograderSettings
from grader.safetext import safe_line, safe_text
from grader.sandbox.layers import SandboxLayers

Status = Literal["passed", "failed", "error", "timeout", "not_run"]
Visibility = Literal["public", "hidden"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "error", "timeout", "not_run")


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """The outcome of one check."""

    name: str
    """The check's name (unique within its assignment)."""
    description: str
    """One line saying what the check verifies (its docstring), may be empty."""
    score: float
    """Points earned: ``max_score`` when passed, else 0."""
    max_score: float
    """Points the check is worth."""
    status: Status
    """passed; failed (wrong answer); error (the code raised, crashed or returned unusable data); timeout;
    not_run (not attempted because something it needs failed first: the message says what). Only
    passed earns points."""
    visibility: Visibility
    """public (students can run it) or hidden (runs only where solutions/ is present)."""
    message: str = ""
    """What is wrong, in one line, in the report's language (empty when passed)."""
    hint: str = ""
    """What to look at to fix it (may be empty)."""
    duration_s: float = 0.0
    """Wall-clock seconds the check took."""
    output: str = ""
    """What the student's code printed during the check (capped)."""
    traceback: str = ""
    """The student's traceback, trimmed to the student's own frames, when their code raised."""
    line: int | None = None
    """Line of the student's file most related to the failure, when known."""
    not_implemented: str = ""
    """The student's function that still raises NotImplementedError, when that failed the check."""
    blocked_by: str = ""
    """For a check not run because a check it depends on failed: that check (the one to fix)."""

    def __post_init__(self) -> None:
        _make_inert(
            self,
            lines=("name", "not_implemented", "blocked_by"),
            texts=("description", "message", "hint", "output", "traceback"),
        )


@dataclass(frozen=True, kw_only=True)
class CheckGroup:
    """Checks that lost their points for one shared reason (the file did not import; functions still
    raise NotImplementedError), which the human formats show as one row instead of one per check."""

    checks: tuple[str, ...]
    """The names of its checks, in report order."""
    status: Status
    """The status its row shows."""
    score: float
    """Points its checks earned (0)."""
    max_score: float
    """Points its checks are worth together."""
    message: str
    """The shared reason, in one line, in the report's language."""
    hint: str = ""
    """What to do about it."""
    line: int | None = None
    """Line of the student's file it points at, when known."""

    def __post_init__(self) -> None:
        _make_inert(self, lines=(), texts=("message", "hint"))


@dataclass(frozen=True, kw_only=True)
class AssignmentResult:
    """The outcome of one assignment."""

    id: str
    """The assignment id from course.yaml."""
    title: str
    """Its title."""
    checks: tuple[CheckResult, ...]
    """Every check, public ones first, in definition order."""
    score: float
    """Points earned, after any late penalty."""
    max_score: float
    """Points possible."""
    raw_score: float = 0.0
    """Points earned by the checks, before any late penalty."""
    days_late: int = 0
    """Started days after the due date (0 when on time or unknown)."""
    penalty_percent: float = 0.0
    """Percent of the raw score taken off for lateness."""
    error: str | None = None
    """Why the submission could not be graded at all (missing file, syntax error, failed import): one
    line, then for an error in the file the line of the file it points at (and a caret under the
    column of a syntax error)."""
    file: str = ""
    """The submission file graded, as shown to the student."""
    notes: tuple[str, ...] = ()
    """What the student should know about how the file was read (skipped notebook magics, which of
    <id>.py and <id>.ipynb was graded), in the report's language."""
    groups: tuple[CheckGroup, ...] = ()
    """Checks summarised as one row each by the human formats (each check is in ``checks`` too)."""
    submitted: bool = True
    """False when the student handed in nothing of their own: no file, only the unchanged published
    stub, or an empty file (``error`` says which). Such an assignment scores zero."""

    def __post_init__(self) -> None:
        _make_inert(self, lines=("id", "title", "file"), texts=("error",))
        object.__setattr__(self, "notes", tuple(safe_text(note) for note in self.notes))


@dataclass(frozen=True, kw_only=True)
class GradeReport:
    """A whole grading run."""

    assignments: tuple[AssignmentResult, ...]
    """One result per graded assignment, in course order."""
    score: float
    """Sum of the assignment scores."""
    max_score: float
    """Sum of the assignments' possible points."""
    hidden_ran: bool
    """Whether hidden checks were part of this run."""
    language: str = "en"
    """Language of the messages."""
    duration_s: float = 0.0
    """Wall-clock seconds of the whole run."""
    checks_by_status: dict[str, int] = field(default_factory=dict)
    """How many checks ended in each status."""
    autograder: AutograderSettings = AutograderSettings()
    """The course's presentation settings for autograder platforms (Gradescope visibility)."""
    sandbox: SandboxLayers | None = None
    """The fences the student's code ran behind (None when no code ran)."""

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


def _make_inert(
    result: CheckResult | CheckGroup | AssignmentResult, lines: tuple[str, ...], texts: tuple[str, ...]
) -> None:
    """Replace the one-line fields ``lines`` and the multi-line fields ``texts`` (None stays None) of a
    frozen ``result`` by their inert forms."""
    for name in lines:
        object.__setattr__(result, name, safe_line(getattr(result, name)))
    for name in texts:
        value = getattr(result, name)
        if value is not None:
            object.__setattr__(result, name, safe_text(value))
