"""Comparing an analytic derivative with a numeric one: relative error with a floor, and verdicts.

The relative error of one entry is ``|a - n| / max(|a| + |n|, floor)``: 0 when equal, 1 when the signs
are opposite, 1/3 when one is twice the other. The floor keeps two tiny numbers (an entry that should be
0, computed as 1e-13 on one side and 3e-14 on the other) from being "100% off": it is the larger of a
small fraction of the gradient's scale and what rounding noise alone can produce in that entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import overload

import numpy as np

from grader.engine.gradcheck.loss import EPS64
from grader.engine.gradcheck.numeric import Estimate

# Entries smaller than this fraction of the largest numeric entry are compared in absolute terms.
SCALE_FLOOR = 1e-3
# A result is called wrong only when it misses every numeric estimate by more than this many times
# their estimated error and rounding noise (on top of the tolerance): sure, not just suspicious.
CONFIDENCE = 3.0

PASS, FAIL, SKIP = "pass", "fail", "skip"
"""Outcomes: agrees, confirmed wrong, or not judged (a kink, or the numeric value too uncertain)."""


def default_rtol(eps_numeric: float, eps_analytic: float) -> float:
    """The tolerance on the relative error, from the precisions on both sides.

    Numeric side: a central difference with the eps^(1/3) step is good to about eps^(2/3) of the loss's
    scale; 400x that allows for conditioning (1.5e-8 in float64, 1e-2 in float32). Analytic side: a
    gradient computed in float32 may lose half its digits to cancellation (sqrt(eps) = 3.5e-4). Never
    tighter than 1e-5, which every planted bug exceeds by orders of magnitude, nor looser than 0.1.
    """
    numeric: float = 400.0 * eps_numeric ** (2.0 / 3.0)  # a float to a fractional power: typed Any
    analytic = math.sqrt(eps_analytic) if eps_analytic > EPS64 else 0.0
    return min(0.1, max(1e-5, numeric, analytic))


@overload
def floor(scale: float, noise: np.ndarray, rtol: float) -> np.ndarray: ...
@overload
def floor(scale: float, noise: float, rtol: float) -> float: ...
def floor(scale: float, noise: np.ndarray | float, rtol: float) -> np.ndarray | float:
    """The floor of the relative error's denominator for entries of a gradient whose numeric scale
    (largest entry) is ``scale`` and whose rounding noise is ``noise``: noise alone stays within rtol."""
    floors: np.ndarray | float = np.maximum(SCALE_FLOOR * scale, np.asarray(noise) / rtol) + np.finfo(np.float64).tiny
    return floors


def relative_error(analytic: np.ndarray | float, numeric: np.ndarray | float, floor: np.ndarray | float) -> np.ndarray:
    """Per-entry relative error with a floor (NaN where either side is not finite)."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        errors: np.ndarray = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)
    return errors


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The outcome of a second look at one entry or direction."""

    outcome: str
    """PASS, FAIL or SKIP (a kink, or the numeric derivative too uncertain to judge: never failed)."""
    numeric: float
    """The numeric estimate the analytic value was judged against."""
    rel_error: float
    """The relative error against it."""
    discrepancy: float
    """|analytic - numeric| for the closest numeric estimate."""
    trusted: bool = True
    """The numeric value itself is good to the tolerance (not only the outcome): False for a failure
    whose estimates were bent by a kink near the point. Diagnoses use trusted values only."""


def judge(analytic: float, estimate: Estimate, rtol: float, floor: float, along_axis: bool = True) -> Verdict:
    """Decide one entry (or, ``along_axis`` False, one random direction) from its second look.

    PASS: the analytic value agrees with one of the numeric estimates within the tolerance, widened
    by CONFIDENCE times the rounding noise expected at the smallest step (the estimates' resolution).
    SKIP: it does not, but the estimates disagree among themselves enough to explain the gap, or the
    one-sided slopes show a kink at least half the gap, so the analytic value may be a valid one-sided
    derivative (ReLU'(0), a max-pooling tie): not differentiable here, or too uncertain to judge.
    Along a direction any kink means SKIP: a direction crosses many coordinates' kinks at once, and a
    valid choice at each (ReLU'(0) = 0) need not lie between the direction's one-sided slopes.
    FAIL: otherwise; a failure needs a stable numeric derivative and smooth one-sided slopes.
    """
    candidates = np.asarray(estimate.candidates)
    if not (np.all(np.isfinite(candidates)) and math.isfinite(estimate.kink) and math.isfinite(estimate.instability)):
        return Verdict(outcome=SKIP, numeric=estimate.best, rel_error=math.nan, discrepancy=math.inf)
    distances = np.abs(analytic - candidates)
    closest = int(np.argmin(distances))
    discrepancy = float(distances[closest])
    resolution = CONFIDENCE * estimate.noise
    if discrepancy <= rtol * max(abs(analytic) + abs(float(candidates[closest])), floor) + resolution:
        return Verdict(
            outcome=PASS,
            numeric=float(candidates[closest]),
            rel_error=float(relative_error(analytic, candidates[closest], floor)),
            discrepancy=discrepancy,
        )
    rel = float(relative_error(analytic, estimate.best, floor))
    kinked = estimate.kink >= discrepancy / 2
    if not along_axis:
        kinked = kinked or estimate.kink > rtol * max(abs(estimate.best), floor) + resolution
    if discrepancy <= CONFIDENCE * estimate.instability + resolution or kinked:
        return Verdict(outcome=SKIP, numeric=estimate.best, rel_error=rel, discrepancy=discrepancy)
    return Verdict(outcome=FAIL, numeric=estimate.best, rel_error=rel, discrepancy=discrepancy)
