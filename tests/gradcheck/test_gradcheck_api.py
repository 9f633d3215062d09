"""The contract others code against: inputs, outputs, failures as results, exceptions that propagate."""

from __future__ import annotations

import numpy as np
import pytest

from grader.engine.gradcheck import KINDS, Diagnosis, GradientReport, check_gradient, check_vjp
from grader.i18n import render


def _regression(rng: np.random.Generator, n: int = 6, d: int = 3, m: int = 2):
    """loss = sum((X W + b - Y)^2) / n with its gradient."""
    X, Y = rng.standard_normal((n, d)), rng.standard_normal((n, m))
    W, b = rng.standard_normal((d, m)), rng.standard_normal(m)

    def loss(W, b):
        return np.sum((X @ W + b - Y) ** 2) / n

    r = 2 * (X @ W + b - Y) / n
    return loss, {"W": W, "b": b}, {"W": X.T @ r, "b": r.sum(axis=0)}


def test_a_correct_gradient_passes_with_a_full_report() -> None:
    rng = np.random.default_rng(0)
    loss, at, grad = _regression(rng)
    report = check_gradient(loss, at=at, got=grad, rng=rng)
    assert isinstance(report, GradientReport) and report.ok and report.diagnosis is None and report.hint is None
    assert [result.name for result in report.params] == ["W", "b"]
    W = report.params[0]
    assert (W.ok, W.how, W.n_checked, W.n_kinks_skipped) == (True, "full", 6, 0)
    assert W.max_rel_error < 1e-8 and W.worst_index is not None and len(W.worst_index) == 2
    assert W.evaluations == 2 * 6
    assert "W, b" in render(report.message, "en") and "W, b" in render(report.message, "ko")


def test_the_point_is_never_mutated_and_a_mutating_f_cannot_corrupt_the_check() -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 3))
    W = rng.standard_normal(3)
    config = {"scale": [2.0]}
    originals = (X.copy(), W.copy())

    def vandal(W, X, config):
        W -= 1.0  # in place: the loss is of W - 1 as f sees it, whatever we hand it
        value = config["scale"][0] * np.sum((X @ W) ** 2)
        X[:] = 0.0
        W[:] = 1e9
        config["scale"][0] = 0.0
        return value

    dW = config["scale"][0] * 2 * X.T @ (X @ (W - 1.0))
    report = check_gradient(vandal, at={"W": W, "X": X, "config": config}, got={"W": dW}, rng=rng)
    assert report.ok, render(report.message, "en")
    np.testing.assert_array_equal(X, originals[0])
    np.testing.assert_array_equal(W, originals[1])
    assert config == {"scale": [2.0]}


def test_evaluations_counts_every_call_of_f() -> None:
    rng = np.random.default_rng(2)
    loss, at, grad = _regression(rng)
    calls = []

    def counted(**kwargs):
        calls.append(1)
        return loss(**kwargs)

    report = check_gradient(counted, at=at, got=grad, rng=rng)
    assert report.evaluations == len(calls) == 1 + 7 + 2 * 8  # the point, the noise probe, 2 per entry
    assert sum(result.evaluations for result in report.params) == report.evaluations - 8


def test_a_subset_of_the_parameters_may_be_checked() -> None:
    rng = np.random.default_rng(3)
    loss, at, grad = _regression(rng)
    report = check_gradient(loss, at=at, got={"b": grad["b"]}, rng=rng)
    assert report.ok and [result.name for result in report.params] == ["b"]


def test_scalars_come_back_in_the_form_they_were_given() -> None:
    seen = {}

    def f(a, b, c, X):
        seen.update(a=type(a), b=type(b), c=(type(c), np.ndim(c)), X=X.dtype)
        return a * b * float(c) + float(np.sum(X))

    at = {"a": 0.5, "b": np.float32(2.0), "c": np.array(3.0), "X": np.ones(2, dtype=np.float32)}
    got = {"a": 6.0, "b": np.array([1.5]), "c": np.array(1.0), "X": np.ones(2)}
    report = check_gradient(f, at=at, got=got, rng=np.random.default_rng(4))
    assert report.ok, render(report.message, "en")
    assert seen == {"a": float, "b": np.float32, "c": (np.ndarray, 0), "X": np.float32}
    assert report.rtol > 1e-3  # float32 parameters: the tolerance follows their precision


def test_an_integer_point_is_differentiated_as_a_real_one() -> None:
    report = check_gradient(lambda n: n**2, at={"n": 3}, got={"n": 6}, rng=np.random.default_rng(5))
    assert report.ok


def test_a_given_rtol_is_used() -> None:
    rng = np.random.default_rng(6)
    loss, at, grad = _regression(rng)
    assert check_gradient(loss, at=at, got=grad, rng=rng, rtol=1e-3).rtol == 1e-3


@pytest.mark.parametrize(
    ("got", "key", "got_type"),
    [
        (None, "gradient.not_returned", "NoneType"),
        ("0.5", "gradient.not_numeric", "str"),
        (object(), "gradient.not_numeric", "object"),
        ([[1.0, 2.0], [3.0]], "gradient.not_numeric", "list"),
        (np.array([True, False, True]), "gradient.not_numeric", "ndarray"),
    ],
)
def test_a_gradient_that_is_not_numeric_is_a_clean_failure(got: object, key: str, got_type: str) -> None:
    calls = []
    report = check_gradient(
        lambda x: calls.append(1) or float(np.sum(x**2)),
        at={"x": np.ones(3)},
        got={"x": got},
        rng=np.random.default_rng(7),
    )
    assert not report.ok and not report.params[0].ok
    assert report.diagnosis == Diagnosis("wrong_shape", "x", expected_shape=(3,), got_type=got_type)
    assert report.message.key == key and report.hint is not None
    assert calls == []  # nothing to compare, so f is not called at all


def test_a_nested_list_of_numbers_is_accepted() -> None:
    report = check_gradient(
        lambda x: float(np.sum(x**2)),
        at={"x": np.ones((2, 2))},
        got={"x": [[2.0, 2.0], [2.0, 2.0]]},
        rng=np.random.default_rng(8),
    )
    assert report.ok


def test_a_wrong_shape_is_a_failure_that_names_both_shapes() -> None:
    rng = np.random.default_rng(9)
    loss, at, grad = _regression(rng)
    report = check_gradient(loss, at=at, got={"W": grad["W"].T, "b": grad["b"]}, rng=rng)
    assert not report.ok and report.params[1].ok
    assert report.diagnosis == Diagnosis("wrong_shape", "W", expected_shape=(3, 2), got_shape=(2, 3))
    assert "(2, 3)" in render(report.message, "en") and "(3, 2)" in render(report.message, "en")
    assert report.hint.key == "gradient.hint_wrong_shape_transposed"
    report = check_gradient(loss, at=at, got={"b": grad["b"][:1]}, rng=rng)
    assert report.diagnosis.kind == "wrong_shape" and report.hint.key == "gradient.hint_wrong_shape"


def test_nan_or_inf_in_the_gradient_is_named_with_its_index() -> None:
    rng = np.random.default_rng(10)
    loss, at, grad = _regression(rng)
    bad = grad["W"].copy()
    bad[2, 1] = np.inf
    report = check_gradient(loss, at=at, got={"W": bad}, rng=rng)
    assert (
        report.diagnosis.kind == "nonfinite" and report.diagnosis.index == (2, 1) and report.diagnosis.value == np.inf
    )
    assert "W[2, 1]" in render(report.message, "en") and "inf" in render(report.message, "ko")


class StudentBug(Exception):
    pass


def test_exceptions_raised_by_f_propagate_unchanged() -> None:
    error = StudentBug("index out of range in your forward pass")

    def f(x):
        raise error

    with pytest.raises(StudentBug) as caught:
        check_gradient(f, at={"x": np.ones(2)}, got={"x": np.ones(2)}, rng=np.random.default_rng(11))
    assert caught.value is error


def test_exceptions_raised_by_f_after_the_first_call_propagate_too() -> None:
    calls = []

    def f(x):
        calls.append(1)
        if len(calls) > 3:
            raise ZeroDivisionError("late")
        return float(np.sum(x))

    with pytest.raises(ZeroDivisionError, match="late"):
        check_gradient(f, at={"x": np.ones(4)}, got={"x": np.ones(4)}, rng=np.random.default_rng(12))


def test_the_check_authors_mistakes_raise() -> None:
    rng = np.random.default_rng(13)
    loss, at, grad = _regression(rng)
    with pytest.raises(ValueError, match="not a parameter"):
        check_gradient(loss, at=at, got={"V": grad["W"]}, rng=rng)
    with pytest.raises(ValueError, match="time_axis"):
        check_gradient(loss, at=at, got=grad, rng=rng, time_axis={"T": 0})
    with pytest.raises(ValueError, match="no parameter"):
        check_gradient(loss, at=at, got={}, rng=rng)
    with pytest.raises(TypeError, match="scalar"):
        check_gradient(lambda W, b: W, at=at, got=grad, rng=rng)
    with pytest.raises(ValueError, match="not finite|nan"):
        check_gradient(lambda W, b: np.nan, at=at, got=grad, rng=rng)
    with pytest.raises(TypeError, match="dout's shape"):
        check_vjp(lambda x: x[:2], at={"x": np.ones(3)}, dout=np.ones(3), got={"x": np.ones(3)}, rng=rng)


def test_a_vjp_is_checked_against_the_weighted_sum() -> None:
    rng = np.random.default_rng(14)
    x, W = rng.standard_normal((5, 3)), rng.standard_normal((3, 4))
    dout = rng.standard_normal((5, 4))

    def layer(x, W):
        return np.tanh(x @ W)

    da = dout * (1 - np.tanh(x @ W) ** 2)
    good = check_vjp(layer, at={"x": x, "W": W}, dout=dout, got={"x": da @ W.T, "W": x.T @ da}, rng=rng)
    assert good.ok, render(good.message, "en")
    bad = check_vjp(layer, at={"x": x, "W": W}, dout=dout, got={"x": da @ W.T, "W": x.T @ dout}, rng=rng)
    assert not bad.ok and bad.params[0].ok and not bad.params[1].ok  # forgot the tanh derivative in dW


def test_a_kink_is_skipped_but_a_value_no_one_sided_derivative_allows_still_fails() -> None:
    rng = np.random.default_rng(15)
    for subgradient in (-1.0, 0.3, 1.0):
        report = check_gradient(lambda x: abs(x), at={"x": 0.0}, got={"x": subgradient}, rng=rng)
        assert report.ok and report.params[0].n_kinks_skipped == 1 and report.params[0].n_checked == 0
    # 0 is what the central difference itself gives across a symmetric kink: it simply agrees.
    assert check_gradient(lambda x: abs(x), at={"x": 0.0}, got={"x": 0.0}, rng=rng).params[0].n_checked == 1
    report = check_gradient(lambda x: abs(x), at={"x": 0.0}, got={"x": 5.0}, rng=rng)
    assert not report.ok


def test_the_report_names_the_worst_entry_and_its_numbers_in_both_languages() -> None:
    rng = np.random.default_rng(16)
    loss, at, grad = _regression(rng)
    bad = grad["W"].copy()
    bad[1, 0] += 1.0
    report = check_gradient(loss, at=at, got={"W": bad, "b": grad["b"]}, rng=rng)
    worst = report.params[0]
    assert worst.worst_index == (1, 0) and worst.analytic == pytest.approx(bad[1, 0])
    assert worst.numeric == pytest.approx(grad["W"][1, 0], rel=1e-8)
    assert report.diagnosis.kind == "partial" and report.diagnosis.wrong_indices == ((1, 0),)
    for lang in ("en", "ko"):
        text = render(report.message, lang)
        assert "W[1, 0]" in text and f"{bad[1, 0]:.6g}" in text and f"{grad['W'][1, 0]:.6g}" in text
        assert "W[1, 0]" in render(report.hint, lang)


@pytest.mark.parametrize(
    ("factor", "batch_size", "kind", "factor_name", "hint"),
    [
        (-1.0, None, "sign", "-1", "gradient.hint_sign"),
        (6.0, 6, "scale", "batch size", "gradient.hint_scale_batch"),
        (1 / 6, 6, "scale", "1/batch size", "gradient.hint_scale_inv_batch"),
        (2.0, 6, "scale", "2", "gradient.hint_scale_two"),
        (0.5, None, "scale", "0.5", "gradient.hint_scale_half"),
        (-6.0, 6, "scale", "-batch size", "gradient.hint_scale_other"),
        (3.0, None, "scale", "3", "gradient.hint_scale_other"),
    ],
)
def test_a_constant_factor_is_named(
    factor: float, batch_size: int | None, kind: str, factor_name: str, hint: str
) -> None:
    rng = np.random.default_rng(17)
    loss, at, grad = _regression(rng)
    report = check_gradient(loss, at=at, got={"W": grad["W"] * factor, "b": grad["b"]}, rng=rng, batch_size=batch_size)
    assert (report.diagnosis.kind, report.diagnosis.factor_name) == (kind, factor_name)
    assert report.diagnosis.factor == pytest.approx(factor)
    assert report.hint.key == hint
    assert "6" in render(report.hint, "en") if "batch" in factor_name else True


def test_transpose_zero_and_time_steps_are_named() -> None:
    rng = np.random.default_rng(18)
    loss, at, grad = _regression(rng, d=3, m=3)
    transposed = check_gradient(loss, at=at, got={"W": grad["W"].T.copy()}, rng=rng)
    assert transposed.diagnosis.kind == "transpose" and transposed.hint.key == "gradient.hint_transpose"
    zeroed = check_gradient(loss, at=at, got={"W": np.zeros((3, 3))}, rng=rng)
    assert zeroed.diagnosis.kind == "zero" and zeroed.diagnosis.value == pytest.approx(
        grad["W"].reshape(-1)[np.argmax(np.abs(grad["W"]))], rel=1e-6
    )

    x = rng.standard_normal((2, 4, 3))  # (batch, time, features)
    weights = rng.standard_normal((2, 4, 3))
    dx = 2 * x * weights
    dx[:, -1] = 0.0  # the last step left out
    report = check_gradient(
        lambda x: float(np.sum(x**2 * weights)), at={"x": x}, got={"x": dx}, rng=rng, time_axis={"x": 1}
    )
    assert report.diagnosis.kind == "partial" and report.diagnosis.wrong_axis_indices == (3,)
    assert (report.diagnosis.axis, report.diagnosis.axis_length, report.diagnosis.n_wrong) == (1, 4, 6)
    assert "3" in render(report.hint, "en") and "BPTT" in render(report.hint, "ko")


def test_every_kind_is_one_of_the_documented_kinds() -> None:
    assert KINDS == ("wrong_shape", "nonfinite", "zero", "sign", "scale", "transpose", "partial", "mismatch")
    rng = np.random.default_rng(19)
    loss, at, grad = _regression(rng, d=4, m=3)
    scrambled = rng.standard_normal(grad["W"].shape)
    report = check_gradient(loss, at=at, got={"W": scrambled}, rng=rng)
    assert report.diagnosis.kind == "mismatch" and report.hint.key == "gradient.hint_mismatch"
