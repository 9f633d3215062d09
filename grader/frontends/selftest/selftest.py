"""The course self-test: every reference scores full marks, every stub scores zero, stubs are in step.

Run by ``grader check`` in the course repository's CI: a check that fails the reference would cost
every student points, and one that passes the stub gives points for nothing. References and stubs are
graded like submissions (the same sandbox and checks), with hidden checks included. The reference must
also leave the assignment's time budget room to spare, so a busy machine never cuts a correct
submission short.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from grader.course import Assignment, Course
from grader.course.markers import generate_stub
from grader.engine.grader import GradeOptions, Grader, LoadedAssignment, select_assignments
from grader.engine.results import AssignmentResult
from grader.engine.source import Source
from grader.errors import CourseError, UsageError
from grader.frontends.submission import display_path
from grader.i18n import Text, msg
from grader.sandbox.launcher import Launcher

BUDGET_SHARE = 0.25
"""The most of its assignment's time budget the reference may use (a batch on a busy machine runs slower)."""


@dataclass(frozen=True, kw_only=True)
class AssignmentSelfTest:
    """The self-test of one assignment."""

    id: str
    """The assignment id."""
    public_checks: int
    """Number of public checks."""
    hidden_checks: int
    """Number of hidden checks."""
    reference: AssignmentResult | None
    """The reference graded with every check (None when it could not be graded)."""
    stub: AssignmentResult | None
    """The committed stub graded with every check (None when it could not be graded)."""
    stub_in_step: bool | None
    """Whether the committed stub is the regeneration of the reference (None: unknown, see problems)."""
    problems: tuple[Text, ...]
    """What is wrong, one line each (rendered in the run's language); empty when the assignment passes."""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class SelfTestReport:
    """The self-test of a course."""

    assignments: tuple[AssignmentSelfTest, ...]
    duration_s: float

    @property
    def ok(self) -> bool:
        return all(assignment.ok for assignment in self.assignments)


def require_solutions(course: Course) -> None:
    """Self-tests and publishing need the instructor's course, not a student release."""
    if not course.solutions_dir.is_dir():
        raise UsageError(
            f"{course.solutions_dir}: no solutions/ folder, so this is not an instructor's course",
            "run this in the course repository that holds solutions/<id>/ (references and hidden checks)",
        )


def self_test(
    course: Course,
    assignment_ids: tuple[str, ...] = (),
    launcher: Launcher | None = None,
    language: str = "en",
) -> SelfTestReport:
    """Grade every selected reference and stub; starts (and stops) a fork server unless one is given."""
    require_solutions(course)
    started = time.perf_counter()
    assignments = select_assignments(course, assignment_ids)
    owned = launcher is None
    launcher = launcher or Launcher(denied_roots=course.instructor_only)
    try:
        grader = Grader(course, GradeOptions(assignment_ids=assignment_ids, language=language), launcher=launcher)
        results = tuple(check_assignment(grader, assignment) for assignment in assignments)
    finally:
        if owned:
            launcher.close()
    return SelfTestReport(results, round(time.perf_counter() - started, 3))


def check_assignment(grader: Grader, assignment: Assignment) -> AssignmentSelfTest:
    """The self-test of one assignment (a check file that does not load is one of its problems)."""
    try:
        loaded = grader.loaded(assignment)
    except CourseError as error:
        return AssignmentSelfTest(
            id=assignment.id,
            public_checks=0,
            hidden_checks=0,
            reference=None,
            stub=None,
            stub_in_step=None,
            problems=(str(error),),
        )
    public = sum(spec.visibility == "public" for spec in loaded.checks)
    reference = _grade_file(grader, assignment, assignment.reference) if assignment.has_solutions else None
    stub = _grade_file(grader, assignment, assignment.stub)
    in_step, stub_problem = _stub_in_step(assignment)
    problems = [
        *_check_problems(loaded),
        *_reference_problems(assignment, reference),
        *_budget_problems(grader.budget_s(loaded), reference),
        *_stub_problems(stub),
        *stub_problem,
    ]
    return AssignmentSelfTest(
        id=assignment.id,
        public_checks=public,
        hidden_checks=len(loaded.checks) - public,
        reference=reference,
        stub=stub,
        stub_in_step=in_step,
        problems=tuple(problems),
    )


def _grade_file(grader: Grader, assignment: Assignment, path: Path) -> AssignmentResult:
    """Grade the file's code as it is (the stub too: it is run, not recognised as the stub, so that a
    check giving points for nothing shows)."""
    return grader.grade_assignment(assignment, Source(path.read_text(encoding="utf-8"), display_path(path)))


def _check_problems(loaded: LoadedAssignment) -> list[Text]:
    if not loaded.checks:
        return [msg("selftest.no_checks", id=loaded.assignment.id)]
    return []


def _reference_problems(assignment: Assignment, reference: AssignmentResult | None) -> list[Text]:
    if reference is None:
        return [msg("selftest.no_reference", file=display_path(assignment.reference))]
    if reference.error:
        return [msg("selftest.reference_unusable", error=reference.error)]
    return [
        msg("selftest.reference_fails", check=check.name, status=check.status, message=check.message)
        if check.message
        else msg("selftest.reference_fails_silently", check=check.name, status=check.status)
        for check in reference.checks
        if check.status != "passed"
    ]


def _budget_problems(budget: float, reference: AssignmentResult | None) -> list[Text]:
    """The reference must use only a small part of the assignment's time budget, or a slower machine (a
    busy batch) would cut a correct submission short."""
    if reference is None or reference.error:
        return []
    took = sum(check.duration_s for check in reference.checks)
    if took <= BUDGET_SHARE * budget:
        return []
    return [msg("selftest.over_budget", seconds=f"{took:.1f}", share=f"{BUDGET_SHARE:.0%}", budget=f"{budget:g}")]


def _stub_problems(stub: AssignmentResult | None) -> list[Text]:
    if stub is None:
        return []
    return [
        msg("selftest.stub_passes", check=check.name, points=f"{check.max_score:g}")
        for check in stub.checks
        if check.status == "passed"
    ]


def _stub_in_step(assignment: Assignment) -> tuple[bool | None, list[Text]]:
    try:
        generated = generate_stub(assignment)
    except CourseError as error:
        return None, [str(error)]
    if assignment.stub.read_text(encoding="utf-8") != generated:
        return False, [msg("selftest.stub_stale", file=display_path(assignment.stub))]
    return True, []
