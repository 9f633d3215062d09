"""Past the budget: a sample of coordinates plus random directional derivatives, at a bounded cost."""

from __future__ import annotations

import numpy as np
import pytest

from grader.engine.gradcheck import check_gradient
from grader.engine.gradcheck.sampling import DEFAULT_BUDGET, DIRECTIONS
from grader.i18n import render

SEEDS = 40
SAMPLED_COORDINATES = (DEFAULT_BUDGET - 2 * DIRECTIONS) // 2


def _layer(rng: np.random.Generator, d: int, h: int, dtype: type = np.float64):
    """loss = sum(tanh(X W) * R) / n for a (d, h) weight matrix, and its gradient."""
    n = 4
    X, R = rng.standard_normal((n, d)), rng.standard_normal((n, h))
    W = rng.standard_normal((d, h)) / np.sqrt(d)

    def loss(W):
        Z = np.tanh(X.astype(dtype) @ np.asarray(W, dtype=dtype))
        return dtype(np.sum(Z * R.astype(dtype)) / n)

    Z = np.tanh(X @ W)
    return loss, W, X.T @ ((1 - Z**2) * R) / n


def _separable(rng: np.random.Generator, size: int):
    C = rng.standard_normal(size)
    W = rng.standard_normal(size)
    return (lambda W: float(np.sum(np.sin(W) * C))), W, np.cos(W) * C


def test_the_cost_stays_flat_past_the_budget() -> None:
    counts = {}
    for size in (2_000, 20_000, 200_000):
        rng = np.random.default_rng(size)
        f, W, dW = _separable(rng, size)
        report = check_gradient(f, at={"W": W}, got={"W": dW}, rng=rng)
        assert report.ok and report.params[0].how == "sampled+directional"
        assert (report.params[0].n_checked, report.params[0].n_directions) == (SAMPLED_COORDINATES, DIRECTIONS)
        counts[size] = report.evaluations
    # the point, the noise probe (7), and two evaluations per sampled coordinate and direction
    assert set(counts.values()) == {1 + 7 + DEFAULT_BUDGET}, counts


def test_the_budget_decides_between_full_and_sampled() -> None:
    rng = np.random.default_rng(0)
    f, W, dW = _separable(rng, 60)
    assert check_gradient(f, at={"W": W}, got={"W": dW}, rng=rng).params[0].how == "full"
    small = check_gradient(f, at={"W": W}, got={"W": dW}, rng=rng, budget=40)
    assert small.params[0].how == "sampled+directional"
    assert small.params[0].n_checked + small.params[0].n_directions == 20  # two evaluations each
    assert small.evaluations == 1 + 7 + 40


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_correct_gradient_passes_when_sampled(dtype: type) -> None:
    for seed in range(SEEDS):
        rng = np.random.default_rng(seed)
        loss, W, dW = _layer(rng, 60, 50, dtype)
        report = check_gradient(loss, at={"W": W}, got={"W": dW}, rng=rng)
        assert report.ok, (seed, render(report.message, "en"))
        assert report.params[0].n_directions == DIRECTIONS


@pytest.mark.parametrize(
    ("mistake", "kind", "factor_name"),
    [
        (lambda g: -g, "sign", "-1"),
        (lambda g: 4 * g, "scale", "batch size"),
        (lambda g: g / 2, "scale", "0.5"),
        (lambda g: np.zeros_like(g), "zero", None),
        (lambda g: g.T.copy(), "transpose", None),
    ],
)
def test_a_bug_everywhere_is_caught_and_named_from_the_sample(mistake, kind: str, factor_name: str | None) -> None:
    for seed in range(SEEDS):
        rng = np.random.default_rng(seed)
        loss, W, dW = _layer(rng, 50, 50)
        report = check_gradient(loss, at={"W": W}, got={"W": mistake(dW)}, rng=rng, batch_size=4)
        assert not report.ok, seed
        assert (report.diagnosis.kind, report.diagnosis.factor_name) == (kind, factor_name), (seed, report.diagnosis)


def test_one_wrong_row_is_caught_by_the_directions_even_when_no_sample_hits_it() -> None:
    unsampled = 0
    for seed in range(SEEDS):
        rng = np.random.default_rng(seed)
        loss, W, dW = _layer(rng, 60, 50)
        wrong = dW.copy()
        wrong[int(rng.integers(60))] = 0.0  # one input's row of the gradient forgotten: 1/60 of the entries
        report = check_gradient(loss, at={"W": W}, got={"W": wrong}, rng=rng)
        assert not report.ok, seed
        assert report.diagnosis.kind == "partial"
        if report.diagnosis.n_wrong == 0:
            unsampled += 1
            assert report.params[0].worst_is_direction and report.params[0].worst_index is None
            assert report.hint.key == "gradient.hint_partial_unsampled"
            assert "v·grad" in render(report.message, "en")
    assert unsampled > 0  # the case the directions exist for did occur


def test_sampled_coordinates_at_kinks_are_redrawn() -> None:
    rng = np.random.default_rng(1)
    size = 5_000
    C = rng.standard_normal(size)
    W = rng.standard_normal(size)
    W[rng.random(size) < 0.2] = 0.0  # ReLU exactly at its kink for a fifth of the entries
    report = check_gradient(lambda W: float(np.sum(np.maximum(W, 0) * C)), at={"W": W}, got={"W": (W > 0) * C}, rng=rng)
    result = report.params[0]
    assert report.ok and result.n_kinks_skipped > 0
    assert result.n_checked + result.n_kinks_skipped > SAMPLED_COORDINATES  # replacements were drawn
    assert result.n_checked > SAMPLED_COORDINATES - result.n_kinks_skipped
