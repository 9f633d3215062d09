"""@check(depends=...): validated when the checks are collected, run after what they need, not run when it failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import load_course
from grader.engine.checks.dependencies import run_order
from grader.engine.checks.loader import load_checks
from grader.engine.grader import GradeOptions, Grader
from grader.engine.source import Source
from grader.errors import CourseError
from grader.sandbox.launcher import Launcher
from tests.engine.helpers import REFERENCE, by_name, grade_source, with_checks, with_function

# `doubled` is defined before the check it depends on, and `chained` depends on `doubled`.
CHECKS = '''
import numpy as np
from grader import check, expect


@check(points=2, depends="add_small")
def doubled(student):
    """add(a, a) is 2a."""
    a = np.array([1.0, -2.0])
    expect.close(student.add(a, a), 2 * a)


@check(points=1)
def add_small(student):
    """add works on a small example."""
    expect.close(student.add(np.array([1.0, 2.0]), np.array([3.0, 4.0])), np.array([4.0, 6.0]))


@check(points=1)
def norm_345(student):
    """norm of (3, 4) is 5."""
    expect.close(student.norm(np.array([3.0, 4.0])), 5.0)


@check(points=1, depends=("doubled", "norm_345"))
def chained(student):
    """norm(add(x, x)) is 2 norm(x)."""
    expect.close(student.norm(student.add(np.array([3.0, 4.0]), np.array([3.0, 4.0]))), 10.0)
'''

HIDDEN = '''
import numpy as np
from grader import check, expect


@check(points=3, depends=("add_small",))
def add_random(student, reference, rng):
    """add matches the reference on random inputs."""
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    expect.close(student.add(a, b), reference.add(a, b))
'''

WRONG_ADD = with_function("add", "def add(a, b):\n    return a - b\n")


@pytest.fixture
def course(mini_course: Path) -> Path:
    (mini_course / "solutions/vectors/checks_hidden.py").write_text(HIDDEN)
    return with_checks(mini_course, CHECKS)


def test_a_check_runs_after_its_dependencies_and_is_reported_in_definition_order(course: Path) -> None:
    running: list[str] = []
    progress = lambda _id, _done, _all, name: running.append(name) if name else None  # noqa: E731
    result = grade_source(course, REFERENCE, progress=progress)
    assert running == ["add_small", "doubled", "norm_345", "chained", "add_random"]
    assert [check.name for check in result.checks] == ["doubled", "add_small", "norm_345", "chained", "add_random"]
    assert result.score == result.max_score == 8


def test_a_check_whose_dependency_failed_is_not_run_with_no_points_and_no_hint(course: Path) -> None:
    checks = by_name(grade_source(course, WRONG_ADD))
    assert checks["add_small"].status == "failed"
    for name in ("doubled", "add_random"):  # a hidden check may depend on a public one
        assert checks[name].status == "not_run" and checks[name].score == 0
        assert checks[name].message == "depends on `add_small`, which failed: fix that first"
        assert checks[name].hint == "" and checks[name].duration_s == 0
    assert checks["norm_345"].status == "passed"


def test_a_chain_of_dependencies_names_the_check_to_fix(course: Path) -> None:
    checks = by_name(grade_source(course, WRONG_ADD))
    assert checks["chained"].status == "not_run"
    assert checks["chained"].message == "depends on `add_small`, which failed: fix that first"


def test_the_message_in_korean(course: Path) -> None:
    checks = by_name(grade_source(course, WRONG_ADD, language="ko"))
    assert checks["doubled"].message == "`add_small` 검사에 의존하는데 그 검사가 실패했습니다: 그것부터 고치세요"


def test_a_dependency_that_passed_lets_the_check_decide(course: Path) -> None:
    wrong_norm = with_function("norm", "def norm(x):\n    return float(abs(x).sum())\n")
    checks = by_name(grade_source(course, wrong_norm, public_only=True))
    assert checks["doubled"].status == "passed" and checks["norm_345"].status == "failed"
    assert checks["chained"].status == "not_run" and "`norm_345`" in checks["chained"].message


def test_fail_fast_still_stops_at_the_first_lost_point(course: Path) -> None:
    result = grade_source(course, WRONG_ADD, fail_fast=True)
    assert [(check.name, check.status) for check in result.checks] == [("add_small", "failed")]


def test_run_order_leaves_out_dependencies_that_are_not_run(course: Path) -> None:
    specs = {spec.name: spec for spec in load_checks(load_course(course).assignment("vectors"), include_hidden=True)}
    subset = [specs["chained"], specs["norm_345"]]
    assert [spec.name for spec in run_order(subset)] == ["norm_345", "chained"]


def test_a_subset_of_checks_runs_without_the_dependencies_it_leaves_out(course: Path) -> None:
    # Mutation testing runs single checks against a mutant: a missing dependency blocks nothing.
    loaded = load_course(course)
    with Launcher() as launcher:
        only = Grader(loaded, GradeOptions(checks=("doubled",)), launcher=launcher)
        result = only.grade_assignment(loaded.assignment("vectors"), Source(WRONG_ADD, "vectors.py"))
    assert [(r.name, r.status) for r in result.checks] == [("doubled", "failed")]


@pytest.mark.parametrize(
    ("depends", "problem", "fix"),
    [
        (
            '"add_smal"',
            "depends on 'add_smal', which is not a check of this assignment",
            "known: add_small, norm_345, second",
        ),
        ('("second",)', "check second depends on itself through second -> second", "remove one of these dependencies"),
        (
            "42",
            "depends must be a check name or a tuple of check names, got 42",
            'depends=("forward_matches_reference",)',
        ),
    ],
    ids=["unknown", "itself", "not-a-name"],
)
def test_bad_dependencies_are_course_errors_naming_file_line_and_fix(
    mini_course: Path, depends: str, problem: str, fix: str
) -> None:
    checks = (mini_course / "assignments/vectors/checks.py").read_text()
    checks += f"\n\n@check(points=1, depends={depends})\ndef second(student):\n    pass\n"
    (mini_course / "assignments/vectors/checks.py").write_text(checks)
    line = checks.splitlines().index("def second(student):") + 1
    with pytest.raises(CourseError) as raised:
        load_checks(load_course(mini_course).assignment("vectors"), include_hidden=False)
    assert str(raised.value).startswith(f"{mini_course / 'assignments/vectors/checks.py'}:{line - 1}: check second")
    assert problem in raised.value.message and fix in raised.value.fix


def test_a_cycle_through_two_checks_is_a_course_error(mini_course: Path) -> None:
    with_checks(
        mini_course,
        """
from grader import check

@check(depends="b")
def a(student):
    pass

@check(depends="a")
def b(student):
    pass
""",
    )
    with pytest.raises(CourseError, match=r"check a depends on itself through a -> b -> a"):
        load_checks(load_course(mini_course).assignment("vectors"), include_hidden=False)


def test_a_public_check_cannot_depend_on_a_hidden_one(mini_course: Path) -> None:
    with_checks(
        mini_course, 'from grader import check\n\n@check(depends="add_random")\ndef public(student):\n    pass\n'
    )
    assignment = load_course(mini_course).assignment("vectors")
    with pytest.raises(CourseError) as raised:
        load_checks(assignment, include_hidden=True)
    assert "is public but depends on the hidden check 'add_random'" in raised.value.message
    with pytest.raises(CourseError, match="not a check of this assignment"):  # what a student's run says
        load_checks(assignment, include_hidden=False)
