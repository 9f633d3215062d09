"""Options of @check beyond points and timeout: numpy error mode, the description (docstring and ko=), and
options it does not take."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import load_course
from grader.engine.checks.loader import load_checks
from grader.errors import CourseError
from tests.engine.helpers import REFERENCE, by_name, grade_source, with_checks

CHECKS = '''
import numpy as np
from grader import check, expect


@check(points=1, numpy_errors="raise", ko="오버플로 없음")
def strict(student):
    """no overflow"""
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
    korean = by_name(
        grade_source(with_checks(mini_course, CHECKS), REFERENCE + STABLE, public_only=True, language="ko")
    )
    english = by_name(grade_source(with_checks(mini_course, CHECKS), REFERENCE + STABLE, public_only=True))
    assert korean["strict"].description == "오버플로 없음" and english["strict"].description == "no overflow"
    assert english["lenient"].description == "sigmoid values at the extremes."


WRAPPED = '''
from grader import check, expect


@check(points=1, ko="극단값에서의 sigmoid.")
def wrapped(student):
    """sigmoid at the extremes: a description too long for one line
    goes on in the docstring's next lines.

    Anything after the first paragraph is for the reader of the check file only.
    """
'''


def test_the_description_is_the_docstrings_first_paragraph_and_ko_its_korean(mini_course: Path) -> None:
    with_checks(mini_course, WRAPPED)
    (spec,) = load_checks(load_course(mini_course).assignment("vectors"), include_hidden=False)
    assert spec.description == {
        "en": "sigmoid at the extremes: a description too long for one line goes on in the docstring's next lines.",
        "ko": "극단값에서의 sigmoid.",
    }


@pytest.mark.parametrize(
    "decorator, said, fix",
    [
        ('@check(points=1, description={"en": "a", "ko": "b"})', "@check no longer takes description=", "ko="),
        ("@check(point=1)", "@check has no option point=", "points, timeout, name, ko"),
        ('@check(points=1, ko=["목록"])', "ko must be the Korean description", 'ko="..."'),
    ],
)
def test_an_option_check_does_not_take_is_a_course_error_naming_the_line(
    mini_course: Path,
    decorator: str,
    said: str,
    fix: str,
) -> None:
    with_checks(mini_course, f'from grader import check\n\n\n{decorator}\ndef broken(student):\n    """A check."""\n')
    with pytest.raises(CourseError) as raised:
        load_checks(load_course(mini_course).assignment("vectors"), include_hidden=False)
    assert (
        "assignments/vectors/checks.py:4: check broken" in raised.value.message
    )  # the decorator's line and said in raised.value.message
    assert fix in raised.value.fix


def test_a_korean_description_needs_the_english_docstring(mini_course: Path) -> None:
    with_checks(mini_course, 'from grader import check\n\n\n@check(ko="설명")\ndef bare(student):\n    pass\n')
    with pytest.raises(CourseError, match="has a Korean description but no docstring"):
        load_checks(load_course(mini_course).assignment("vectors"), include_hidden=False)


def test_text_gives_one_text_in_both_languages() -> None:
    from grader import text
    from grader.i18n import render

    hint = text("Divide by the square root of d_k.", "d_k의 제곱근으로 나누세요.")
    assert (render(hint, "en"), render(hint, "ko")) == (
        "Divide by the square root of d_k.",
        "d_k의 제곱근으로 나누세요.",
    )
