"""Calls of student functions that did not finish: remembered so later checks do not wait for them again.

One infinite loop or recursion bomb in one student function used to cost every check that calls it
its full time limit (13 checks × 10 s for one self_attention submission). Once a call has been
stopped by a timeout, a later call *like it* is refused at once when the time it could have now is
no more than twice what the first one had: a function that did not finish in T seconds is not
expected to finish in 2T.

"Like it" means the same function given as many arguments, a None counting as one left out: which
optional arguments are given is what picks a function's code path (``self_attention(X, Wq, Wk, Wv)``
hangs in a recursive softmax while ``self_attention(..., mask=M)`` takes another branch and is right,
worth points the student earned). Positional and keyword arguments count alike, since the parent
does not know the signature (a check may pass ``X=`` where another passes ``X``), and values are not
compared: every check draws its own. So a function is only refused in the way it has hung itself; a
function that calls a hanging helper times out once, in its own check, like any other.

Functions are known by the label the proxy gives them: the name looked up on the student's module
(``softmax``), or ``Class.method`` for a method of an instance of the student's class (instances of
one class share it: the method's code is what loops).

Only the parent's bookkeeping lives here: nothing of the worker or its process.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from grader.sandbox.errors import SkippedCall

GRACE_FACTOR = 2.0
"""A call is refused when the time it could have is at most this many times what the first had."""

CallShape = tuple[str, int]
"""(function, how many arguments it was given that are not None)."""


def call_shape(function: str, args: list[Any], kwargs: dict[str, Any]) -> CallShape:
    """How ``function`` is called, without the values (see the module docstring)."""
    return function, sum(value is not None for value in (*args, *kwargs.values()))


@dataclass(frozen=True)
class Unfinished:
    """A call that was stopped by a timeout."""

    check: str
    """The check it was stopped in (the first one, for the message)."""
    ran_s: float
    """The longest time a call of this shape ran before it was stopped."""


class UnfinishedCalls:
    """The calls that did not finish in one submission's checks so far."""

    def __init__(self) -> None:
        self._calls: dict[CallShape, Unfinished] = {}

    def record(self, shape: CallShape, check: str, ran_s: float) -> None:
        """A call of ``shape`` in ``check`` was stopped after ``ran_s`` seconds."""
        known = self._calls.get(shape)
        if known is None or ran_s > known.ran_s:
            self._calls[shape] = Unfinished(known.check if known else check, ran_s)

    def refuse(self, shapes: Iterable[CallShape], time_left_s: float) -> None:
        """Raise :class:`SkippedCall` when a call of one of ``shapes`` did not finish before in a time
        that ``time_left_s`` cannot beat by more than :data:`GRACE_FACTOR`."""
        for shape in shapes:
            known = self._calls.get(shape)
            if known is not None and time_left_s <= GRACE_FACTOR * known.ran_s:
                raise SkippedCall(shape[0], known.check, known.ran_s)
