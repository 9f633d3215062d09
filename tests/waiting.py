"""Waiting in the tests: on a condition, with a deadline, never on a fixed sleep.

A fixed sleep is too short on a loaded machine and wasted time on an idle one. ``wait_until`` polls; when
it waits on something a process must do, it gives up as soon as that process has exited (with what the
process printed) instead of waiting out the deadline for what can no longer happen.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
POLL_S = 0.02
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def wait_until(
    condition: Callable[[], T],
    timeout: float,
    what: str,
    process: subprocess.Popen | None = None,
    printed: Callable[[], str] | None = None,
) -> T:
    """Poll ``condition()`` until it returns something true, and return that. Fail after ``timeout``
    seconds, naming ``what`` was awaited, or at once when ``process`` has exited (with ``printed()``, by
    default the process's own output)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            output = printed() if printed is not None else process_output(process)
            raise AssertionError(
                f"waiting for {what}: the process exited with code {process.returncode} first; it printed:\n{output}"
            )
        if time.monotonic() >= deadline:
            raise AssertionError(f"waiting for {what}: not within {timeout} s")
        time.sleep(POLL_S)


def process_output(process: subprocess.Popen) -> str:
    """The stdout and stderr of an exited ``process`` started with pipes (a child that still holds a pipe
    open cannot make this hang)."""
    try:
        stdout, stderr = process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        return "(its output pipes are still held open by a process it started)"
    except ValueError:  # the pipes are read elsewhere (a reader thread) or closed
        return "(its output is read elsewhere)"
    return "\n".join(
        part.decode(errors="replace") if isinstance(part, bytes) else part for part in (stdout, stderr) if part
    )


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (a killed child counts as gone before it is reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def cpu_seconds(pid: int) -> float:
    """The CPU time ``pid`` has used so far, user and system (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime and stime, fields 14 and 15 of stat


def processes_in(folder: Path) -> list[int]:
    """Live processes (this one aside) whose command line names ``folder`` or whose working folder is in it."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid() or not alive(int(entry.name)):
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if str(folder).encode() in cmdline or cwd == str(folder) or cwd.startswith(str(folder) + "/"):
            found.append(int(entry.name))
    return found


def workers_in(folder: Path) -> list[int]:
    """Sandboxed workers running under ``folder`` (a worker works in a ``grader-worker-*`` folder of its own)."""
    return [pid for pid in processes_in(folder) if "/grader-worker-" in _working_folder(pid)]


def _working_folder(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""
