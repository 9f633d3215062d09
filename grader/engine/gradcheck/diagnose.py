"""Naming what is wrong with a gradient, from the entries that were compared.

Each test asks whether the student's gradient would pass after undoing one typical mistake: dividing
by a constant (sign, missing mean, mean taken twice, a stray 2), transposing, or keeping only the
entries that were right. A diagnosis is given only when every compared entry whose numeric value is
trusted supports it, to the check's own tolerance; otherwise it is "mismatch", which claims nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypedDict

import numpy as np

from grader.engine.gradcheck.compare import SCALE_FLOOR
from grader.engine.gradcheck.report import Diagnosis, Factor, ParamResult, shared

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11

# How many wrong indices a diagnosis lists.
LISTED = 10


class _TimeAxis(TypedDict, total=False):
    """Where along a time axis the wrong entries of a partly wrong gradient are (when only some steps are)."""

    axis: int
    wrong_axis_indices: tuple[int, ...]
    axis_length: int


class _Findings(_TimeAxis, total=False):
    """What a diagnosis found beyond its kind: the optional fields of :class:`Diagnosis` it sets."""

    factor: float
    factor_name: str
    wrong_indices: tuple[tuple[int, ...], ...]
    n_wrong: int
    index: tuple[int, ...]
    value: float
    case_factor: Factor | None


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """What a diagnosis may use about one failing parameter."""

    name: str
    """The parameter."""
    analytic: np.ndarray
    """The student's full gradient (the parameter's shape)."""
    indices: np.ndarray
    """Flat indices of the compared coordinates (kinks excluded)."""
    numeric: np.ndarray
    """The numeric gradient at those coordinates."""
    floor: np.ndarray
    """The relative-error floor at those coordinates."""
    slack: np.ndarray
    """The absolute discrepancy rounding noise alone explains at those coordinates."""
    trusted: np.ndarray
    """Which of those coordinates have a trusted numeric value (passed, or failed a second look whose
    estimates were smooth)."""
    wrong: np.ndarray
    """Which of those coordinates were found wrong (failed, or suspect and not looked at again)."""
    scale: float
    """The numeric gradient's scale (its largest compared entry)."""
    rtol: float
    """The tolerance the check used."""
    directions_failed: bool = False
    """Some random directional derivative disagreed."""
    batch_size: int | None = None
    """The batch size, if the caller named it."""
    time_axis: int | None = None
    """The parameter's time axis, if the caller named one."""


def diagnose(evidence: Evidence) -> Diagnosis:
    """The most specific diagnosis the compared entries support."""
    for test in (_zero, _factor, _transpose, _partial):
        found = test(evidence)
        if found is not None:
            return replace(found, case_factor=case_factor(evidence))
    return _make(evidence, "mismatch", case_factor=case_factor(evidence))


def case_factor(evidence: Evidence) -> Factor | None:
    """The nonzero constant c with analytic = c * numeric on every trusted compared entry; one entry is
    enough here (see ``Diagnosis.case_factor``). None when none fits."""
    return _fitted_factor(evidence, least=1)


def _fitted_factor(evidence: Evidence, least: int) -> Factor | None:
    """The constant c with analytic = c * numeric over the trusted entries large enough to tell (at least
    ``least`` of them), if dividing by it makes the gradient pass; else None.

    Fitted by least squares weighted by each entry's precision: the largest numeric entry can be the
    least precise (a loss of large ± terms), and must not pull c off what the precise ones say.
    """
    a = _at_compared(evidence, evidence.analytic)
    usable = evidence.trusted & (np.abs(evidence.numeric) > evidence.rtol * evidence.floor)
    if usable.sum() < least:
        return None
    n = evidence.numeric[usable]
    sigma = 2 * evidence.rtol * np.maximum(np.abs(n), evidence.floor[usable]) + evidence.slack[usable]
    weights = 1.0 / sigma**2
    c = float(np.sum(weights * a[usable] * n)) / float(np.sum(weights * n * n))
    if c == 0.0 or not math.isfinite(c) or not _agrees(evidence, a / c):
        return None
    error = 1.0 / math.sqrt(float(np.sum(weights * n * n)))  # c's relative uncertainty from the entries
    return Factor(c, max(error, evidence.rtol))


def shared_factor(results: list[ParamResult], batch_size: int | None, rtol: float) -> list[ParamResult]:
    """``results`` with the plain mismatches re-diagnosed as one constant factor, when two or more
    parameters fail, each by a constant (a scalar's one entry proves nothing alone), and all by the same
    one c, while no parameter with a nonzero gradient passes (its factor would be 1): the parameters
    together are the evidence each one lacked."""
    failing = [result for result in results if not result.ok]
    if len(failing) < 2 or any(result.ok and not result.flat for result in results):
        return results
    factor = shared(result.diagnosis.case_factor if result.diagnosis is not None else None for result in failing)
    if factor is None or factor.agrees(Factor(1.0, rtol)):
        return results
    c = factor.value
    name = next((name for value, name in _suspects(batch_size) if factor.agrees(Factor(value, rtol))), None)
    kind = "sign" if name == "-1" else "scale"
    return [
        replace(result, diagnosis=replace(result.diagnosis, kind=kind, factor=c, factor_name=name or f"{c:.3g}"))
        if result.diagnosis is not None and result.diagnosis.kind == "mismatch"
        else result
        for result in results
    ]


def follows_batch_size(factors: list[tuple[Factor, int]]) -> float | None:
    """The size M when every (k, N) of the cases of one check has k = N / M, to k's uncertainty: a
    gradient divided by a hard-coded size M where the loss divides by the batch size N. Needs two cases
    or more whose factors differ (one factor in every case is a plain constant) and M != 1 (k = N is
    the named "batch size")."""
    if len(factors) < 2 or all(k.agrees(factors[0][0]) for k, _ in factors):
        return None
    sizes = [Factor(n / k.value, k.error) for k, n in factors]
    size = shared(sizes)
    if size is None or size.agrees(Factor(1.0, 0.0)):
        return None
    return size.value


def _agrees(evidence: Evidence, candidate: np.ndarray) -> bool:
    """Would ``candidate`` (the student's gradient undone by one mistake, at the compared coordinates)
    pass the check on every coordinate whose numeric value is trusted?

    The tolerance is the check's own (twice rtol, plus the rounding slack), so a diagnosis is as sure
    as a verdict; a looser one would let a fitted constant absorb a real error in one entry.
    """
    trusted = evidence.trusted
    if not (trusted & evidence.wrong).any():
        return False  # an explanation must fix at least one entry known to be wrong
    a, n = candidate[trusted], evidence.numeric[trusted]
    allowed = 2 * evidence.rtol * np.maximum(np.abs(a) + np.abs(n), evidence.floor[trusted]) + evidence.slack[trusted]
    return bool(np.all(np.abs(a - n) <= allowed))


def _at_compared(evidence: Evidence, array: np.ndarray) -> np.ndarray:
    compared: np.ndarray = array.reshape(-1)[evidence.indices]  # numpy's stubs type fancy indexing Any
    return compared


def _zero(evidence: Evidence) -> Diagnosis | None:
    """All zeros (or below anything the check can resolve) where the numeric gradient is not."""
    if evidence.scale <= 0 or evidence.indices.size == 0:
        return None
    if np.max(np.abs(evidence.analytic), initial=0.0) > evidence.rtol * SCALE_FLOOR * evidence.scale:
        return None
    largest = int(np.argmax(np.abs(evidence.numeric)))
    where = _unravel(evidence, int(evidence.indices[largest]))
    return _make(evidence, "zero", index=where, value=float(evidence.numeric[largest]))


def _factor(evidence: Evidence) -> Diagnosis | None:
    """The student's gradient is a constant times the numeric one: a usual suspect first (sign, batch
    size, 2, ...), else a fitted constant, named only when two or more entries support it."""
    a = _at_compared(evidence, evidence.analytic)
    for value, name in _suspects(evidence.batch_size):
        if _agrees(evidence, a / value):
            return _make(evidence, "sign" if name == "-1" else "scale", factor=value, factor_name=name)
    fitted = _fitted_factor(evidence, least=2)
    if fitted is None or abs(fitted.value - 1.0) <= 2 * evidence.rtol:
        return None
    return _make(evidence, "scale", factor=fitted.value, factor_name=f"{fitted.value:.3g}")


def _suspects(batch_size: int | None) -> list[tuple[float, str]]:
    """The usual constant factors, the batch size first as the likeliest source of a 2."""
    named: list[tuple[float, str]] = []
    if batch_size is not None and batch_size > 1:
        named += [(float(batch_size), "batch size"), (1.0 / batch_size, "1/batch size")]
    named += [(2.0, "2"), (0.5, "0.5")]
    return [(-1.0, "-1")] + named + [(-value, "-" + name) for value, name in named]


def _transpose(evidence: Evidence) -> Diagnosis | None:
    """The student returned the transpose (same shape only for a square parameter)."""
    a = evidence.analytic
    if a.ndim < 2 or a.T.shape != a.shape:
        return None
    if not _agrees(evidence, _at_compared(evidence, np.ascontiguousarray(a.T))):
        return None
    return _make(evidence, "transpose")


def _partial(evidence: Evidence) -> Diagnosis | None:
    """Some compared entries are right and some wrong; with a time axis, say which steps are wrong."""
    n_wrong = int(evidence.wrong.sum())
    if n_wrong == 0:
        # Every sampled entry is right but a random direction is not: the wrong entries were not sampled.
        sampled_right = evidence.directions_failed and evidence.indices.size > 0
        return _make(evidence, "partial") if sampled_right else None
    if n_wrong == evidence.indices.size or evidence.analytic.ndim == 0:
        return None
    wrong_flat = evidence.indices[evidence.wrong]
    listed = tuple(_unravel(evidence, int(i)) for i in np.sort(wrong_flat)[:LISTED])
    extra: _TimeAxis = {}
    axis = evidence.time_axis
    if axis is not None and n_wrong > 0:
        shape = evidence.analytic.shape
        axis = axis % len(shape)
        steps = np.unravel_index(evidence.indices, shape)[axis]
        wrong_steps = np.unique(steps[evidence.wrong])
        if wrong_steps.size < np.unique(steps).size:
            extra = {"axis": axis, "wrong_axis_indices": tuple(int(s) for s in wrong_steps), "axis_length": shape[axis]}
    return _make(evidence, "partial", wrong_indices=listed, n_wrong=n_wrong, **extra)


def _unravel(evidence: Evidence, flat: int) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, evidence.analytic.shape))


def _make(evidence: Evidence, kind: str, **fields: Unpack[_Findings]) -> Diagnosis:
    shape = evidence.analytic.shape
    return Diagnosis(
        kind, evidence.name, n_checked=int(evidence.indices.size), expected_shape=shape, got_shape=shape, **fields
    )
