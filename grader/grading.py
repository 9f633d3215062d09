"""The grading pipeline: course and submission in, :class:`GradeReport` out.

For each assignment: load its checks (and reference, when hidden checks run) in the trusted parent,
start the submission in a sandboxed worker, run every check, and collect the results. One broken
submission or crashing worker never stops the other assignments.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from grader import hidden
from grader.checks.budget import Budget, budget_seconds
from grader.checks.coursecode import CourseCode
from grader.checks.registry import CheckSpec
from grader.checks.runner import CheckContext, crash_problem, timeout_problem
from grader.checks.schedule import Progress, run_checks
from grader.course import Assignment, Course
from grader.errors import CourseError, UsageError
from grader.groups import check_groups
from grader.i18n import Msg, msg, render
from grader.notebook.errors import NotebookError
from grader.notebook.lines import relocate_result
from grader.results import AssignmentResult, CheckResult, GradeReport
from grader.sandbox.errors import SandboxError, StudentError, WorkerCrashed, WorkerTimeout
from grader.sandbox.launcher import Launcher
from grader.sandbox.limits import Limits
from grader.sandbox.session import StudentSession
from grader.scoring import apply_penalty, assignment_totals, grade_report, lateness
from grader.submission import Source, SubmissionFile, locate, read_source
from grader.unusable import Unusable, import_failure

if TYPE_CHECKING:
    from grader.batch.identical import IdenticalFiles

MAX_ASSIGNMENT_THREADS = 4


@dataclass(frozen=True)
class GradeOptions:
    """What to grade and how; the command line fills it, library users may too."""

    assignment_ids: tuple[str, ...] = ()
    """Assignments to grade; empty means all of the course's."""
    submission: Path | None = None
    """The student's folder or file; None means the course's own assignments/."""
    public_only: bool = False
    """Skip hidden checks even when solutions/ is present."""
    timeout: float | None = None
    """Override of every check's time limit, in seconds."""
    language: str = "en"
    """Language of the messages."""
    submitted_at: datetime | None = None
    """When the submission was made (for late penalties); None means on time."""
    fail_fast: bool = False
    """Stop an assignment at its first check that loses points (the rest are not run or reported)."""
    progress: Progress | None = dataclasses.field(default=None, compare=False, repr=False)
    """Told how far each assignment has got (the terminal's status line); it changes no result."""


@dataclass(frozen=True)
class LoadedAssignment:
    """An assignment's trusted code, loaded once in the parent to grade any number of submissions."""

    assignment: Assignment
    """The assignment."""
    checks: tuple[CheckSpec, ...]
    """Its public checks, then its hidden ones when they run."""
    reference: ModuleType | None
    """The reference solution (None when hidden checks do not run)."""


def grade(
    course: Course, options: GradeOptions, launcher: Launcher | None = None, code: CourseCode | None = None,
    identical: IdenticalFiles | None = None,
) -> GradeReport:
    """Grade a submission against ``course``; starts (and stops) a fork server unless one is given.

    ``code`` supplies the checks and references; by default they are loaded afresh (a batch passes one
    that keeps them loaded and memoizes the reference across submissions). ``identical`` remembers
    the results of files graded before, for files with the same text (a batch passes one).
    """
    started = time.perf_counter()
    assignments = select_assignments(course, options.assignment_ids)
    files = locate(course, [a.id for a in assignments], options.submission)
    hidden = runs_hidden_checks(course, options)
    owned = launcher is None
    launcher = launcher or Launcher(denied_roots=course.instructor_only)

    def one(assignment: Assignment) -> AssignmentResult:
        return grade_assignment(course, assignment, files[assignment.id], hidden, launcher, options, code, identical)

    try:
        results = _map_assignments(one, assignments, parallel=code is None)
        layers = launcher.layers
    finally:
        if owned:
            launcher.close()
    duration = round(time.perf_counter() - started, 3)
    return grade_report(results, hidden, options.language, duration, course.autograder, layers)


def _map_assignments(
    grade_one: Callable[[Assignment], AssignmentResult], assignments: list[Assignment], parallel: bool
) -> list[AssignmentResult]:
    """Grade assignments, in course order; in parallel threads when asked.

    Most of a check's time is spent waiting for its worker (the GIL is released while waiting), so
    assignments graded side by side keep both cores busy: the bundled course grades in about half the
    time. A batch passes its own CourseCode and parallelises across submissions in processes instead.
    """
    if not parallel or len(assignments) < 2:
        return [grade_one(assignment) for assignment in assignments]
    with ThreadPoolExecutor(max_workers=min(len(assignments), MAX_ASSIGNMENT_THREADS)) as pool:
        return list(pool.map(grade_one, assignments))


def select_assignments(course: Course, ids: Sequence[str]) -> list[Assignment]:
    known = {a.id for a in course.assignments}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UsageError(f"unknown assignment {', '.join(map(repr, unknown))}", f"choose from: {', '.join(sorted(known))}")
    return [a for a in course.assignments if not ids or a.id in ids]


def runs_hidden_checks(course: Course, options: GradeOptions) -> bool:
    """Whether ``options`` grade with the hidden checks (a clear error where they cannot run: :mod:`grader.hidden`)."""
    return hidden.runs_hidden_checks(course, options.public_only)


def grade_assignment(
    course: Course, assignment: Assignment, file: SubmissionFile, hidden: bool, launcher: Launcher, options: GradeOptions,
    code: CourseCode | None = None, identical: IdenticalFiles | None = None,
) -> AssignmentResult:
    loaded = load_assignment(assignment, hidden, code)
    checks = list(loaded.checks)
    if file.path is None:
        return _unusable(assignment, checks, _nothing_to_grade(file), options, file="", submitted=file.submitted)
    notes = (file.note,) if file.note is not None else ()
    try:
        source = read_source(file)
    except (OSError, UnicodeDecodeError) as exc:
        problem = Unusable(msg("check.unreadable", file=file.display_name, error=str(exc)), msg("check.unreadable_hint"))
        return _unusable(assignment, checks, problem, options, file=file.display_name, notes=notes)
    except NotebookError as exc:
        problem = Unusable(msg("notebook.invalid", file=file.display_name, problem=exc.problem), msg("notebook.invalid_hint"))
        return _unusable(assignment, checks, problem, options, file=file.display_name, notes=notes)
    return _source_result(assignment, _checked(course, loaded, source, launcher, options, identical), source, options)


def _nothing_to_grade(file: SubmissionFile) -> Unusable:
    """Why no file of ``file``'s assignment is graded (missing, the unchanged stub, empty, or two answers), and what to do."""
    if file.problem is not None and file.hint is not None:
        return Unusable(file.problem, file.hint)
    return Unusable(msg("check.no_submission", expected=file.expected), msg("check.no_submission_hint", expected=file.expected))


def _checked(
    course: Course, loaded: LoadedAssignment, source: Source, launcher: Launcher, options: GradeOptions,
    identical: IdenticalFiles | None,
) -> CheckedSource:
    """The checks' results for ``source``: those of an identical file graded before, if known."""
    if identical is None:
        return check_source(course, loaded, source, launcher, options)
    fingerprint = identical.fingerprint(loaded.assignment.id, source, _grading_settings(loaded, options))
    checked = identical.get(fingerprint, source.filename)
    if checked is None:
        checked = check_source(course, loaded, source, launcher, options)
        if not checked.machine_dependent:
            identical.put(fingerprint, checked)
    return checked


def load_assignment(assignment: Assignment, hidden: bool, code: CourseCode | None = None) -> LoadedAssignment:
    """Load the checks (and, for hidden checks, the reference) of ``assignment`` into the parent."""
    hidden = hidden and assignment.solution_dir.is_dir()
    code = code or CourseCode()
    checks = tuple(code.checks(assignment, include_hidden=hidden))
    return LoadedAssignment(assignment, checks, _reference(assignment, code) if hidden else None)


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
    """A worker timed out, crashed or was killed: the results depend on the machine, not only the code."""


def grade_source(course: Course, loaded: LoadedAssignment, source: Source, launcher: Launcher, options: GradeOptions) -> AssignmentResult:
    """Grade submission code given as text in a fresh worker (used per file, and by ``grader check``
    for many variants of one reference with the checks loaded once)."""
    return _source_result(loaded.assignment, check_source(course, loaded, source, launcher, options), source, options)


def check_source(course: Course, loaded: LoadedAssignment, source: Source, launcher: Launcher, options: GradeOptions) -> CheckedSource:
    """Run every check of ``loaded`` against ``source`` in a fresh worker."""
    assignment, checks = loaded.assignment, list(loaded.checks)
    session = StudentSession(launcher, source.text, source.filename, assignment.id, _limits(assignment), assignment.limits.import_timeout)
    try:
        problem = _start(session, source, options.language, assignment.limits.memory_mb)
        if problem is not None:
            results = problem.results(checks, options.language)
            return CheckedSource(results, problem.error(options.language), source.filename, session.failures > 0)
        budget = Budget.start(assignment_budget_s(loaded, options))
        context = CheckContext(
            session=session, reference=loaded.reference, seed=course.seed, assignment_id=assignment.id,
            default_timeout=assignment.limits.timeout, memory_mb=assignment.limits.memory_mb,
            language=options.language, budget=budget,
        )
        results = run_checks([_with_timeout(spec, options) for spec in checks], context, options.fail_fast, options.progress)
    finally:
        session.close()
    if source.line_map is not None:
        results = [relocate_result(source.line_map, result, source.filename, options.language) for result in results]
    # A spent budget, like a killed worker, depends on the machine's speed as much as on the code.
    machine_dependent = session.failures > 0 or budget.left_s() <= 0
    return CheckedSource(tuple(results), None, source.filename, machine_dependent=machine_dependent)


def assignment_budget_s(loaded: LoadedAssignment, options: GradeOptions) -> float:
    """Seconds the assignment's checks may take together (see :mod:`grader.checks.budget`)."""
    return budget_seconds(loaded.assignment.limits, (spec.timeout for spec in loaded.checks), options.timeout)


def _source_result(assignment: Assignment, checked: CheckedSource, source: Source, options: GradeOptions) -> AssignmentResult:
    return _assignment_result(assignment, list(checked.results), checked.error, source.filename, options, source.notes)


def _grading_settings(loaded: LoadedAssignment, options: GradeOptions) -> dict[str, object]:
    """Everything besides the file that changes which checks run and what they report."""
    return {"checks": [spec.name for spec in loaded.checks], "hidden": loaded.reference is not None,
            "language": options.language, "timeout": options.timeout, "fail_fast": options.fail_fast}


def _start(session: StudentSession, source: Source, language: str, memory_mb: int) -> Unusable | None:
    """Import the submission in its worker; the problem to report if that fails."""
    notebook = source.line_map is not None  # "run `python x.ipynb`" would be no help
    hint = msg("notebook.import_failed_hint") if notebook else msg("check.import_failed_hint", file=source.filename)
    try:
        session.start()
    except StudentError as error:
        return import_failure(error, source, language, hint)
    except WorkerTimeout as timeout:
        return Unusable(timeout_problem(timeout)[0], hint)
    except WorkerCrashed as crash:
        problem, own_hint = crash_problem(crash, memory_mb)
        return Unusable(problem, own_hint if crash.foreign else hint)  # a kill from outside is nothing to "fix first"
    except SandboxError as error:
        return Unusable(msg("check.import_failed", error=str(error)), hint)
    return None


def _reference(assignment: Assignment, code: CourseCode) -> ModuleType:
    if not assignment.has_solutions:
        raise CourseError(
            f"{assignment.solution_dir}: hidden checks need the reference {assignment.reference.name}",
            f"add solutions/{assignment.id}/{assignment.id}.py, or grade with --public-only",
        )
    return code.reference(assignment)


def _limits(assignment: Assignment) -> Limits:
    settings = assignment.limits
    return Limits(
        cpu_s=settings.cpu_s, memory_mb=settings.memory_mb, file_size_mb=settings.file_size_mb, output_kb=settings.output_kb
    )


def _unusable(
    assignment: Assignment, checks: list[CheckSpec], problem: Unusable, options: GradeOptions, file: str,
    notes: tuple[Msg, ...] = (), submitted: bool = True,
) -> AssignmentResult:
    results = list(problem.results(checks, options.language))
    return _assignment_result(assignment, results, problem.error(options.language), file, options, notes, submitted)


def _assignment_result(
    assignment: Assignment, results: list[CheckResult], error: str | None, file: str, options: GradeOptions,
    notes: tuple[Msg, ...] = (), submitted: bool = True,
) -> AssignmentResult:
    raw_score, max_score = assignment_totals(results)
    late = lateness(assignment.late_policy, assignment.due, options.submitted_at)
    return AssignmentResult(
        id=assignment.id, title=assignment.title, checks=tuple(results), score=apply_penalty(raw_score, late),
        max_score=max_score, raw_score=raw_score, days_late=late.days_late, penalty_percent=late.penalty_percent,
        error=error, file=file, notes=tuple(render(note, options.language) for note in notes), submitted=submitted,
        groups=check_groups(results, unusable=error is not None, language=options.language),
    )


def _with_timeout(spec: CheckSpec, options: GradeOptions) -> CheckSpec:
    return dataclasses.replace(spec, timeout=options.timeout) if options.timeout else spec
