"""The cases of one check: its successive gradient checks, which together can say more than one alone.

A check often runs ``expect.gradient`` (or ``expect.vjp``) once per case, in a loop over inputs of
several sizes. A student who divides by a hard-coded 100 where the loss divides by the batch size N
is off by k = N/100: a different constant in each case, which no single case can name (for a scalar
parameter, any wrong value is "a constant multiple"). So a failing case whose every failing parameter
is a constant multiple of the numeric gradient, by no constant it can name itself, does not end the
check: its failure is kept and the remaining cases run. When the check ends, however it ends, the
first kept failure is what it reports; its hint names the factor of each case when they follow the
batch size ("×0.06 with N = 6, ×0.01 with N = 1: ..."), and is the case's own hint otherwise.

A kept failure cannot be lost: the runner reports it even if the rest of the check passes or fails
in another way (that came later), so continuing never turns a failure into a pass.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from grader.engine.checks.failure import CheckFailure
from grader.engine.gradcheck.diagnose import follows_batch_size
from grader.engine.gradcheck.messages import hint_per_case
from grader.engine.gradcheck.report import Factor, GradientReport
from grader.i18n import Msg, Text, msg

_CURRENT: ContextVar[GradientCases | None] = ContextVar("grader_gradient_cases", default=None)
"""The cases of the check running in this thread (a context variable, like numpy's error state: each
thread grading an assignment has its own)."""


@dataclass(frozen=True)
class GradientFailure:
    """A failed gradient check, as ``expect`` reports it: the checker's message and diagnosis, then the
    check author's hint."""

    report: GradientReport
    """What the checker found."""
    call: Text | None
    """The call's label in the message: the author's, else the call that returned the gradients, if known."""
    hint: Text | None
    """The author's hint."""

    def error(self, diagnosis: Msg | None = None) -> CheckFailure:
        """The failure with ``diagnosis`` (default: the checker's own) followed by the author's hint; a
        diagnosis that names nothing specific (a plain mismatch) gives way to the author's hint."""
        report = self.report
        message = report.message if self.call is None else msg("expect.in_call", call=self.call, detail=report.message)
        if diagnosis is None:
            diagnosis = report.hint
            if self.hint is not None and report.diagnosis is not None and report.diagnosis.kind == "mismatch":
                return CheckFailure(message, self.hint)
        if diagnosis is None or self.hint is None:
            return CheckFailure(message, diagnosis or self.hint)
        return CheckFailure(message, msg("expect.hint_then", first=diagnosis, second=self.hint))


MAX_FACTOR_ERROR = 0.05
"""A case whose factor is known less precisely than this (relative) neither supports nor contradicts a
pattern: it is left out of the comparison."""


@dataclass(frozen=True)
class _Case:
    factor: Factor | None
    """The constant the whole call was off by (1 when it passed; None when none)."""
    batch_size: int | None
    names: tuple[str, ...]
    """The parameters that failed."""


class GradientCases:
    """The gradient checks made so far by the running check, and the first failure it kept."""

    def __init__(self) -> None:
        self.cases: list[_Case] = []
        self.kept: GradientFailure | None = None

    def add(self, report: GradientReport, batch_size: int | None) -> None:
        """Count ``report`` as a case, unless it says nothing about a factor (every gradient was zero, or
        the factor is too imprecise to compare)."""
        factor = report.case_factor
        if report.informative and (factor is None or factor.error <= MAX_FACTOR_ERROR):
            failing = tuple(result.name for result in report.params if not result.ok)
            self.cases.append(_Case(factor, batch_size, failing))

    def keep(self, failure: GradientFailure) -> None:
        """Remember ``failure`` instead of raising it (only the first is reported)."""
        if self.kept is None:
            self.kept = failure

    def failure(self) -> CheckFailure | None:
        """The kept failure, its hint naming each case's factor when they follow the batch size."""
        if self.kept is None:
            return None
        factors = [(case.factor, case.batch_size) for case in self.cases if case.factor is not None and case.batch_size]
        size = follows_batch_size(factors) if len(factors) == len(self.cases) else None
        if size is None:
            return self.kept.error()
        names = tuple(dict.fromkeys(name for case in self.cases for name in case.names))
        return self.kept.error(hint_per_case(names, factors, size))


def gradient_cases() -> GradientCases | None:
    """The running check's cases, or None outside a check (a direct call of ``expect`` raises at once)."""
    return _CURRENT.get()


@contextlib.contextmanager
def collecting_cases() -> Iterator[GradientCases]:
    """Collect the gradient checks of the block (one check's run)."""
    cases = GradientCases()
    token = _CURRENT.set(cases)
    try:
        yield cases
    finally:
        _CURRENT.reset(token)
