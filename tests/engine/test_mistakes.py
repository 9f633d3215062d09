"""grader.engine.checks.mistakes: a wrong result that shows a known mistake is reported as that mistake; nothing else
changes."""

from __future__ import annotations

import numpy as np
import pytest

from grader.engine.checks import mistakes
from grader.engine.checks.failure import CheckFailure
from grader.i18n import render


def _failure(actual: object, expected: object, known: list, **kwargs: object) -> tuple[str, str]:
    with pytest.raises(CheckFailure) as caught:
        mistakes.close(actual, expected, name="A", known=known, **kwargs)
    return render(caught.value.message, "en"), render(caught.value.hint, "en")


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


SCORES = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 2.0, 1.0]])


def test_a_softmax_over_the_columns_is_named_in_english_and_korean() -> None:
    message, hint = _failure(_softmax(SCORES, 0), _softmax(SCORES, -1), [mistakes.SumsToOne(-1, "A")])
    assert message == "A: each row of A must sum to 1; yours: each column"
    assert "axis -1" in hint
    with pytest.raises(CheckFailure) as caught:
        mistakes.close(_softmax(SCORES, 0), _softmax(SCORES, -1), name="A", known=[mistakes.SumsToOne(-1, "A")])
    assert (
        render(caught.value.message, "ko") == "A: A의 각 행의 합이 1이어야 하는데, 여러분의 결과는 각 열의 합이 1입니다"
    )


def test_the_axis_diagnosis_needs_another_axis_that_sums_to_one() -> None:
    wrong = _softmax(SCORES, -1) * 1.1  # no axis sums to 1: not an axis mistake
    message, hint = _failure(wrong, _softmax(SCORES, -1), [mistakes.SumsToOne(-1, "A")])
    assert "is wrong at" in message and "must sum to 1" not in message
    assert hint == ""


def test_a_result_is_recognised_by_the_value_a_mistake_gives() -> None:
    unscaled = mistakes.Mistake(_softmax(SCORES * 8, -1), hint="divide by 8", message="no scale")
    message, hint = _failure(_softmax(SCORES * 8, -1), _softmax(SCORES, -1), [unscaled])
    assert (message, hint) == ("A: no scale", "divide by 8")
    message, hint = _failure(_softmax(SCORES * 7, -1), _softmax(SCORES, -1), [unscaled], hint="generic")
    assert "is wrong at" in message and hint == "generic"  # another wrong result keeps the generic words


def test_the_first_diagnosis_that_explains_the_result_wins() -> None:
    first = mistakes.Mistake(np.zeros(3), hint="first")
    second = mistakes.Mistake(np.zeros(3), hint="second")
    assert _failure(np.zeros(3), np.ones(3), [first, second])[1] == "first"


def test_a_mask_applied_after_the_softmax_is_recognised() -> None:
    mask = np.tril(np.ones((3, 3), dtype=bool))
    after = _softmax(SCORES, -1) * mask
    message, hint = _failure(after.sum(axis=-1), np.ones(3), [mistakes.MaskedAfterSoftmax(mask, "A")], evidence=after)
    assert "the mask was applied after the softmax" in message and "allowed positions only" in hint
    leaking = _softmax(SCORES, -1)  # masked positions keep their weight: another mistake
    assert mistakes.explain(leaking, [mistakes.MaskedAfterSoftmax(mask, "A")]) is None


def test_values_truncated_by_an_integer_array_are_recognised() -> None:
    expected = np.array([[0.0, 1.0, 2.5], [0.0, 0.5, 1.75]])
    message, hint = _failure(np.trunc(expected).astype(int), expected, [mistakes.truncated(expected)])
    assert "lost its fractional part" in message and "np.zeros_like" in hint


@pytest.mark.parametrize("actual", [None, "text", [[1, 2], [3]]])
def test_a_result_that_is_not_numeric_data_keeps_the_type_failure(actual: object) -> None:
    message, _ = _failure(actual, np.ones(2), [mistakes.SumsToOne(-1, "A"), mistakes.Mistake(np.ones(3), hint="x")])
    assert "must sum" not in message and ("None" in message or "should be a number" in message)


def test_a_right_result_passes_whatever_the_diagnoses() -> None:
    mistakes.close(
        _softmax(SCORES, -1),
        _softmax(SCORES, -1),
        name="A",
        known=[mistakes.SumsToOne(-1, "A"), mistakes.Mistake(_softmax(SCORES, -1), hint="never shown")],
    )
