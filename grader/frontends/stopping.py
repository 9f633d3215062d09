"""Stopping on a termination signal as on Ctrl-C: by unwinding, so every cleanup runs.

Python's default for SIGTERM and SIGHUP is to end the process at once, skipping every ``finally``:
the fork server and the workers' folders would be left to whoever notices. A long-running grader
process (a batch's grading process, ``grader grade --watch``) turns those signals into
:class:`Stopped`, raised wherever the main thread is, which unwinds through the cleanups.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


class Stopped(BaseException):
    """Raised in the main thread by a termination signal (a BaseException, like KeyboardInterrupt, so
    that no ``except Exception`` swallows it)."""


def raise_stopped(signum: int, frame: object) -> None:
    """A signal handler: stop by unwinding."""
    raise Stopped()


@contextlib.contextmanager
def stopped_by(*signals: signal.Signals) -> Iterator[None]:
    """Within the block, ``signals`` raise :class:`Stopped`; the previous handlers come back after it."""
    previous = {number: signal.signal(number, raise_stopped) for number in signals}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
