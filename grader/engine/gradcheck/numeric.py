"""Numeric differentiation along a line: central differences, Richardson extrapolation, kinks.

Every numeric derivative here is the derivative of ``g(t) = loss(x + t * e)`` at ``t = 0`` for one line
through the point: ``e`` is a coordinate axis or a random direction. A first look takes one central
difference; a second look (for results that seem wrong) takes three step sizes, extrapolates, estimates
its own error, and measures how much the one-sided slopes disagree, which is how a kink shows itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from grader.engine.gradcheck.loss import EPS64, Loss
from grader.engine.gradcheck.point import Point


def step_fraction(eps: float) -> float:
    """The relative step: eps^(1/3) balances truncation (~h^2) against rounding (~eps/h) for central
    differences; about 6e-6 in float64 and 5e-3 in float32."""
    fraction: float = eps ** (1.0 / 3.0)  # a float to a fractional power: typed Any (it may be complex)
    return fraction


def coordinate_steps(x: np.ndarray, fraction: float) -> np.ndarray:
    """A step per coordinate scaled to its magnitude, never below the fraction itself (values near 0)."""
    steps: np.ndarray = fraction * np.maximum(np.abs(x), 1.0)  # numpy's stubs type ufunc results Any
    return steps


@dataclass(frozen=True)
class Slopes:
    """Difference quotients of ``g`` at one step size."""

    central: float
    """(g(h) - g(-h)) / 2h: the estimate, with error O(h^2) where g is smooth."""
    forward: float
    """(g(h) - g(0)) / h."""
    backward: float
    """(g(0) - g(-h)) / h. Where g is smooth, forward - backward ~ h g'' shrinks with h; across a kink
    it stays near the jump in slope."""


class _Line:
    """A line through the point along which the loss is differentiated; slopes are cached per step
    (the second look reuses the first look's)."""

    _cache: dict[float, Slopes]

    def slopes(self, t: float) -> Slopes:
        """Difference quotients at step ``t`` (two evaluations)."""
        if t not in self._cache:
            self._cache[t] = self._measure(t)
        return self._cache[t]

    def _measure(self, t: float) -> Slopes:
        raise NotImplementedError


class CoordinateLine(_Line):
    """``g(t)``: the loss with one coordinate of one parameter moved by ``t``."""

    def __init__(self, loss: Loss, point: Point, name: str, index: int, x: float, g0: float) -> None:
        self._loss, self._point, self._name, self._index = loss, point, name, index
        self._x, self._g0 = x, g0
        self._cache: dict[float, Slopes] = {}

    def arguments(self, t: float) -> list[dict[str, object]]:
        """The two points :meth:`slopes` evaluates at step ``t`` (for a batch evaluation beforehand)."""
        return [self._point.with_coordinate(self._name, self._index, self._x + sign * t)[0] for sign in (1, -1)]

    def _measure(self, t: float) -> Slopes:
        up_args, up = self._point.with_coordinate(self._name, self._index, self._x + t)
        down_args, down = self._point.with_coordinate(self._name, self._index, self._x - t)
        # Divide by the step actually taken: a float32 parameter rounds x + t.
        h_up, h_down = up - self._x, self._x - down
        if h_up <= 0.0 or h_down <= 0.0:
            return Slopes(math.nan, math.nan, math.nan)
        g_up, g_down = self._loss(up_args), self._loss(down_args)
        return Slopes(
            central=(g_up - g_down) / (h_up + h_down),
            forward=(g_up - self._g0) / h_up,
            backward=(self._g0 - g_down) / h_down,
        )


class DirectionLine(_Line):
    """``g(t)``: the loss with one parameter moved by ``t * d`` along a direction ``d``.

    The slopes estimate ``d . grad``. Rounding the moved parameter to its dtype moves it by ``delta``
    rather than ``t * d``; the slopes add ``analytic . (t*d - delta) / t`` to correct for that. The
    correction is first order in the rounding (tiny next to any real bug) and needed only below float64.
    """

    def __init__(
        self, loss: Loss, point: Point, name: str, x: np.ndarray, d: np.ndarray, analytic: np.ndarray, g0: float
    ) -> None:
        self._loss, self._point, self._name = loss, point, name
        self._x, self._d, self._analytic, self._g0 = x, d, analytic, g0
        self._cache: dict[float, Slopes] = {}

    def arguments(self, t: float) -> list[dict[str, object]]:
        """The two points :meth:`slopes` evaluates at step ``t`` (for a batch evaluation beforehand)."""
        return [self._point.with_values(self._name, self._x + sign * t * self._d)[0] for sign in (1, -1)]

    def _measure(self, t: float) -> Slopes:
        up_args, up = self._point.with_values(self._name, self._x + t * self._d)
        down_args, down = self._point.with_values(self._name, self._x - t * self._d)
        g_up, g_down = self._loss(up_args), self._loss(down_args)
        central, forward, backward = (g_up - g_down) / (2 * t), (g_up - self._g0) / t, (self._g0 - g_down) / t
        if self._point.eps(self._name) > EPS64:
            # Rounded storage: correct for the move actually made. (In float64 the rounding is ~1e-11
            # of the step, and three more passes over a large parameter would cost more than it buys.)
            a, d = self._analytic, self._d
            delta_up, delta_down = up - self._x, down - self._x
            central += float(a @ (d - (delta_up - delta_down) / (2 * t)))
            forward += float(a @ (d - delta_up / t))
            backward += float(a @ (d + delta_down / t))
        return Slopes(central, forward, backward)


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """A second look at one numeric derivative."""

    candidates: tuple[float, ...]
    """Central differences at 2h, h, h/2 and the Richardson extrapolations of the two pairs: every
    estimate a sound comparison may use."""
    best: float
    """The extrapolation from the two smallest steps (error O(h^4) where g is smooth)."""
    instability: float
    """How much the two extrapolations disagree: large where g is not smooth within the steps."""
    noise: float
    """The rounding noise expected at the smallest step, h/2: the resolution of these estimates."""
    kink: float
    """How far the one-sided slopes are from bending like a smooth function's. Where g is smooth,
    forward - backward = h g'' + O(h^3) at every step, so halving the step halves it; at a kink within
    the steps it stays near the jump in slope. The larger misfit of the pairs (h/2, h) and (h, 2h):
    between them they see a kink anywhere inside h/2 at least as large as the gap it can explain."""


def second_look(line: CoordinateLine | DirectionLine, h: float, noise_at_half: float) -> Estimate:
    """Look again at a derivative with three step sizes (four more loss evaluations)."""
    wide, mid, narrow = line.slopes(2 * h), line.slopes(h), line.slopes(h / 2)
    # Central differences have error c2 h^2 + c4 h^4; (4 D(h/2) - D(h)) / 3 cancels the h^2 term.
    coarse = (4 * mid.central - wide.central) / 3
    fine = (4 * narrow.central - mid.central) / 3
    return Estimate(
        candidates=(wide.central, mid.central, narrow.central, coarse, fine),
        best=fine,
        instability=abs(fine - coarse),
        noise=noise_at_half,
        kink=max(abs(_bend(narrow) - _bend(mid) / 2), abs(_bend(mid) - _bend(wide) / 2)),
    )


def _bend(slopes: Slopes) -> float:
    return slopes.forward - slopes.backward
