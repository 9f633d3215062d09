"""Numeric gradient checks that are never wrong about a correct gradient and say what is wrong.

``check_gradient`` compares claimed gradients of a scalar loss with finite differences;
``check_vjp`` does the same for a function with an array output and an upstream gradient ``dout``.
Both return a :class:`GradientReport`; neither raises because the student's gradient is wrong (shape,
type, NaN included). Exceptions raised by ``f`` itself propagate unchanged.

Layout: ``point`` (private copies of the point), ``loss`` (f as a counted float64 scalar), ``noise``
(the loss's rounding noise, measured), ``numeric`` (differences, Richardson, kinks), ``sampling``
(budget, coordinates, directions), ``compare`` (relative error with a floor, verdicts), ``examine``
(the second look), ``check`` (one parameter), ``inputs`` (the claimed gradients' form), ``diagnose``,
``report`` and ``messages``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from grader.engine.gradcheck import inputs, messages
from grader.engine.gradcheck.check import Context, check_param
from grader.engine.gradcheck.compare import default_rtol
from grader.engine.gradcheck.diagnose import shared_factor
from grader.engine.gradcheck.loss import Loss, Reduce, Value, scalar, weighted_sum
from grader.engine.gradcheck.noise import measure
from grader.engine.gradcheck.point import Point
from grader.engine.gradcheck.report import KINDS, Diagnosis, GradientReport, ParamResult
from grader.engine.gradcheck.sampling import DEFAULT_BUDGET, FULL, SAMPLED

__all__ = ["KINDS", "Diagnosis", "GradientReport", "ParamResult", "check_gradient", "check_vjp"]


def check_gradient(
    f: Callable[..., object],
    at: Mapping[str, object],
    got: Mapping[str, object],
    rng: np.random.Generator,
    batch_size: int | None = None,
    time_axis: Mapping[str, int] | None = None,
    rtol: float | None = None,
    budget: int | None = None,
) -> GradientReport:
    """Check ``got[name]`` against the numeric gradient of the scalar ``f(**at)`` for each name.

    ``at`` is never mutated and ``f`` gets fresh copies on every call. ``batch_size`` lets the diagnosis
    name a missing or doubled mean; ``time_axis`` ({name: axis}) lets it say which time steps are wrong.
    ``rtol`` defaults from the precisions of f's output, the parameters and the claimed gradients;
    ``budget`` is the first look's loss evaluations per parameter, counted as two per coordinate (default
    200): up to it every coordinate is checked, beyond it a sample of coordinates plus random
    directional derivatives.
    """
    settings = _Settings(
        rng=rng, batch_size=batch_size, time_axis=time_axis or {}, rtol=rtol, budget=budget or DEFAULT_BUDGET
    )
    return _run(f, scalar, at, got, settings)


def check_vjp(
    f: Callable[..., object],
    at: Mapping[str, object],
    dout: object,
    got: Mapping[str, object],
    rng: np.random.Generator,
    batch_size: int | None = None,
    time_axis: Mapping[str, int] | None = None,
    rtol: float | None = None,
    budget: int | None = None,
) -> GradientReport:
    """Check a backward pass: ``got[name]`` must be the gradient of ``sum(f(**at) * dout)``.

    ``f(**at)`` must return an array of ``dout``'s shape. Options as for :func:`check_gradient`.
    """
    upstream = np.array(dout, dtype=np.float64)
    settings = _Settings(
        rng=rng, batch_size=batch_size, time_axis=time_axis or {}, rtol=rtol, budget=budget or DEFAULT_BUDGET
    )
    return _run(f, weighted_sum(upstream), at, got, settings)


@dataclass(frozen=True, kw_only=True)
class _Settings:
    """The options of one check (see :func:`check_gradient`), defaults filled in."""

    rng: np.random.Generator
    """Randomness for the noise probe and the sampling (the caller's)."""
    batch_size: int | None
    """Lets the diagnosis name a missing or doubled mean."""
    time_axis: Mapping[str, int]
    """{name: axis}: lets the diagnosis say which time steps are wrong."""
    rtol: float | None
    """The relative-error tolerance; None: from the precisions."""
    budget: int
    """First-look loss evaluations per parameter."""


def _run(
    f: Callable[..., object], reduce: Reduce, at: Mapping[str, object], got: Mapping[str, object], settings: _Settings
) -> GradientReport:
    names = _validated(at, got, settings.time_axis)
    point = Point(at, names)
    analytic = {name: inputs.analytic_array(name, got[name], point.shape(name)) for name in names}
    checkable = [name for name in names if not isinstance(analytic[name], Diagnosis)]
    loss = Loss(f, reduce)
    # If every gradient already failed on its form, nothing is compared and f is never called.
    base = _at_the_point(loss, point) if checkable else None
    eps = max([point.eps(name) for name in names] + ([base.eps] if base else []))
    noise = measure(loss, point, checkable, base, eps, settings.rng) if base else None
    eps = noise.eps if noise else eps
    tolerance = settings.rtol
    if tolerance is None:
        tolerance = default_rtol(eps, max(inputs.analytic_eps(got[name]) for name in names))
    ctx = None
    if base is not None and noise is not None:  # noise is measured exactly when there is a base
        ctx = Context(
            loss=loss,
            point=point,
            g0=base.value,
            noise_bound=noise.bound,
            eps=eps,
            rtol=tolerance,
            budget=settings.budget,
            rng=settings.rng,
        )
    results = [_check_one(ctx, point, name, analytic[name], settings) for name in names]
    return _report(shared_factor(results, settings.batch_size, tolerance), loss.evaluations, tolerance)


def _report(results: list[ParamResult], evaluations: int, tolerance: float) -> GradientReport:
    diagnosis = next((result.diagnosis for result in results if not result.ok), None)
    return GradientReport(
        ok=all(result.ok for result in results),
        evaluations=evaluations,
        params=tuple(results),
        diagnosis=diagnosis,
        rtol=tolerance,
        message=messages.summary(results),
        hint=messages.hint(diagnosis) if diagnosis is not None else None,
    )


def _validated(at: Mapping[str, object], got: Mapping[str, object], time_axis: Mapping[str, int]) -> list[str]:
    """The names to check; the check author's mistakes raise ValueError."""
    names = list(got)
    if not names:
        raise ValueError("`got` names no parameter to check")
    unknown = [name for name in time_axis if name not in at]
    if unknown:
        raise ValueError(f"time_axis names {unknown}, which are not parameters in `at`")
    return names


def _at_the_point(loss: Loss, point: Point) -> Value:
    base = loss.evaluate(point.kwargs())
    if not math.isfinite(base.value):
        raise ValueError(f"the loss is {base.value} at the point itself: no gradient can be checked there")
    return base


def _check_one(
    ctx: Context | None, point: Point, name: str, analytic: np.ndarray | Diagnosis, settings: _Settings
) -> ParamResult:
    if isinstance(analytic, Diagnosis):
        # Wrong shape, not numeric, or NaN: nothing to compare, and no loss evaluation is spent.
        how = FULL if 2 * point.size(name) <= settings.budget else SAMPLED
        return ParamResult(
            name=name,
            ok=False,
            max_rel_error=math.inf,
            worst_index=analytic.index,
            analytic=math.nan,
            numeric=math.nan,
            n_checked=0,
            n_kinks_skipped=0,
            how=how,
            diagnosis=analytic,
        )
    assert ctx is not None  # built whenever some gradient has a checkable form
    before = ctx.loss.evaluations
    result = check_param(ctx, name, analytic, settings.batch_size, settings.time_axis.get(name))
    return replace(result, evaluations=ctx.loss.evaluations - before)
