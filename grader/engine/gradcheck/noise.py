"""Measuring the rounding noise of the loss near the point.

How far rounding can move a loss value is not ``eps * |loss|`` when the loss is a small sum of large
terms of both signs (``sum(h * R)`` with random R, a float32 RNN): then it is ``eps * sum |terms|``,
which only ``f`` knows. So it is measured: evaluate the loss at a few points a few ulps apart, where
the smooth part of ``f`` changes by almost nothing, and read the noise off a difference table: the
k-th differences of a smooth function shrink like step^k, those of noise do not, and they change sign.
This is the difference-table estimator of Moré and Wild ("Estimating computational noise", SIAM J.
Sci. Comput. 33(3), 2011), written from its description.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from grader.engine.gradcheck.loss import EPS64, Loss, Value
from grader.engine.gradcheck.point import Point

EPS32 = float(np.finfo(np.float32).eps)
NOISE_FACTOR = 4.0
"""One loss value is trusted to within this many times its rounding noise."""
POINTS = 8
"""Loss values in the table (the point itself and seven more)."""
ULPS = 16
"""How far apart the points are, in units of the loss's epsilon times each coordinate's scale."""


@dataclass(frozen=True)
class Noise:
    """What rounding does to the loss near the point."""

    bound: float
    """How far rounding can move one loss value: NOISE_FACTOR times the larger of eps * magnitude and
    the measured noise."""
    eps: float
    """The precision f evidently computes in: the declared one (its output's and the parameters'
    dtypes), or float32's (float16's) if every value f gave is a float32 (float16) number: float32
    arithmetic handed back as a Python float."""


def noise_level(values: Sequence[float]) -> float | None:
    """The standard deviation of the noise in equally spaced loss values.

    None if the points were too close to matter (most values identical after rounding); 0 if the
    differences never settled into noise, and callers then rely on their model of the noise.
    """
    table = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(table)) or table.size < 4:
        return 0.0
    levels, sign_changes = [], []
    gamma = 1.0
    for order in range(1, table.size):
        table = np.diff(table)
        if order == 1 and np.count_nonzero(table == 0.0) >= table.size / 2:
            return None
        # gamma_k = (k!)^2 / (2k)!: the variance of the k-th difference of unit white noise is 1/gamma_k.
        gamma *= 0.5 * order / (2 * order - 1)
        levels.append(math.sqrt(gamma * float(np.mean(table**2))))
        sign_changes.append(float(table.min()) * float(table.max()) < 0.0)
    for k in range(len(levels) - 2):
        window = levels[k : k + 3]
        # Noise: three consecutive orders agree within a factor 4, and the differences change sign.
        if max(window) <= 4 * min(window) and sign_changes[k]:
            return levels[k]
    return 0.0


def probe_direction(scales: dict[str, np.ndarray], eps: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A move of every checked coordinate by ULPS * eps * its scale, with random signs.

    Per coordinate rather than of unit length: every input must change by several ulps of the dtype f
    computes in, however many coordinates there are, or the noise is not exercised.
    """
    return {name: ULPS * eps * scale * rng.choice((-1.0, 1.0), size=scale.size) for name, scale in scales.items()}


def measure(loss: Loss, point: Point, names: list[str], base: Value, eps: float, rng: np.random.Generator) -> Noise:
    """The loss's noise near the point, POINTS - 1 evaluations per precision tried (every checked
    parameter moved at once): first at the declared precision, then, if the values were mostly
    unchanged (the moves too small to tell noise from nothing), at float32's.

    f computes in float32 (or float16) whatever it returns if every value it gave is a float32 (float16)
    number: a float64 loss practically never is (one in 2^29 per value), float32 arithmetic handed back
    as a Python float always is. At least two distinct values are needed for that evidence.
    """
    start = {name: point.flat64(name) for name in names}
    scales = {name: np.maximum(np.abs(x), 1.0) for name, x in start.items()}
    seen = [base.value]
    level = None
    for precision in [eps] + ([EPS32] if EPS32 > eps else []):
        values = _probe(loss, point, start, probe_direction(scales, precision, rng), base)
        seen += values[1:]
        level = noise_level(values)
        if level is not None:
            break
    effective = max(eps, _evident_eps(seen))
    return Noise(NOISE_FACTOR * max(effective * base.magnitude, level or 0.0), effective)


def _evident_eps(values: list[float]) -> float:
    """The coarsest of float16 and float32 in which every value is exact, or float64's epsilon."""
    array = np.asarray(values, dtype=np.float64)
    if np.unique(array).size < 2:
        return EPS64
    for dtype in (np.float16, np.float32):
        with np.errstate(over="ignore"):
            if np.array_equal(array.astype(dtype).astype(np.float64), array):
                return float(np.finfo(dtype).eps)
    return EPS64


def _probe(
    loss: Loss, point: Point, start: dict[str, np.ndarray], move: dict[str, np.ndarray], base: Value
) -> list[float]:
    points = [point.with_changes({name: start[name] + i * move[name] for name in start})[0] for i in range(1, POINTS)]
    loss.prefetch(points)
    return [base.value] + [loss(arguments) for arguments in points]
