"""The first look's difference: one-sided in float64 (one evaluation per entry), central where that is
too coarse (float32) or too noisy (a loss of 1e8 + |x|^2), and a claimed gradient cannot choose a blind one."""

from __future__ import annotations

import numpy as np

from grader.engine.gradcheck import check_gradient
from grader.i18n import render

SIZE = 10
POINT_AND_NOISE_PROBE = 1 + 7


def _smooth(dtype: type):
    rng = np.random.default_rng(5)
    C = rng.standard_normal(SIZE)
    x = rng.standard_normal(SIZE).astype(dtype)

    def loss(x):
        return float(np.sum(np.tanh(x) * C.astype(dtype)))

    return loss, x, (1 - np.tanh(x.astype(np.float64)) ** 2) * C


def test_a_float64_first_look_costs_one_evaluation_per_entry() -> None:
    loss, x, grad = _smooth(np.float64)
    report = check_gradient(loss, at={"x": x}, got={"x": grad}, rng=np.random.default_rng(0))
    assert report.ok and report.params[0].n_checked == SIZE
    assert report.evaluations == POINT_AND_NOISE_PROBE + SIZE and report.params[0].evaluations == SIZE


def test_a_float32_first_look_is_central() -> None:
    loss, x, grad = _smooth(np.float32)
    report = check_gradient(loss, at={"x": x}, got={"x": grad.astype(np.float32)}, rng=np.random.default_rng(0))
    assert report.ok, render(report.message, "en")
    assert report.params[0].evaluations == 2 * SIZE


def _noisy(x):
    return 1e8 + float(np.sum(x**2))


def test_a_loss_too_noisy_for_one_sided_differences_gets_central_ones_and_still_sees_a_sign_error() -> None:
    x = np.random.default_rng(1).standard_normal(5)
    good = check_gradient(_noisy, at={"x": x}, got={"x": 2 * x}, rng=np.random.default_rng(0))
    assert good.ok and good.params[0].evaluations == 2 * x.size
    assert not check_gradient(_noisy, at={"x": x}, got={"x": -2 * x}, rng=np.random.default_rng(0)).ok


def test_an_inflated_entry_cannot_buy_a_blind_first_look() -> None:
    # A huge claimed entry makes the one-sided look's slack look small next to the gradient; the entry
    # itself is then wrong, and the parameter fails on it.
    x = np.random.default_rng(2).standard_normal(5)
    claimed = -2 * x
    claimed[0] = 1e12
    report = check_gradient(_noisy, at={"x": x}, got={"x": claimed}, rng=np.random.default_rng(0))
    assert not report.ok
