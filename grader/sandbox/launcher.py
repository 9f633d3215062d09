"""Parent side of the fork server: start it, ask it for workers, reap them.

The only place the trusted parent creates processes. A :class:`Launcher` owns one fork server for
its lifetime (a grading run); each :class:`WorkerProcess` it hands out is one untrusted worker with its
own channel.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from grader.sandbox.channel import Channel
from grader.sandbox.limits import Limits

# One BLAS thread per worker: workers run in parallel already, and per-thread buffers would
# otherwise eat the address-space limit.
_SINGLE_THREADED = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
_START_TIMEOUT_S = 30.0
_REAP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ExitStatus:
    """How a worker process ended: an exit code, or the signal that killed it."""

    exit_code: int | None
    signal: int | None


class Launcher:
    """Owns a fork server; thread-safe, so parallel graders may share one."""

    def __init__(self, denied_roots: Sequence[Path] = (), base_dir: Path | None = None) -> None:
        self.base_dir = Path(base_dir or tempfile.gettempdir())
        parent_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        denied = json.dumps([os.path.realpath(root) for root in denied_roots])
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOTSTRAP, str(server_end.fileno()), str(self.base_dir), denied],
            pass_fds=[server_end.fileno()],
            env={**os.environ, **_SINGLE_THREADED, "GRADER_SOURCE_ROOT": _package_root()},
            stdin=subprocess.DEVNULL,
        )
        server_end.close()
        self.control = parent_end
        self.control.settimeout(_START_TIMEOUT_S)
        self.lock = threading.Lock()

    def spawn(self, limits: Limits) -> "WorkerProcess":
        parent_end, worker_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            reply = self._request({"op": "spawn", "limits": limits.to_wire()}, [worker_end.fileno()])
        finally:
            worker_end.close()
        return WorkerProcess(reply["pid"], Channel(parent_end, max_frame=limits.memory_mb * 1024 * 1024), self)

    def reap(self, pid: int) -> ExitStatus:
        reply = self._request({"op": "reap", "pid": pid})
        return ExitStatus(reply["exit_code"], reply["signal"])

    def close(self) -> None:
        """Stop the fork server; it kills and cleans up any worker still alive."""
        self.control.close()
        try:
            self.process.wait(timeout=_REAP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "Launcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _request(self, message: dict, fds: Sequence[int] = ()) -> dict[str, Any]:
        with self.lock:
            socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
            data = self.control.recv(1 << 16)
        if not data:
            raise RuntimeError("the grader's fork server stopped unexpectedly")
        return json.loads(data)


class WorkerProcess:
    """One live worker: its pid and channel. Killing and reaping go through the launcher.

    A worker holds no state worth saving, so it is always ended with SIGKILL: there is no polite
    shutdown that a hostile submission could stall.
    """

    def __init__(self, pid: int, channel: Channel, launcher: Launcher) -> None:
        self.pid = pid
        self.channel = channel
        self.launcher = launcher
        self.status: ExitStatus | None = None

    def kill(self) -> ExitStatus:
        """End the worker now (with anything it started) and collect how it ended."""
        if self.status is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            except PermissionError:
                # The worker has not called setsid yet: its pid is not a group id. Kill the process itself.
                os.kill(self.pid, signal.SIGKILL)
            self.status = self._reap()
        return self.status

    def _reap(self) -> ExitStatus:
        self.channel.close()
        return self.launcher.reap(self.pid)


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


# The fork server runs under -I (no user site, no PYTHON* variables, no cwd on sys.path) so that a
# student's file named numpy.py cannot shadow a module; the grader's own location is added back.
_BOOTSTRAP = (
    "import os, sys; sys.path.insert(0, os.environ.pop('GRADER_SOURCE_ROOT')); "
    "from grader.sandbox.forkserver import main; main()"
)
