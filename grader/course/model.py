"""The course as typed objects: what course.yaml says, resolved against the course folder."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeAlias


class Translations(Mapping[str, str]):
    """One text in several languages (``{"en": ..., "ko": ...}``), immutable and hashable like the rest of
    the course (a Course is a cache key); :func:`grader.i18n.render` picks the run's language."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = dict(texts)

    def __getitem__(self, language: str) -> str:
        return self._texts[language]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __hash__(self) -> int:
        return hash(frozenset(self._texts.items()))

    def __repr__(self) -> str:
        return f"Translations({self._texts!r})"


CourseText: TypeAlias = str | Translations
"""A text course.yaml gives students: one string for every language, or one per language."""


@dataclass(frozen=True, kw_only=True)
class LimitSettings:
    """Time and resource limits for graded code (course-wide defaults, overridable per assignment)."""

    timeout: float = 10.0
    """Seconds the student's code may take within one check."""
    import_timeout: float = 10.0
    """Seconds the student's module may take to import."""
    memory_mb: int = 1024
    """Address-space limit of a worker, in MiB."""
    cpu_s: int = 120
    """CPU seconds for one worker's whole life."""
    output_kb: int = 64
    """Captured output kept per check, in KiB."""
    file_size_mb: int = 16
    """Largest file graded code may write, in MiB."""
    assignment_timeout: float | None = None
    """Seconds all of an assignment's checks may take together (wall clock); None means six times the
    longest time limit of a check (see :mod:`grader.engine.checks.budget`)."""


@dataclass(frozen=True)
class LatePolicy:
    """How a late submission loses points; with neither field set, lateness costs nothing."""

    percent_per_day: float = 0.0
    """Percent of the raw score taken off per started day after the due date (capped at 100)."""
    zero_after: datetime | None = None
    """From this instant on, a submission scores zero."""


@dataclass(frozen=True)
class PublishedLine:
    """A solution line students may see on purpose (course.yaml ``published_solution_lines``)."""

    line: str
    """The line as written in the reference's solution block (spacing and comments do not matter)."""
    reason: str
    """Why students may see it; ``grader publish`` shows it next to every place the line appears."""


CHECKS_COMMON = "checks_common.py"
"""assignments/<id>/checks_common.py: what an assignment's public and hidden check files share (helpers,
inputs, hints); imported by both as ``from .checks_common import ...``, never a check file itself."""


@dataclass(frozen=True, kw_only=True)
class Assignment:
    """One assignment of the course."""

    id: str
    """A Python identifier; the folders and the module are named after it."""
    title: CourseText
    """Shown in reports, in the run's language (one string, or one per language)."""
    limits: LimitSettings
    """Limits in force for this assignment."""
    public_dir: Path
    """assignments/<id>/: the stub, the README and the public checks."""
    solution_dir: Path
    """solutions/<id>/: the reference and the hidden checks (absent in a student release)."""
    due: datetime | None = None
    """When the assignment is due (timezone-aware), or None."""
    late_policy: LatePolicy = LatePolicy()
    """What lateness costs."""
    submit: str | None = None
    """``py`` or ``ipynb``: the file graded when both <id>.py and <id>.ipynb differ from the published stub
    (None: the student is asked to choose)."""
    published_solution_lines: tuple[PublishedLine, ...] = ()
    """Solution lines the student release may contain (instructor-only: never published itself)."""

    @property
    def stub(self) -> Path:
        return self.public_dir / f"{self.id}.py"

    @property
    def reference(self) -> Path:
        return self.solution_dir / f"{self.id}.py"

    @property
    def public_check_files(self) -> list[Path]:
        return sorted(path for path in self.public_dir.glob("checks*.py") if path.name != CHECKS_COMMON)

    @property
    def checks_common(self) -> Path:
        """The module the check files share (it may not exist); public: students run the public checks."""
        return self.public_dir / CHECKS_COMMON

    @property
    def public_check_code(self) -> list[Path]:
        """What students get of the checks: the public check files and, if there is one, the module they share."""
        return self.public_check_files + ([self.checks_common] if self.checks_common.is_file() else [])

    @property
    def hidden_check_files(self) -> list[Path]:
        return sorted(self.solution_dir.glob("checks*.py"))

    @property
    def has_solutions(self) -> bool:
        return self.reference.is_file()


@dataclass(frozen=True)
class AutograderSettings:
    """How an autograder platform shows results (course.yaml ``autograder:``; instructor-only)."""

    hidden_visibility: str = "after_published"
    """Gradescope visibility of hidden checks: hidden, after_due_date, after_published or visible."""
    stdout_visibility: str = "hidden"
    """Gradescope visibility of the grader's output."""


VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
SUBMIT_CHOICES = ("py", "ipynb")


@dataclass(frozen=True, kw_only=True)
class Course:
    """A course folder with its course.yaml."""

    root: Path
    """The folder holding course.yaml."""
    title: CourseText
    """The course's name (one string, or one per language)."""
    seed: int
    """Base of every check's random seed."""
    language: str | None
    """Default language of student messages (en or ko), or None to follow the locale."""
    assignments: tuple[Assignment, ...]
    """In the order course.yaml lists them."""
    autograder: AutograderSettings = AutograderSettings()
    """Presentation settings for autograder platforms."""

    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions"

    @property
    def instructor_only(self) -> list[Path]:
        """Folders graded code must never read (the sandbox's denied roots)."""
        return [self.solutions_dir]

    def assignment(self, assignment_id: str) -> Assignment:
        for assignment in self.assignments:
            if assignment.id == assignment_id:
                return assignment
        raise KeyError(assignment_id)
