"""The numeric building blocks: steps, second look, kinks, noise, tolerances, floors, private copies."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.engine.gradcheck import check_gradient
from grader.engine.gradcheck.compare import FAIL, PASS, SKIP, default_rtol, floor, judge, relative_error
from grader.engine.gradcheck.loss import Loss, scalar
from grader.engine.gradcheck.noise import noise_level
from grader.engine.gradcheck.numeric import CoordinateLine, Estimate, coordinate_steps, second_look, step_fraction
from grader.engine.gradcheck.point import Point

EPS64, EPS32 = float(np.finfo(np.float64).eps), float(np.finfo(np.float32).eps)


def _line(f, x: float, dtype: type = np.float64) -> CoordinateLine:
    point = Point({"x": np.array([x], dtype=dtype)}, ["x"])
    loss = Loss(lambda x: f(float(x[0])), scalar)
    return CoordinateLine(loss, point, "x", 0, float(np.array(x, dtype=dtype)), f(float(np.array(x, dtype=dtype))))


def test_steps_scale_with_each_coordinate_and_the_precision() -> None:
    steps = coordinate_steps(np.array([0.0, 1e-8, -3.0, 1e4]), step_fraction(EPS64))
    np.testing.assert_allclose(steps, step_fraction(EPS64) * np.array([1.0, 1.0, 3.0, 1e4]))
    assert step_fraction(EPS64) == pytest.approx(6.06e-6, rel=1e-2)
    assert step_fraction(EPS32) == pytest.approx(4.92e-3, rel=1e-2)


def test_richardson_removes_the_h_squared_error() -> None:
    estimate = second_look(_line(math.exp, 0.0), 1e-2, 0.0)
    central_error = abs(estimate.candidates[1] - 1.0)
    assert central_error > 1e-6  # exp'''(0) h^2 / 6 at h = 1e-2
    assert abs(estimate.best - 1.0) < 1e-9
    assert estimate.kink < 1e-6 and estimate.instability < 1e-8  # O(h^3) for a smooth function


def test_a_float32_parameter_divides_by_the_step_actually_taken() -> None:
    # 1 + 1e-4 is not a float32: f sees a rounded value, and the quotient must use that one.
    line = _line(lambda x: 3.0 * x, 1.0, np.float32)
    assert line.slopes(1e-4).central == pytest.approx(3.0, rel=1e-12)


def test_curvature_is_not_a_kink_but_a_tie_is() -> None:
    curved = second_look(_line(lambda x: 1e4 * x * x, 1e-3), 1e-3, 0.0)  # large g'' next to a small g'
    assert curved.kink < 1e-6 and abs(curved.best - 20.0) < 1e-8
    for where in (0.0, 3e-4, -4e-4):  # a kink at, or within half a step of, the point
        kinked = second_look(_line(lambda x: abs(x - where), 0.0), 1e-3, 0.0)
        slope = -1.0 if where > 0 else 1.0
        distance = min(abs(slope - c) for c in kinked.candidates)
        assert kinked.kink >= distance / 2 or distance < 1e-9


def _estimate(values, instability=0.0, noise=0.0, kink=0.0) -> Estimate:
    return Estimate(candidates=tuple(values), best=values[-1], instability=instability, noise=noise, kink=kink)


def test_judge_passes_fails_and_skips_for_the_right_reasons() -> None:
    clean = _estimate([1.0] * 5)
    assert judge(1.0 + 1e-7, clean, 1e-5, 1e-3).outcome == PASS
    assert judge(-1.0, clean, 1e-5, 1e-3).outcome == FAIL
    noisy = _estimate([1.0] * 5, noise=0.01)
    assert judge(1.02, noisy, 1e-5, 1e-3).outcome == PASS  # within 3x the rounding noise
    unstable = _estimate([1.0, 1.2, 0.9, 1.1, 1.3], instability=0.2)
    assert judge(1.6, unstable, 1e-5, 1e-3).outcome == SKIP
    tie = _estimate([0.5] * 5, kink=0.5)  # slopes 0 and 1: a max-pooling tie
    assert judge(1.0, tie, 1e-5, 1e-3).outcome == SKIP and judge(0.0, tie, 1e-5, 1e-3).outcome == SKIP
    assert judge(3.0, tie, 1e-5, 1e-3).outcome == FAIL  # no one-sided slope is anywhere near 3
    assert judge(1.0, tie, 1e-5, 1e-3, along_axis=False).outcome == SKIP
    assert judge(1.0, _estimate([math.nan] * 5), 1e-5, 1e-3).outcome == SKIP


def test_the_noise_estimate_finds_white_noise_and_ignores_smooth_change() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(8) * 1e-3
    estimates = [noise_level(1.0 + 0.3 * t + 2.0 * t**2 + 1e-6 * rng.standard_normal(8)) for _ in range(200)]
    assert 0.5e-6 < np.median(estimates) < 2e-6
    assert noise_level(1.0 + 0.3 * t + 2.0 * t**2) < 1e-15  # only float64's own rounding in the values
    assert noise_level(np.ones(8)) is None  # the points were too close to change anything


def test_cancellation_noise_is_measured_where_eps_times_the_loss_would_miss_it() -> None:
    rng = np.random.default_rng(1)
    terms = rng.standard_normal(200).astype(np.float32) * 1e3
    x = np.ones(200)

    def cancelling(x):  # about 1e4 in float32 terms, summing to nearly 0
        return float(np.sum((terms * np.asarray(x, dtype=np.float32)) - terms))

    values = [cancelling(x + i * 16 * EPS32 * rng.choice((-1.0, 1.0), 200)) for i in range(8)]
    assert noise_level(values) > 100 * EPS32 * abs(cancelling(x)) + 1e-6


@pytest.mark.parametrize(
    ("eps_numeric", "eps_analytic", "expected"),
    [
        (EPS64, EPS64, 1e-5),
        (EPS32, EPS64, 400 * EPS32 ** (2 / 3)),
        (EPS64, EPS32, math.sqrt(EPS32)),
        (float(np.finfo(np.float16).eps), EPS64, 0.1),
    ],
)
def test_the_default_tolerance_follows_the_precisions(eps_numeric: float, eps_analytic: float, expected: float) -> None:
    assert default_rtol(eps_numeric, eps_analytic) == pytest.approx(expected)


def test_the_relative_error_has_a_floor() -> None:
    assert relative_error(1.0, -1.0, 1e-3) == 1.0
    assert relative_error(2.0, 1.0, 1e-3) == pytest.approx(1 / 3)
    assert relative_error(1e-13, 3e-14, 1e-3) < 1e-9  # two tiny numbers are not "100% off"
    assert floor(2.0, 1e-9, 1e-5) == pytest.approx(2e-3)  # a thousandth of the gradient's scale ...
    assert floor(2.0, 1e-6, 1e-5) == pytest.approx(0.1)  # ... or what rounding noise alone can do


def test_the_point_hands_out_copies_in_the_dtype_it_was_given() -> None:
    W = np.arange(4.0, dtype=np.float32).reshape(2, 2)
    point = Point({"W": W, "n": 3}, ["W"])
    arguments, seen = point.with_coordinate("W", 3, 3.0 + 1e-4)
    assert arguments["W"].dtype == np.float32 and seen == float(np.float32(3.0 + 1e-4)) and seen != 3.0 + 1e-4
    arguments["W"][:] = -1
    np.testing.assert_array_equal(point.kwargs()["W"], W)
    assert point.kwargs()["W"] is not point.kwargs()["W"]


def test_float32_arithmetic_behind_a_python_float_is_found_and_checked_as_float32() -> None:
    rng = np.random.default_rng(2)
    X, R, W = rng.standard_normal((5, 4)), rng.standard_normal((5, 3)), rng.standard_normal((4, 3))

    def hidden(W):  # computes in float32, hands back a Python float: its dtype says float64
        return float(np.sum(np.tanh(X.astype(np.float32) @ np.asarray(W, dtype=np.float32)) * R.astype(np.float32)))

    Z = np.tanh(X @ W)
    dW = X.T @ ((1 - Z**2) * R)
    report = check_gradient(hidden, at={"W": W}, got={"W": dW}, rng=rng)
    assert report.ok and report.rtol == pytest.approx(default_rtol(EPS32, EPS64))
    assert report.evaluations == 1 + 7 + 7 + 2 * 12  # a second noise probe, at float32's ulps
    assert not check_gradient(hidden, at={"W": W}, got={"W": 2 * dW}, rng=rng).ok


@pytest.mark.filterwarnings("ignore:invalid value encountered in log")
@pytest.mark.parametrize("tiny", [1e-7, 1e-10, 1e-15])
def test_a_step_that_leaves_the_domain_is_retried_smaller_until_it_fits(tiny: float) -> None:
    # log(x) at x = 1e-10: the first step (6e-6) lands at negative x, where the loss is NaN.
    x = np.array([tiny, 0.5, 2.0])
    good = check_gradient(
        lambda x: float(np.sum(np.log(x))), at={"x": x}, got={"x": 1 / x}, rng=np.random.default_rng(3)
    )
    assert good.ok and good.params[0].n_checked == 3 and good.params[0].n_kinks_skipped == 0
    wrong = np.array([-1 / tiny, 2.0, 0.5])
    bad = check_gradient(
        lambda x: float(np.sum(np.log(x))), at={"x": x}, got={"x": wrong}, rng=np.random.default_rng(3)
    )
    assert not bad.ok and bad.params[0].worst_index == (0,)
