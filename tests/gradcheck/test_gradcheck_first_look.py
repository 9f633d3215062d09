"""The first look's difference: central (two evaluations per entry) in float64 and float32 alike, and a
loss too noisy for small steps (1e8 + |x|^2) still shows a sign error."""

from __future__ import annotations

import numpy as np
import pytest

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


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_first_look_costs_two_evaluations_per_entry(dtype: type) -> None:
    loss, x, grad = _smooth(dtype)
    report = check_gradient(loss, at={"x": x}, got={"x": grad.astype(dtype)}, rng=np.random.default_rng(0))
    assert report.ok and report.params[0].n_checked == SIZE, render(report.message, "en")
    assert report.evaluations == POINT_AND_NOISE_PROBE + 2 * SIZE and report.params[0].evaluations == 2 * SIZE


def _noisy(x):
    return 1e8 + float(np.sum(x**2))


def test_a_noisy_loss_passes_a_right_gradient_and_still_sees_a_sign_error() -> None:
    x = np.random.default_rng(1).standard_normal(5)
    good = check_gradient(_noisy, at={"x": x}, got={"x": 2 * x}, rng=np.random.default_rng(0))
    assert good.ok and good.params[0].evaluations == 2 * x.size
    assert not check_gradient(_noisy, at={"x": x}, got={"x": -2 * x}, rng=np.random.default_rng(0)).ok
