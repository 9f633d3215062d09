"""Per-worker resource limits and the drop to an unprivileged user.

These run in the forked worker before any student code exists (see :mod:`grader.sandbox.confine` for
the order): rlimits bound what the kernel lets the process consume; as root, the drop to a uid of the
worker's own puts the grader's processes and every other worker out of its reach.
"""

from __future__ import annotations

import os
import pwd
import resource
from dataclasses import asdict, dataclass

UNPRIVILEGED_USER = "nobody"
FALLBACK_UID = 65534


@dataclass(frozen=True, kw_only=True)
class Limits:
    """What one worker process may use."""

    cpu_s: int = 60
    """CPU seconds for the worker's whole life (the wall-clock timeout per check is enforced by the parent)."""
    memory_mb: int = 1024
    """Address-space limit; numpy reports a MemoryError to the student code beyond it."""
    file_size_mb: int = 16
    """Largest file the worker may write (in its own temporary directory)."""
    output_kb: int = 64
    """Captured stdout/stderr kept per check; the rest is counted and dropped."""
    open_files: int = 256
    """File descriptors the worker may hold."""

    def to_wire(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_wire(cls, data: dict[str, int]) -> Limits:
        return cls(**{name: int(value) for name, value in data.items()})


def apply_rlimits(limits: Limits) -> None:
    """Cap CPU, memory, file size, descriptors and core dumps of the current process."""
    mb = 1024 * 1024
    _set(resource.RLIMIT_CPU, limits.cpu_s, limits.cpu_s + 1)  # soft: SIGXCPU; hard: SIGKILL
    _set(resource.RLIMIT_AS, limits.memory_mb * mb)
    _set(resource.RLIMIT_FSIZE, limits.file_size_mb * mb)
    _set(resource.RLIMIT_NOFILE, limits.open_files)
    _set(resource.RLIMIT_CORE, 0)


def limit_processes(tasks: int) -> None:
    """At most ``tasks`` processes and threads for this uid from now on (the kernel ignores the limit for
    root, hence after the uid drop)."""
    _set(resource.RLIMIT_NPROC, tasks)


def unprivileged_ids() -> tuple[int, int]:
    """The uid and gid workers run as when the grader runs as root without a uid per worker."""
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return FALLBACK_UID, FALLBACK_UID


def running_as_root() -> bool:
    return os.geteuid() == 0


def drop_privileges(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` for good (no way back: real, effective and saved ids change)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def _set(which: int, soft: int, hard: int | None = None) -> None:
    current_soft, current_hard = resource.getrlimit(which)
    hard = soft if hard is None else hard
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))
