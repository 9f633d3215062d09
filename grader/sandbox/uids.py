"""A uid of its own for every worker that runs at the same time, when the grader runs as root.

Workers with different uids are strangers to the kernel: none can signal, trace or read the ``/proc``
files of another, whatever else is or is not in force. The uids come from a range no account uses
(``GRADER_WORKER_UIDS=first-last``; by default :data:`DEFAULT_RANGE`, inside the block systemd leaves
unallocated, 1879048192–2147483647). A uid is taken by binding an abstract unix socket named after it,
held by the fork server for as long as the worker lives: fork servers of different grading processes
(a batch's jobs, two graders on one machine) never hand out the same uid twice at once, the kernel
releases the name if the fork server dies, and nothing is written to the filesystem. (Another local
program can squat a name; that only makes the grader skip that uid.)
"""

from __future__ import annotations

import random
import socket
from dataclasses import dataclass

DEFAULT_RANGE = (1_900_000_000, 1_900_004_095)
RANGE_VARIABLE = "GRADER_WORKER_UIDS"
_CLAIM_PREFIX = "\0grader-worker-uid-"


class UidRangeError(ValueError):
    """GRADER_WORKER_UIDS is malformed, or its range cannot be used here."""


class UidsExhausted(OSError):
    """Every uid of the range is held by a live worker."""


def parse_range(text: str | None) -> tuple[int, int]:
    """``first-last`` from the environment, or the default range."""
    if not text:
        return DEFAULT_RANGE
    first, sep, last = text.partition("-")
    try:
        bounds = (int(first), int(last if sep else first))
    except ValueError:
        raise UidRangeError(f"{RANGE_VARIABLE}={text!r} is not a range such as 1900000000-1900004095") from None
    if not 1000 <= bounds[0] <= bounds[1] < 2**32 - 1:
        raise UidRangeError(f"{RANGE_VARIABLE}={text!r}: uids must satisfy 1000 <= first <= last < 4294967295")
    return bounds


def mapped(first: int, last: int) -> bool:
    """Whether this user namespace can switch to every uid of the range (a rootless container maps few)."""
    try:
        with open("/proc/self/uid_map") as lines:
            extents = [tuple(map(int, line.split())) for line in lines]
    except OSError:
        return True  # no user namespaces: every uid exists
    return any(inside <= first and last < inside + count for inside, _outside, count in extents)


@dataclass
class HeldUid:
    """A uid taken for one worker; :meth:`release` gives it back."""

    uid: int
    claim: socket.socket

    def release(self) -> None:
        self.claim.close()


class UidPool:
    """Hands out uids of a range, each to one live worker of any fork server on this machine."""

    def __init__(self, first: int, last: int) -> None:
        self.first, self.last = first, last

    def take(self) -> HeldUid:
        size = self.last - self.first + 1
        start = random.randrange(size)  # fork servers starting together rarely contend for the same name
        for offset in range(size):
            uid = self.first + (start + offset) % size
            held = self._try(uid)
            if held is not None:
                return held
        raise UidsExhausted(f"all {size} worker uids of {self.first}-{self.last} are in use; widen {RANGE_VARIABLE}")

    @staticmethod
    def _try(uid: int) -> HeldUid | None:
        claim = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET | socket.SOCK_CLOEXEC)
        try:
            claim.bind(f"{_CLAIM_PREFIX}{uid}")
        except OSError:  # EADDRINUSE: a live worker (of any fork server here) has it
            claim.close()
            return None
        return HeldUid(uid, claim)
