"""``oracle``: a backward check differentiates the reference's forward where the reference is present.

A student's own run (public checks only) differentiates their forward, and waits for its checks; the
official grade differentiates the reference's, so a correct backward keeps its points beside a wrong
forward, and a wrong backward loses them however right the forward is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.engine.checks.oracle import LocalModule
from grader.sandbox.proxy import Param
from tests.engine.helpers import REFERENCE, by_name, grade_source, with_checks, with_function

CHECKS = '''
import numpy as np
from grader import check, expect


@check(points=1)
def norm_345(student):
    """norm of (3, 4) is 5."""
    expect.close(student.norm(np.array([3.0, 4.0])), 5.0)


@check(points=2, depends=("norm_345",))
def norm_grad_numeric(student, oracle, rng):
    """norm_grad is the numeric gradient of norm."""
    x = rng.normal(size=4)
    expect.gradient(oracle.norm.partial(expect.param("x")), at={"x": x}, got={"x": student.norm_grad(x)}, rng=rng)
'''

NORM_GRAD = "\n\ndef norm_grad(x):\n    return x / np.sqrt(np.sum(x * x))\n"
WRONG_NORM = with_function("norm", "def norm(x):\n    return 2.0 * float(np.sqrt(np.sum(x * x)))\n")


@pytest.fixture
def course(mini_course: Path) -> Path:
    reference = mini_course / "solutions/vectors/vectors.py"
    reference.write_text(reference.read_text() + NORM_GRAD)
    return with_checks(mini_course, CHECKS)


def test_a_correct_backward_keeps_its_points_beside_a_wrong_forward_in_the_official_grade(course: Path) -> None:
    official = by_name(grade_source(course, WRONG_NORM + NORM_GRAD))
    assert official["norm_345"].status == "failed" and official["norm_grad_numeric"].status == "passed"


def test_in_a_students_own_run_it_waits_for_the_forward_it_differentiates(course: Path) -> None:
    own = by_name(grade_source(course, WRONG_NORM + NORM_GRAD, public_only=True))
    assert own["norm_grad_numeric"].status == "not_run" and "depends on `norm_345`" in own["norm_grad_numeric"].message
    right = by_name(grade_source(course, REFERENCE + NORM_GRAD, public_only=True))
    assert right["norm_grad_numeric"].status == "passed"


def test_a_wrong_backward_fails_against_either_oracle(course: Path) -> None:
    doubled = REFERENCE + NORM_GRAD.replace("return x /", "return 2 * x /")
    for public_only in (False, True):
        check = by_name(grade_source(course, doubled, public_only=public_only))["norm_grad_numeric"]
        assert check.status == "failed" and "factor" in check.hint + check.message, (check.message, check.hint)


def test_the_reference_seen_as_an_oracle_calls_like_the_student_proxy() -> None:
    module = type(np)("reference")
    seen: list[np.ndarray] = []

    def square(x, scale):
        seen.append(x)
        x *= 1.0  # in place: must not reach the caller's array
        return scale * x * x

    module.square, module.total = square, lambda y: float(np.sum(y))
    oracle = LocalModule(module)
    x = np.array([1.0, 2.0])
    call = oracle.square.partial(Param("x"), 3.0)
    assert np.allclose(call(x=x), [3.0, 12.0]) and seen[-1] is not x
    staged = call.then(oracle.total.partial(Param("y")))
    assert staged.each([{"x": x}, {"x": 2 * x}]) == [15.0, 60.0]
    assert call.then(lambda y: y[0]).many([{"x": x}]) == [3.0]
    assert oracle.total(x) == 3.0 and "reference" in repr(oracle)
