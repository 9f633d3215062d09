"""The wall-clock budget of one assignment's checks: how long they may take together, and what is left.

A time limit per check bounds one check; the budget bounds a submission whose code never finishes in
many places at once, so one grade (and one student's share of a batch) cannot take much longer than
the budget whatever the code does. When it is spent, the checks still to run are reported not run.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from grader.course.model import LimitSettings

DEFAULT_FACTOR = 6
"""Without ``limits.assignment_timeout``, the budget is this many times the longest time limit of a
check. A correct submission's checks take a small part of one limit each (the bundled course's 87
checks take under a second in all, against 10 s per check), so only code that runs out the clock
several times reaches it; one function that hangs costs a single timeout (later calls of it are
refused), so six leave room for several independent hangs and still end a grade within a minute at
the bundled course's 10 s."""


def budget_seconds(limits: LimitSettings, check_timeouts: Iterable[float | None], override: float | None) -> float:
    """The budget of an assignment with these limits and checks (their own ``timeout``, or None); with
    ``override`` (``--timeout``) in place of every check's limit."""
    if limits.assignment_timeout is not None:
        return limits.assignment_timeout
    longest = override if override else max([limits.timeout, *(t for t in check_timeouts if t)])
    return DEFAULT_FACTOR * longest


@dataclass(frozen=True)
class Budget:
    """A budget being spent: ``seconds`` from when it started."""

    seconds: float
    """The whole budget."""
    deadline: float
    """``time.monotonic()`` at which it is spent."""

    @classmethod
    def start(cls, seconds: float) -> Budget:
        return cls(seconds, time.monotonic() + seconds)

    def left_s(self) -> float:
        """Seconds still to spend (0 once spent)."""
        return max(0.0, self.deadline - time.monotonic())
