"""Smooth functions that are hard on finite differences: steep, oscillating, near a domain edge, with a
large offset or cancelling float32 terms. A correct gradient passes and a flipped one fails, every seed."""

from __future__ import annotations

import numpy as np
import pytest

from grader.engine.gradcheck import check_gradient
from grader.i18n import render

SEEDS = 100


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def _float32_cancelling(x: np.ndarray) -> np.float32:
    x32 = x.astype(np.float32)
    return np.float32(np.sum(x32**3) - np.sum(x32**3) + np.sum(x32**2))


HARD = {
    # name: (loss, its gradient, a random point)
    "oscillating sin(1000 x)": (
        lambda x: float(np.sum(np.sin(1000 * x))),
        lambda x: 1000 * np.cos(1000 * x),
        lambda rng: rng.standard_normal(5),
    ),
    "steep exp(10 x)": (
        lambda x: float(np.sum(np.exp(10 * x))),
        lambda x: 10 * np.exp(10 * x),
        lambda rng: 3 * rng.standard_normal(5),
    ),
    "log-sum-exp of logits ~100": (
        lambda x: float(x.max() + np.log(np.sum(np.exp(x - x.max())))),
        _softmax,
        lambda rng: 100 * rng.standard_normal(6),
    ),
    "1/x near the pole": (
        lambda x: float(np.sum(1 / x)),
        lambda x: -1 / x**2,
        lambda rng: rng.uniform(1e-3, 1e-2, 5) * rng.choice((-1, 1), 5),
    ),
    "sqrt(x) at x ~ 1e-7": (
        lambda x: float(np.sum(np.sqrt(x))),
        lambda x: 0.5 / np.sqrt(x),
        lambda rng: rng.uniform(1e-8, 1e-6, 5),
    ),
    "norm at x ~ 1e-6": (
        lambda x: float(np.linalg.norm(x)),
        lambda x: x / np.linalg.norm(x),
        lambda rng: 1e-6 * rng.standard_normal(5),
    ),
    "1e8 + |x|^2": (lambda x: 1e8 + float(np.sum(x**2)), lambda x: 2 * x, lambda rng: rng.standard_normal(5)),
    "float32 terms ~1e4 that cancel": (_float32_cancelling, lambda x: 2 * x, lambda rng: 30 * rng.standard_normal(5)),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", sorted(HARD))
def test_hard_smooth_functions(name: str) -> None:
    loss, gradient, draw = HARD[name]
    for seed in range(SEEDS):
        rng = np.random.default_rng(seed)
        x = draw(rng)
        good = check_gradient(loss, at={"x": x}, got={"x": gradient(x)}, rng=rng)
        assert good.ok and good.params[0].n_checked == x.size, (seed, render(good.message, "en"))
        bad = check_gradient(loss, at={"x": x}, got={"x": -gradient(x)}, rng=rng)
        assert not bad.ok, seed
