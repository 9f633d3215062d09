"""Checking one parameter's gradient: first look, second look, redraws, result.

First look: one central difference per planned coordinate and direction. Anything whose relative
error exceeds the tolerance is a suspect; suspects get a second look (``examine``: three step sizes,
Richardson extrapolation, an error estimate, a kink test, closer steps if undecided) in order of
decreasing error, and only a confirmed failure makes the parameter fail. Sampled coordinates and
directions that are skipped are replaced while spares last. Once a few failures are confirmed the verdict
cannot change, so the remaining suspects keep their first-look numbers (enough for the diagnosis) and cost
nothing more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import overload

import numpy as np

from grader.engine.gradcheck import sampling
from grader.engine.gradcheck.compare import CONFIDENCE, FAIL, PASS, SKIP, floor, relative_error
from grader.engine.gradcheck.diagnose import Evidence, diagnose
from grader.engine.gradcheck.examine import examine
from grader.engine.gradcheck.loss import Loss
from grader.engine.gradcheck.numeric import CoordinateLine, DirectionLine, coordinate_steps, step_fraction
from grader.engine.gradcheck.point import Point
from grader.engine.gradcheck.report import Diagnosis, ParamResult

SUSPECT = "suspect"
CONFIRMATIONS = 8
"""Confirmed failures after which a parameter's second look stops."""


@dataclass(frozen=True, kw_only=True)
class Context:
    """Everything about the check that is the same for every parameter."""

    loss: Loss
    """f, counting its calls."""
    point: Point
    """The point's private copies."""
    g0: float
    """The loss at the point."""
    noise_bound: float
    """How far rounding can move one loss value (modelled and measured; see ``noise``)."""
    eps: float
    """The loss's precision: the coarsest of f's output dtype and the checked parameters' dtypes."""
    rtol: float
    """The relative-error tolerance."""
    budget: int
    """First-look evaluations per parameter."""
    rng: np.random.Generator
    """Randomness for sampling (the caller's)."""

    @overload
    def noise(self, step: float) -> float: ...
    @overload
    def noise(self, step: np.ndarray) -> np.ndarray: ...
    def noise(self, step: float | np.ndarray) -> float | np.ndarray:
        """How far rounding can move a central difference with this step: (e+ - e-) / 2h <= bound / h."""
        return self.noise_bound / step


@dataclass(frozen=True, kw_only=True)
class _Param:
    """The parameter being checked, as every step of its check sees it."""

    name: str
    """Its name in ``at``."""
    x: np.ndarray
    """Its values at the point, flat, in float64."""
    analytic: np.ndarray
    """The student's gradient, in the parameter's shape."""
    flat_analytic: np.ndarray
    """The same, flat."""
    steps: np.ndarray
    """The first look's step for each coordinate."""
    batch_size: int | None
    """The batch size the diagnosis may name."""
    time_axis: int | None
    """The parameter's time axis, for a diagnosis by time step."""


@dataclass(slots=True, kw_only=True)
class _Item:
    """Working state of one compared quantity, a coordinate (``index``) or a random direction
    (``index`` None), updated in place as it is looked at."""

    line: CoordinateLine | DirectionLine
    """The loss along this coordinate or direction."""
    step: float
    """The first look's step, which a second look starts from."""
    analytic: float
    """The student's derivative along the line (an entry, or v . gradient)."""
    index: int | None
    """The flat index of the coordinate; None for a direction."""
    numeric: float = math.nan
    """The numeric derivative, from the latest look."""
    floor: float = 0.0
    """The relative error's floor here for central differences (what a second look is judged against)."""
    rel: float = math.nan
    """The relative error, from the latest look."""
    outcome: str = SUSPECT
    """PASS, FAIL, SKIP, or SUSPECT (failed the first look, not looked at again)."""
    trusted: bool = False
    """``numeric`` is good to the tolerance (a diagnosis may use it)."""


def check_param(
    ctx: Context, name: str, analytic: np.ndarray, batch_size: int | None, time_axis: int | None
) -> ParamResult:
    """Compare ``analytic`` with the numeric gradient of the loss with respect to ``name``."""
    x = ctx.point.flat64(name)
    param = _Param(
        name=name,
        x=x,
        analytic=analytic,
        flat_analytic=analytic.reshape(-1),
        steps=coordinate_steps(x, step_fraction(ctx.eps)),
        batch_size=batch_size,
        time_axis=time_axis,
    )
    plan = sampling.plan(x.size, ctx.budget, ctx.rng)
    coords = [_coordinate(ctx, param, int(i)) for i in plan.coordinates]
    directions = [_direction(ctx, param) for _ in range(plan.directions)]
    scales = _first_look(ctx, coords), _first_look(ctx, directions)
    _second_looks(ctx, coords)
    _second_looks(ctx, directions)
    if plan.how == sampling.SAMPLED:
        coords, directions = _redraw(ctx, param, plan, (coords, directions), scales)
    return _result(ctx, param, plan, coords, directions)


def _coordinate(ctx: Context, param: _Param, i: int) -> _Item:
    line = CoordinateLine(ctx.loss, ctx.point, param.name, i, float(param.x[i]), ctx.g0)
    return _Item(line=line, step=float(param.steps[i]), analytic=float(param.flat_analytic[i]), index=i)


def _direction(ctx: Context, param: _Param) -> _Item:
    d = sampling.direction(np.maximum(np.abs(param.x), 1.0), ctx.rng)
    line = DirectionLine(ctx.loss, ctx.point, param.name, param.x, d, param.flat_analytic, ctx.g0)
    return _Item(line=line, step=step_fraction(ctx.eps), analytic=float(param.flat_analytic @ d), index=None)


def _first_look(ctx: Context, items: list[_Item], scale: float | None = None) -> float:
    """One central difference each, judged against a floor set by the largest of them (or by ``scale``,
    for replacements judged like the items they replace). Returns the scale used."""
    if not items:
        return 0.0 if scale is None else scale
    if ctx.loss.batches:
        ctx.loss.prefetch([arguments for item in items for arguments in item.line.arguments(item.step)])
    numeric = np.asarray([item.line.slopes(item.step).central for item in items])
    if scale is None:
        finite = numeric[np.isfinite(numeric)]
        scale = float(np.max(np.abs(finite), initial=0.0))
    floors = floor(scale, ctx.noise(np.asarray([item.step for item in items])), ctx.rtol)
    rels = relative_error(np.asarray([item.analytic for item in items]), numeric, floors)
    for item, value, item_floor, rel in zip(items, numeric, floors, rels):
        item.numeric, item.floor, item.rel = float(value), float(item_floor), float(rel)
        # NaN (the loss is not finite a step away) is a suspect too: a smaller step may settle it.
        item.outcome = PASS if rel <= ctx.rtol else SUSPECT
        item.trusted = item.outcome == PASS
    return scale


def _second_looks(ctx: Context, items: list[_Item]) -> None:
    """Second look at the suspects, worst first, until enough failures are confirmed."""
    suspects = sorted(
        (item for item in items if item.outcome == SUSPECT),
        key=lambda item: -item.rel if math.isfinite(item.rel) else -math.inf,
    )
    if ctx.loss.batches:  # one round trip for the steps every second look starts with, not one per step
        ctx.loss.prefetch(
            [
                arguments
                for item in suspects[:CONFIRMATIONS]
                for t in _second_look_steps(item)
                for arguments in item.line.arguments(t)
            ]
        )
    confirmed = 0
    for item in suspects:
        if confirmed >= CONFIRMATIONS:
            break  # the parameter fails whatever the rest show; they keep their first-look numbers
        verdict = examine(item.line, item.step, item.analytic, item.floor, item.index is not None, ctx.rtol, ctx.noise)
        item.numeric, item.rel, item.outcome, item.trusted = (
            verdict.numeric,
            verdict.rel_error,
            verdict.outcome,
            verdict.trusted,
        )
        confirmed += verdict.outcome == FAIL


def _second_look_steps(item: _Item) -> tuple[float, ...]:
    """The steps a second look starts with that the first look has not measured."""
    return (2 * item.step, item.step / 2)


def _redraw(
    ctx: Context,
    param: _Param,
    plan: sampling.Plan,
    items: tuple[list[_Item], list[_Item]],
    scales: tuple[float, float],
) -> tuple[list[_Item], list[_Item]]:
    """Replace sampled coordinates and directions (``items``, with their first looks' ``scales``) that were
    skipped, while spares last."""
    (coords, directions), (coord_scale, direction_scale) = items, scales
    spare = plan.spare
    pending, pending_directions = _skipped(coords), _skipped(directions)
    while spare > 0 and (pending or pending_directions):
        taken = np.asarray([item.index for item in coords], dtype=np.int64)
        asked = min(pending, spare)
        indices = sampling.more_coordinates(param.x.size, taken, asked, ctx.rng)
        fresh = [_coordinate(ctx, param, int(i)) for i in indices]
        fresh_directions = [_direction(ctx, param) for _ in range(min(pending_directions, spare - len(fresh)))]
        spare -= len(fresh) + len(fresh_directions)
        for batch, scale in ((fresh, coord_scale), (fresh_directions, direction_scale)):
            _first_look(ctx, batch, scale)
            _second_looks(ctx, batch)
        coords, directions = coords + fresh, directions + fresh_directions
        pending = _skipped(fresh) if len(indices) == asked else 0  # fewer than asked: none left to draw
        pending_directions = _skipped(fresh_directions)
    return coords, directions


def _skipped(items: list[_Item]) -> int:
    return sum(item.outcome == SKIP for item in items)


def _result(
    ctx: Context, param: _Param, plan: sampling.Plan, coords: list[_Item], directions: list[_Item]
) -> ParamResult:
    compared = [item for item in coords if item.outcome != SKIP]
    compared_directions = [item for item in directions if item.outcome != SKIP]
    failed = any(item.outcome == FAIL for item in compared + compared_directions)
    if failed:
        # Report a wrong entry if there is one (it has an index to show), else a wrong direction.
        pool = [item for item in compared if item.outcome != PASS] or [
            item for item in compared_directions if item.outcome == FAIL
        ]
    else:
        pool = compared + compared_directions
    worst = max(pool, key=lambda item: item.rel if math.isfinite(item.rel) else math.inf, default=None)
    return ParamResult(
        name=param.name,
        ok=not failed,
        max_rel_error=worst.rel if worst is not None else math.nan,
        worst_index=None if worst is None or worst.index is None else _unravel(worst.index, param.analytic.shape),
        analytic=worst.analytic if worst is not None else math.nan,
        numeric=worst.numeric if worst is not None else math.nan,
        n_checked=len(compared),
        n_kinks_skipped=len(coords) + len(directions) - len(compared) - len(compared_directions),
        how=plan.how,
        n_directions=len(compared_directions),
        worst_is_direction=worst is not None and worst.index is None,
        diagnosis=_diagnose(ctx, param, compared, compared_directions) if failed else None,
        flat=not failed
        and bool(compared)
        and all(abs(item.numeric) <= item.floor for item in compared + compared_directions),
    )


def _diagnose(ctx: Context, param: _Param, compared: list[_Item], compared_directions: list[_Item]) -> Diagnosis:
    steps = np.asarray([item.step for item in compared])
    evidence = Evidence(
        name=param.name,
        analytic=param.analytic,
        indices=np.asarray([item.index for item in compared], dtype=np.int64),
        numeric=np.asarray([item.numeric for item in compared]),
        floor=np.asarray([item.floor for item in compared]),
        slack=CONFIDENCE * np.asarray(ctx.noise(steps / 2)),
        trusted=np.asarray([item.trusted for item in compared], dtype=bool),
        wrong=np.asarray([item.outcome != PASS for item in compared], dtype=bool),
        scale=_scale(compared),
        rtol=ctx.rtol,
        directions_failed=any(item.outcome == FAIL for item in compared_directions),
        batch_size=param.batch_size,
        time_axis=param.time_axis,
    )
    return diagnose(evidence)


def _scale(items: list[_Item]) -> float:
    values = [abs(item.numeric) for item in items if math.isfinite(item.numeric)]
    return max(values, default=0.0)


def _unravel(index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(index, shape))
