"""The grading engine: a course, options and a student's sources in, a :class:`GradeReport` out.

One :class:`Grader` serves every front end (``grader grade``, ``grader batch``, ``--watch``, ``grader
check`` and its mutants, ``grader.check()`` in a notebook) with one signature. For each assignment it
loads the checks (and the reference, when hidden checks run) in the trusted parent, starts the
submission in a sandboxed worker, runs every check, and collects the results; one broken submission
or crashing worker never stops the other assignments. Finding and reading the student's files is the
front ends' part (:mod:`grader.frontends.submission`); results remembered across submissions are
a :class:`ResultCache` a front end may supply (a batch does).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Protocol

from grader.course import Assignment, Course
from grader.engine import hidden
from grader.engine.checks.budget import Budget, budget_seconds
from grader.engine.checks.coursecode import CourseCode
from grader.engine.checks.registry import CheckSpec
from grader.engine.checks.runner import CheckContext
from grader.engine.checks.schedule import Progress, run_checks
from grader.engine.checks.signatures import Signatures
from grader.engine.groups import check_groups
from grader.engine.lines import relocate_result
from grader.engine.results import AssignmentResult, CheckResult, GradeReport
from grader.engine.scoring import apply_penalty, assignment_totals, grade_report, lateness
from grader.engine.source import NoSource, Source, Submitted
from grader.engine.start import start
from grader.engine.unusable import Unusable
from grader.errors import CourseError, UsageError
from grader.i18n import Msg, render, resolve_language
from grader.sandbox.launcher import Launcher
from grader.sandbox.limits import Limits
from grader.sandbox.session import StudentSession

MAX_ASSIGNMENT_THREADS = 4
_TEXT_FIELDS = ("message", "hint", "output", "traceback")


@dataclass(frozen=True, kw_only=True)
class GradeOptions:
    """How to grade: the one options type of every front end (a batch adds only what is its own)."""

    assignment_ids: tuple[str, ...] = ()
    """Assignments to grade; empty means all of the course's."""
    public_only: bool = False
    """Skip hidden checks even when solutions/ is present."""
    timeout: float | None = None
    """Override of every check's time limit, in seconds."""
    language: str | None = "en"
    """Language of the messages; None: the course's, then the locale's (as when ``--lang`` is left out)."""
    submitted_at: datetime | None = None
    """When the submission was made (for late penalties); None means on time."""
    fail_fast: bool = False
    """Stop an assignment at its first check that loses points (the rest are not run or reported)."""
    checks: tuple[str, ...] = ()
    """Run only these checks of each assignment (by name); empty means all of them."""
    progress: Progress | None = dataclasses.field(default=None, compare=False, repr=False)
    """Told how far each assignment has got (the terminal's status line); it changes no result."""


@dataclass(frozen=True)
class LoadedAssignment:
    """An assignment's trusted code, loaded once in the parent to grade any number of submissions."""

    assignment: Assignment
    """The assignment."""
    checks: tuple[CheckSpec, ...]
    """Its public checks, then its hidden ones when they run (only ``GradeOptions.checks``, when given)."""
    reference: ModuleType | None
    """The reference solution (None when hidden checks do not run)."""
    signatures: Signatures = dataclasses.field(default_factory=dict)
    """Parameter names of its functions, for messages that write out a call."""


@dataclass(frozen=True)
class CheckedSource:
    """What the checks made of one submission file, before scores and late penalties."""

    results: tuple[CheckResult, ...]
    """Every check's result."""
    error: str | None
    """Why the file could not be used at all (it failed to import), if so."""
    filename: str
    """The file name its messages and tracebacks use."""
    machine_dependent: bool = False
    """A worker timed out, crashed or was killed, or the time budget ran out: the results depend on the
    machine, not only on the code."""

    def renamed(self, filename: str) -> CheckedSource:
        """The same results for an identical file named ``filename``: its name put wherever the file is named."""
        old = self.filename
        if old == filename:
            return self
        error = self.error.replace(old, filename) if self.error is not None else None
        return CheckedSource(tuple(_renamed(result, old, filename) for result in self.results), error, filename)


class ResultCache(Protocol):
    """Results of files graded before, for a file whose text and grading are the same (a batch supplies one).

    Keys are computed by the engine (:meth:`Grader.fingerprint`); results that depend on the machine
    are never put.
    """

    def get(self, key: str) -> CheckedSource | None:
        """The results stored under ``key``, if any."""

    def put(self, key: str, checked: CheckedSource) -> None:
        """Remember ``checked`` under ``key``."""


class Grader:
    """Grades submissions against one course with one set of options.

    ``launcher`` starts the sandboxed workers; ``code`` supplies checks and references (by default
    loaded afresh; a batch passes one that keeps them loaded and memoizes the reference); ``cache``
    remembers results for identical files. Assignments are graded side by side in threads unless
    ``parallel`` is off (a batch parallelises across students in processes instead). Thread-safe.
    """

    def __init__(
        self,
        course: Course,
        options: GradeOptions,
        *,
        launcher: Launcher,
        code: CourseCode | None = None,
        cache: ResultCache | None = None,
        parallel: bool = True,
    ) -> None:
        self.course, self.launcher = course, launcher
        self.language = resolve_language(options.language, course.language)
        """The language of every message (``options.language``, or the course's, or the locale's)."""
        self.options = dataclasses.replace(options, language=self.language)
        self.code = code or CourseCode()
        self.cache, self.parallel = cache, parallel
        self.assignments = select_assignments(course, options.assignment_ids)
        self.hidden = hidden.runs_hidden_checks(course, options.public_only)
        self._loaded: dict[str, LoadedAssignment] = {}
        self._lock = threading.Lock()

    @property
    def assignment_ids(self) -> list[str]:
        """The assignments this grader grades, in course order."""
        return [assignment.id for assignment in self.assignments]

    def grade(self, submission: Mapping[str, Submitted]) -> GradeReport:
        """The report of ``submission``: each graded assignment's source (or why it has none)."""
        started = time.perf_counter()
        results = _map(
            lambda assignment: self.grade_assignment(assignment, submission[assignment.id]),
            self.assignments,
            self.parallel,
        )
        duration = round(time.perf_counter() - started, 3)
        return grade_report(results, self.hidden, self.language, duration, self.course.autograder, self.launcher.layers)

    def grade_assignment(self, assignment: Assignment, submitted: Submitted) -> AssignmentResult:
        """One assignment's result (a front end that regrades one assignment at a time calls this)."""
        loaded = self.loaded(assignment)
        if isinstance(submitted, NoSource):
            return self._unusable(assignment, list(loaded.checks), submitted)
        checked = self._checked(loaded, submitted)
        return self._result(assignment, list(checked.results), checked.error, submitted.filename, submitted.notes)

    def loaded(self, assignment: Assignment) -> LoadedAssignment:
        """The checks (and, for hidden checks, the reference) of ``assignment``, loaded once."""
        with self._lock:
            if assignment.id not in self._loaded:
                self._loaded[assignment.id] = self._load(assignment)
            return self._loaded[assignment.id]

    def budget_s(self, loaded: LoadedAssignment) -> float:
        """Seconds the assignment's checks may take together (see :mod:`grader.engine.checks.budget`)."""
        return budget_seconds(loaded.assignment.limits, (spec.timeout for spec in loaded.checks), self.options.timeout)

    def fingerprint(self, loaded: LoadedAssignment, source: Source) -> str:
        """What the results of grading ``source`` depend on besides the course: its text, a notebook's line
        map (which cell each line came from) and the settings that change which checks run and what they say."""
        settings = {
            "checks": [spec.name for spec in loaded.checks],
            "hidden": loaded.reference is not None,
            "language": self.language,
            "timeout": self.options.timeout,
            "fail_fast": self.options.fail_fast,
        }
        parts = [
            loaded.assignment.id,
            source.text,
            repr(source.line_map),
            json.dumps(settings, sort_keys=True, default=str),
        ]
        digest = hashlib.sha256()
        for part in parts:
            encoded = part.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "little") + encoded)
        return digest.hexdigest()

    # -- one assignment --------------------------------------------------------------------------------
    def _load(self, assignment: Assignment) -> LoadedAssignment:
        hidden_checks = self.hidden and assignment.solution_dir.is_dir()
        checks = tuple(self.code.checks(assignment, include_hidden=hidden_checks))
        if self.options.checks:
            checks = tuple(spec for spec in checks if spec.name in self.options.checks)
        return LoadedAssignment(
            assignment, checks, self._reference(assignment) if hidden_checks else None, self.code.signatures(assignment)
        )

    def _reference(self, assignment: Assignment) -> ModuleType:
        if not assignment.has_solutions:
            raise CourseError(
                f"{assignment.solution_dir}: hidden checks need the reference {assignment.reference.name}",
                f"add solutions/{assignment.id}/{assignment.id}.py, or grade with --public-only",
            )
        return self.code.reference(assignment)

    def _checked(self, loaded: LoadedAssignment, source: Source) -> CheckedSource:
        """The checks' results for ``source``: those of an identical file graded before, if known."""
        if self.cache is None:
            return self._check(loaded, source)
        key = self.fingerprint(loaded, source)
        known = self.cache.get(key)
        if known is not None:
            return known.renamed(source.filename)
        checked = self._check(loaded, source)
        if not checked.machine_dependent:
            self.cache.put(key, checked)
        return checked

    def _check(self, loaded: LoadedAssignment, source: Source) -> CheckedSource:
        """Run every check of ``loaded`` against ``source`` in a fresh worker."""
        assignment, checks, language = loaded.assignment, list(loaded.checks), self.language
        limits = assignment.limits
        session = StudentSession(
            self.launcher, source.text, source.filename, assignment.id, _limits(assignment), limits.import_timeout
        )
        try:
            problem = start(session, source, language, limits.memory_mb)
            if problem is not None:
                return CheckedSource(
                    problem.results(checks, language), problem.error(language), source.filename, session.failures > 0
                )
            budget = Budget.start(self.budget_s(loaded))
            context = CheckContext(
                session=session,
                reference=loaded.reference,
                seed=self.course.seed,
                assignment_id=assignment.id,
                default_timeout=limits.timeout,
                memory_mb=limits.memory_mb,
                language=language,
                budget=budget,
                signatures=loaded.signatures,
            )
            results = run_checks(
                [self._with_timeout(spec) for spec in checks], context, self.options.fail_fast, self.options.progress
            )
        finally:
            session.close()
        if source.line_map is not None:
            results = [relocate_result(source.line_map, result, source.filename, language) for result in results]
        # A spent budget, like a killed worker, depends on the machine's speed as much as on the code.
        machine_dependent = session.failures > 0 or budget.left_s() <= 0
        return CheckedSource(tuple(results), None, source.filename, machine_dependent=machine_dependent)

    def _unusable(self, assignment: Assignment, checks: list[CheckSpec], nothing: NoSource) -> AssignmentResult:
        problem: Unusable = nothing.problem
        results = list(problem.results(checks, self.language))
        return self._result(
            assignment, results, problem.error(self.language), nothing.file, nothing.notes, nothing.submitted
        )

    def _result(
        self,
        assignment: Assignment,
        results: list[CheckResult],
        error: str | None,
        file: str,
        notes: Sequence[Msg],
        submitted: bool = True,
    ) -> AssignmentResult:
        language = self.language
        raw_score, max_score = assignment_totals(results)
        late = lateness(assignment.late_policy, assignment.due, self.options.submitted_at)
        return AssignmentResult(
            id=assignment.id,
            title=render(assignment.title, language),
            checks=tuple(results),
            score=apply_penalty(raw_score, late),
            max_score=max_score,
            raw_score=raw_score,
            days_late=late.days_late,
            penalty_percent=late.penalty_percent,
            error=error,
            file=file,
            notes=tuple(render(note, language) for note in notes),
            submitted=submitted,
            groups=check_groups(results, unusable=error is not None, language=language),
        )

    def _with_timeout(self, spec: CheckSpec) -> CheckSpec:
        return dataclasses.replace(spec, timeout=self.options.timeout) if self.options.timeout else spec


def select_assignments(course: Course, ids: Sequence[str]) -> list[Assignment]:
    """The assignments named by ``ids`` (all of them when empty), in course order."""
    known = {a.id for a in course.assignments}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UsageError(
            f"unknown assignment {', '.join(map(repr, unknown))}", f"choose from: {', '.join(sorted(known))}"
        )
    return [a for a in course.assignments if not ids or a.id in ids]


def _map(
    grade_one: Callable[[Assignment], AssignmentResult], assignments: list[Assignment], parallel: bool
) -> list[AssignmentResult]:
    """Grade assignments, in course order; in parallel threads when asked.

    Most of a check's time is spent waiting for its worker (the GIL is released while waiting), so
    assignments graded side by side keep both cores busy: the bundled course grades in about half the time.
    """
    if not parallel or len(assignments) < 2:
        return [grade_one(assignment) for assignment in assignments]
    with ThreadPoolExecutor(max_workers=min(len(assignments), MAX_ASSIGNMENT_THREADS)) as pool:
        return list(pool.map(grade_one, assignments))


def _limits(assignment: Assignment) -> Limits:
    settings = assignment.limits
    return Limits(
        cpu_s=settings.cpu_s,
        memory_mb=settings.memory_mb,
        file_size_mb=settings.file_size_mb,
        output_kb=settings.output_kb,
    )


def _renamed(result: CheckResult, old: str, new: str) -> CheckResult:
    """``result`` with the file name ``old`` replaced by ``new`` wherever the student's file is named."""
    changes = {name: getattr(result, name).replace(old, new) for name in _TEXT_FIELDS if old in getattr(result, name)}
    return dataclasses.replace(result, **changes) if changes else result
