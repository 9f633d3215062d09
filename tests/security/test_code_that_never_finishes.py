"""Code that never finishes: a call that timed out is not waited for again, and an assignment has a time budget.

Every course here has a 0.5 s check limit, so a timeout costs half a second and the default budget is
3 s (six limits).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from grader.course.model import LimitSettings
from grader.engine.checks.budget import budget_seconds
from grader.errors import CourseError
from grader.sandbox.errors import SkippedCall
from grader.sandbox.unfinished import UnfinishedCalls, call_shape
from tests.engine.helpers import REFERENCE, by_name, grade_source, with_checks, with_function

LIMIT_S = 0.5
DEFAULT_BUDGET_S = 6 * LIMIT_S
RECURSION_BOMB = "def norm(x):\n    try:\n        return norm(x)\n    except RecursionError:\n        return norm(x)\n"
NORM_CHECKS = "".join(
    f"\n\n@check(points=1)\ndef norm_{i}(student):\n    expect.close(student.norm(np.array([3.0, 4.0 + {i}])), "
    f"float(np.hypot(3.0, 4.0 + {i})))\n"
    for i in range(10)
)
HEADER = "import time\n\nimport numpy as np\nfrom grader import check, expect\n"


def course_with(mini_course: Path, checks: str, budget_s: float | None = None) -> Path:
    budget = f", assignment_timeout: {budget_s}" if budget_s is not None else ""
    (mini_course / "course.yaml").write_text(
        f"title: T\nseed: 7\nassignments:\n  - id: vectors\n    title: V\n    limits: {{timeout: {LIMIT_S}{budget}}}\n"
    )
    return with_checks(mini_course, HEADER + checks)


def timed(course: Path, source: str, **options: object):
    started = time.perf_counter()
    result = grade_source(course, source, public_only=True, **options)
    return result, time.perf_counter() - started


def test_a_recursion_bomb_times_out_once_and_the_other_checks_of_that_function_fail_at_once(mini_course: Path) -> None:
    course = course_with(mini_course, NORM_CHECKS)
    result, took = timed(course, with_function("norm", RECURSION_BOMB))
    checks = list(result.checks)
    assert checks[0].status == "timeout" and "running norm" in checks[0].message
    assert all(check.status == "not_run" and check.score == 0 for check in checks[1:])
    assert {check.message for check in checks[1:]} == {"not run: `norm` did not finish in check norm_0"}
    assert all(check.hint == "" for check in checks[1:])
    # Ten checks of 0.5 s took 5 s before; now one timeout, well inside the budget.
    assert took < LIMIT_S + 1.5 < DEFAULT_BUDGET_S


def test_the_message_in_korean(mini_course: Path) -> None:
    course = course_with(mini_course, NORM_CHECKS)
    result = grade_source(course, with_function("norm", RECURSION_BOMB), public_only=True, language="ko")
    assert result.checks[1].message == "실행하지 않음: `norm`이(가) norm_0 검사에서 끝나지 않았습니다"


def test_an_infinite_loop_in_one_function_leaves_the_other_functions_graded(mini_course: Path) -> None:
    checks = (
        NORM_CHECKS
        + """

@check(points=1)
def add_after(student):
    expect.close(student.add(np.array([1.0]), np.array([2.0])), np.array([3.0]))
"""
    )
    result, took = timed(
        course_with(mini_course, checks), with_function("norm", "def norm(x):\n    while True:\n        pass\n")
    )
    statuses = [check.status for check in result.checks]
    assert statuses == ["timeout"] + ["not_run"] * 9 + ["passed"]
    assert took < LIMIT_S + 1.5


CALLERS = """
def inner(x, stop=None):
    while stop is None:
        pass
    return x


def outer(x):
    return inner(x)
"""

CALLER_CHECKS = """
@check(points=1)
def inner_hangs(student):
    student.inner(1.0)


@check(points=1)
def outer_calls_inner(student):
    student.outer(1.0)


@check(points=1)
def outer_again(student):
    student.outer(2.0)


@check(points=1)
def inner_told_to_stop(student):
    expect.equal(student.inner(3.0, stop=True), 3.0)


@check(points=1)
def inner_with_stop_none(student):
    student.inner(4.0, stop=None)
"""


def test_only_a_call_like_one_that_timed_out_itself_is_skipped(mini_course: Path) -> None:
    checks = by_name(grade_source(course_with(mini_course, CALLER_CHECKS), REFERENCE + CALLERS, public_only=True))
    # outer only hangs because inner does: it was never stopped itself, so it gets its own run.
    assert checks["inner_hangs"].status == checks["outer_calls_inner"].status == "timeout"
    assert "running outer" in checks["outer_calls_inner"].message
    assert checks["outer_again"].message == "not run: `outer` did not finish in check outer_calls_inner"
    # Another way of calling inner takes another path, and is graded.
    assert checks["inner_told_to_stop"].status == "passed"
    # A None counts as an argument left out: the same call as the one that hung.
    assert checks["inner_with_stop_none"].message == "not run: `inner` did not finish in check inner_hangs"


def test_a_call_that_had_only_the_end_of_a_check_is_given_a_full_chance(mini_course: Path) -> None:
    checks = f"""
@check(points=1)
def late(student):
    time.sleep({LIMIT_S} - 0.15)  # the check's own work uses most of its time
    student.norm(np.array([3.0, 4.0]))


@check(points=1)
def early(student):
    student.norm(np.array([3.0, 4.0]))


@check(points=1)
def again(student):
    student.norm(np.array([3.0, 4.0]))
"""
    looping = with_function("norm", "def norm(x):\n    while True:\n        pass\n")
    result = by_name(grade_source(course_with(mini_course, checks), looping, public_only=True))
    assert result["late"].status == "timeout"
    # norm ran about 0.15 s in `late`; 0.5 s is more than twice that, so it is called again.
    assert result["early"].status == "timeout"
    assert result["again"].status == "not_run" and "did not finish in check late" in result["again"].message


COUNTER_CHECKS = """
@check(points=1)
def first_counter(student):
    student.Counter().tick()


@check(points=1)
def second_counter(student):
    counter = student.Counter()
    counter.tick()
"""


def test_a_method_is_known_by_its_class_across_instances(mini_course: Path) -> None:
    looping_tick = REFERENCE.replace(
        "    def tick(self):\n", "    def tick(self):\n        while True:\n            pass\n"
    )
    assert looping_tick != REFERENCE
    checks = by_name(grade_source(course_with(mini_course, COUNTER_CHECKS), looping_tick, public_only=True))
    assert checks["first_counter"].status == "timeout" and "running Counter.tick" in checks["first_counter"].message
    assert checks["second_counter"].message == "not run: `Counter.tick` did not finish in check first_counter"


DISTINCT_LOOPS = "".join(f"\n\ndef loop_{i}(x):\n    while True:\n        pass\n" for i in range(6))
DISTINCT_CHECKS = "".join(
    f"\n\n@check(points=1)\ndef calls_loop_{i}(student):\n    student.loop_{i}(1.0)\n" for i in range(6)
)


def test_when_the_budget_is_spent_the_remaining_checks_are_not_run(mini_course: Path) -> None:
    course = course_with(mini_course, DISTINCT_CHECKS, budget_s=1.2)
    result, took = timed(course, REFERENCE + DISTINCT_LOOPS)
    checks = list(result.checks)
    assert [check.status for check in checks[:2]] == ["timeout", "timeout"]
    assert "within 0.5 s" in checks[0].message
    # The third had only what was left of the budget, and says so.
    assert checks[2].status == "timeout"
    assert checks[2].message == (
        "your code was still running when the assignment's time budget of 1.2 s ran out, while running loop_2"
    )
    assert [check.status for check in checks[3:]] == ["not_run"] * 3
    assert {check.message for check in checks[3:]} == {"not run: the assignment's time budget of 1.2 s was used up"}
    assert result.score == 0 and took < 1.2 + 1.0


def test_the_budget_messages_in_korean(mini_course: Path) -> None:
    course = course_with(mini_course, DISTINCT_CHECKS, budget_s=1.2)
    checks = grade_source(course, REFERENCE + DISTINCT_LOOPS, public_only=True, language="ko").checks
    assert checks[2].message == "loop_2을(를) 실행하는 중에 이 과제의 전체 시간 예산 1.2초가 다 되었습니다"
    assert checks[-1].message == "실행하지 않음: 이 과제의 전체 시간 예산 1.2초를 모두 썼습니다"


def test_a_correct_submission_is_untouched_by_the_budget(mini_course: Path) -> None:
    result = grade_source(course_with(mini_course, NORM_CHECKS), REFERENCE, public_only=True)
    assert result.score == result.max_score == 10


def test_the_default_budget_is_six_times_the_longest_check_limit() -> None:
    assert budget_seconds(LimitSettings(timeout=10), [None, None], None) == 60
    assert budget_seconds(LimitSettings(timeout=10), [None, 30.0], None) == 180
    assert budget_seconds(LimitSettings(timeout=10), [30.0], 2.0) == 12  # --timeout replaces every limit
    assert budget_seconds(LimitSettings(timeout=10, assignment_timeout=25), [30.0], 2.0) == 25


def test_unfinished_calls_are_refused_only_within_twice_the_time_they_had() -> None:
    calls = UnfinishedCalls()
    shape = call_shape("softmax", [[1.0]], {"axis": None})
    assert shape == call_shape("softmax", [], {"x": [2.0]})  # positional or keyword, None left out
    calls.record(shape, "softmax_seed_example", 0.3)
    calls.refuse([shape], 0.61)  # more than twice as long: called again
    calls.refuse([call_shape("softmax", [[1.0]], {"axis": 0})], 0.1)  # another shape
    with pytest.raises(SkippedCall) as skipped:
        calls.refuse([shape], 0.6)
    assert (skipped.value.function, skipped.value.check) == ("softmax", "softmax_seed_example")
    calls.record(shape, "later_check", 0.5)  # a longer run raises the bar; the first check stays named
    with pytest.raises(SkippedCall) as skipped:
        calls.refuse([shape], 1.0)
    assert skipped.value.check == "softmax_seed_example"


def test_the_budget_in_course_yaml_goes_through_the_validating_reader(mini_course: Path) -> None:
    course_with(mini_course, NORM_CHECKS)
    (mini_course / "course.yaml").write_text(
        "title: T\nassignments:\n  - id: vectors\n    limits: {assignment_timeout: soon}\n"
    )
    with pytest.raises(CourseError, match=r"assignments\[0\]\.limits\.assignment_timeout: must be a positive number"):
        grade_source(mini_course, REFERENCE)
