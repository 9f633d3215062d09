"""The second look at one suspect entry or direction: judge it, and look closer while undecided.

A skip may mean a kink inside the step but not at the point (max-pooling inputs 1e-6 apart and a step
of 6e-6), which smaller steps resolve; at a real kink they do not, and it stays skipped. Zooming stops
where rounding noise at the smaller step could explain the discrepancy by itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from grader.engine.gradcheck.compare import CONFIDENCE, FAIL, PASS, Verdict, judge, relative_error
from grader.engine.gradcheck.numeric import CoordinateLine, DirectionLine, Estimate, second_look

ZOOM, ZOOMS = 32, 2
"""An undecided second look is repeated up to ZOOMS times, each with steps ZOOM times smaller."""
DOMAIN_ZOOMS = 8
"""As many while the loss is not even finite a step away (log(x) at x = 1e-9 with a step of 6e-6): a
small enough step stays inside the domain, and only the parameter's resolution stops the search."""


def examine(
    line: CoordinateLine | DirectionLine,
    step: float,
    analytic: float,
    floor: float,
    along_axis: bool,
    rtol: float,
    noise: Callable[[float], float],
) -> Verdict:
    """The verdict on ``analytic`` as the derivative along ``line``, from steps ``step`` and smaller.

    ``noise(h)`` is how far rounding can move a central difference with step h.
    """
    failure, failure_mess = None, math.inf
    zooms = {True: 0, False: 0}  # zooms taken after a finite and after a non-finite look
    while True:
        estimate = second_look(line, step, noise(step / 2))
        verdict = judge(analytic, estimate, rtol, floor, along_axis)
        if verdict.outcome == PASS:
            return verdict
        if verdict.outcome == FAIL:
            # A failure is sound at any step, but its numeric value is only as good as the estimates
            # are smooth: a kink just inside 2h bends them. Then the narrowest central difference of
            # the least bent look is the best value there is, and a closer look may give a clean one.
            if _clean(estimate, rtol, floor):
                return verdict
            mess = estimate.instability + estimate.kink
            if mess < failure_mess:
                narrow = estimate.candidates[2]
                rel = float(relative_error(analytic, narrow, floor))
                failure, failure_mess = replace(verdict, numeric=narrow, rel_error=rel, trusted=False), mess
        finite = math.isfinite(verdict.discrepancy)
        if zooms[finite] >= (ZOOMS if finite else DOMAIN_ZOOMS):
            break
        zooms[finite] += 1
        step /= ZOOM
        if 4 * CONFIDENCE * noise(step / 2) >= verdict.discrepancy:
            break
    return failure or verdict


def _clean(estimate: Estimate, rtol: float, floor: float) -> bool:
    """The estimates agree among themselves and bend like a smooth function's, to the tolerance:
    then their value is good to that tolerance, not merely their verdict."""
    allowed = rtol * max(abs(estimate.best), floor) + CONFIDENCE * estimate.noise
    return estimate.instability + estimate.kink <= allowed
