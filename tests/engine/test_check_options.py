"""Options of @check beyond points and timeout: numpy error mode and translated descriptions."""

from __future__ import annotations

from pathlib import Path

from tests.engine.helpers import REFERENCE, by_name, grade_source, with_checks

CHECKS = '''
import numpy as np
from grader import check, expect


@check(points=1, numpy_errors="raise", description={"en": "no overflow", "ko": "오버플로 없음"})
def strict(student):
    expect.close(student.sigmoid(np.array([-1e4, 0.0, 1e4])), np.array([0.0, 0.5, 1.0]))


@check(points=1)
def lenient(student):
    """sigmoid values at the extremes."""
    expect.close(student.sigmoid(np.array([-1e4, 0.0, 1e4])), np.array([0.0, 0.5, 1.0]))
'''

NAIVE = "\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
STABLE = "\n\ndef sigmoid(z):\n    e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))\n"


def test_numpy_errors_raise_catches_an_overflow_that_returns_the_right_value(mini_course: Path) -> None:
    checks = by_name(grade_source(with_checks(mini_course, CHECKS), REFERENCE + NAIVE, public_only=True))
    assert checks["lenient"].status == "passed"  # exp(1e4) overflows to inf, and 1/(1+inf) is still 0
    strict = checks["strict"]
    assert strict.status == "error"
    assert "floating-point error" in strict.message and "overflow" in strict.message
    assert "np.exp(-z)" in strict.traceback and strict.line is not None


def test_a_stable_implementation_passes_under_numpy_errors_raise(mini_course: Path) -> None:
    result = grade_source(with_checks(mini_course, CHECKS), REFERENCE + STABLE, public_only=True)
    assert result.score == result.max_score == 2


def test_numpy_errors_apply_only_to_their_check(mini_course: Path) -> None:
    # The strict check runs first; the lenient one after it in the same worker must see numpy's defaults.
    checks = by_name(grade_source(with_checks(mini_course, CHECKS), REFERENCE + NAIVE, public_only=True))
    assert checks["lenient"].status == "passed" and checks["strict"].status == "error"


def test_descriptions_can_be_translated(mini_course: Path) -> None:
    korean = by_name(grade_source(with_checks(mini_course, CHECKS), REFERENCE + STABLE, public_only=True, language="ko"))
    english = by_name(grade_source(with_checks(mini_course, CHECKS), REFERENCE + STABLE, public_only=True))
    assert korean["strict"].description == "오버플로 없음" and english["strict"].description == "no overflow"
    assert english["lenient"].description == "sigmoid values at the extremes."
