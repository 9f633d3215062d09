"""A uid of its own for every worker that runs at the same time, when the grader runs as root.

Workers with different uids are strangers to the kernel: none can signal, trace or read the ``/proc``
files of another, whatever else is or is not in force. The uids come from a range no account uses
(``GRADER_WORKER_UIDS=first-last``; by default systemd's unallocated 1879048192–2147483647 block holds
:data:`DEFAULT_RANGE`). A uid is taken by an exclusive ``flock`` on a file named after it in a folder
only root may enter, held by the fork server for as long as the worker lives, so fork servers of
different grading processes (a batch's jobs, two graders on one machine) never hand out the same uid
twice at once; the kernel drops the lock if the fork server dies.
"""

from __future__ import annotations

import fcntl
import os
import random
import stat
from dataclasses import dataclass

DEFAULT_RANGE = (1_900_000_000, 1_900_004_095)
RANGE_VARIABLE = "GRADER_WORKER_UIDS"
_LOCK_DIRS = ("/run/grader-worker-uids", "/tmp/grader-worker-uids")


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
    lock_fd: int

    def release(self) -> None:
        os.close(self.lock_fd)


class UidPool:
    """Hands out uids of a range, each to one live worker of any fork server on this machine."""

    def __init__(self, first: int, last: int) -> None:
        self.first, self.last = first, last
        self.lock_dir = _private_lock_dir()

    def take(self) -> HeldUid:
        size = self.last - self.first + 1
        start = random.randrange(size)  # fork servers starting together rarely contend for the same file
        for offset in range(size):
            uid = self.first + (start + offset) % size
            held = self._try(uid)
            if held is not None:
                return held
        raise UidsExhausted(f"all {size} worker uids of {self.first}-{self.last} are in use; widen {RANGE_VARIABLE}")

    def _try(self, uid: int) -> HeldUid | None:
        fd = os.open(os.path.join(self.lock_dir, str(uid)), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return HeldUid(uid, fd)


def _private_lock_dir() -> str:
    """A folder for the lock files that only root can enter (checked, not assumed: /tmp is shared)."""
    for path in _LOCK_DIRS:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError:
            continue
        info = os.lstat(path)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == 0 and stat.S_IMODE(info.st_mode) == 0o700:
            return path
    raise UidRangeError(f"no private folder for worker uid locks: none of {', '.join(_LOCK_DIRS)} is root's own (mode 0700)")
