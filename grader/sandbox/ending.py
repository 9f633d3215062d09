"""Ending a worker for good, from either side of the sandbox (the parent, or the fork server shutting down)."""

from __future__ import annotations

import contextlib
import os
import signal


def kill_worker(pid: int) -> None:
    """SIGKILL the worker ``pid`` and its process group.

    Both, because a worker killed right after its fork may not have called setsid yet (its pid is then
    no group's id, and only the process itself can be hit), and once it has, anything it managed to
    start is in its group. A worker already gone is no error.
    """
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)
