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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import GraderError, UsageError
from grader.sandbox.channel import Channel
from grader.sandbox.control import ReapReply, Request, ServerConfig, SpawnReply
from grader.sandbox.ending import kill_worker
from grader.sandbox.layers import SandboxLayers, switched_off
from grader.sandbox.limits import Limits
from grader.sandbox.policy import Policy, readable_protected, worker_read_roots
from grader.sandbox.uids import RANGE_VARIABLE, parse_range

# One BLAS thread per worker: workers run in parallel already, and per-thread buffers would
# otherwise eat the address-space limit.
_SINGLE_THREADED = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
_START_TIMEOUT_S = 30.0
_SELF_INFLICTED = frozenset(
    {
        signal.SIGXCPU,
        signal.SIGXFSZ,
        signal.SIGSEGV,
        signal.SIGBUS,
        signal.SIGFPE,
        signal.SIGILL,
        signal.SIGABRT,
        signal.SIGSYS,
        signal.SIGTRAP,
    }
)
"""Signals a process gets from its own limits (CPU, file size) or faults (a stack overflow, a bad syscall)."""
_REAP_TIMEOUT_S = 10.0


class SandboxUnavailable(GraderError):
    """Workers cannot be started or confined as this run requires (not a student's problem)."""


@dataclass(frozen=True)
class ExitStatus:
    """How a worker process ended: an exit code, or the signal that killed it, and the CPU it used."""

    exit_code: int | None
    signal: int | None
    cpu_s: float = 0.0

    def killed_from_outside(self, limits: Limits) -> bool:
        """Ended by a signal that neither its limits nor a fault of its own sends: another program's kill,
        the kernel's out-of-memory killer. (A process that signals itself looks the same.)"""
        if self.signal is None or self.signal in _SELF_INFLICTED:
            return False
        return not (self.signal == signal.SIGKILL and self.cpu_s >= limits.cpu_s)  # RLIMIT_CPU's hard limit


class Launcher:
    """Owns a fork server; thread-safe, so parallel graders may share one.

    ``denied_roots`` are folders no worker may ever read (the course's solutions, a class's submissions and
    results): the launcher refuses to start if what workers may read would include one of them.
    """

    def __init__(self, denied_roots: Sequence[Path] = (), base_dir: Path | None = None) -> None:
        self.base_dir = Path(base_dir or tempfile.gettempdir())
        policy = _policy(denied_roots)
        parent_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOTSTRAP, str(server_end.fileno())],
            pass_fds=[server_end.fileno()],
            env=_server_environment(),
            stdin=subprocess.DEVNULL,
            cwd="/",
        )
        server_end.close()
        self.control = parent_end
        self.control.settimeout(_START_TIMEOUT_S)
        config: ServerConfig = {
            "source_root": _package_root(),
            "base_dir": str(self.base_dir),
            "policy": policy.to_wire(),
        }
        self.control.send(json.dumps(config).encode())  # read once the server has started: no wait here
        self.lock = threading.Lock()
        self._layers: SandboxLayers | None = None

    @property
    def layers(self) -> SandboxLayers:
        """The fences every worker of this launcher is put behind (waits for the fork server's probe)."""
        with self.lock:
            return self._layers_locked()

    def spawn(self, limits: Limits) -> WorkerProcess:
        parent_end, worker_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            reply: SpawnReply = self._request({"op": "spawn", "limits": limits.to_wire()}, [worker_end.fileno()])
        finally:
            worker_end.close()
        if "error" in reply:
            parent_end.close()
            raise SandboxUnavailable(f"no worker could be started: {reply['error']}")
        return WorkerProcess(reply["pid"], Channel(parent_end, max_frame=limits.memory_mb * 1024 * 1024), self)

    def reap(self, pid: int) -> ExitStatus:
        reply: ReapReply = self._request({"op": "reap", "pid": pid})
        return ExitStatus(reply["exit_code"], reply["signal"], reply["cpu_s"])

    def close(self) -> None:
        """Stop the fork server; it kills and cleans up any worker still alive."""
        self.control.close()
        try:
            self.process.wait(timeout=_REAP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _request(self, message: Request, fds: Sequence[int] = ()) -> Any:
        """The fork server's reply to ``message`` (a SpawnReply or a ReapReply: the caller names which)."""
        with self.lock:
            self._layers_locked()
            socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
            return self._reply()

    def _layers_locked(self) -> SandboxLayers:
        if self._layers is None:
            self._layers = SandboxLayers.from_dict(self._reply()["layers"])
        return self._layers

    def _reply(self) -> Any:
        """The server's next message, decoded (its type is the caller's: the server is the grader's own code)."""
        try:
            data = self.control.recv(1 << 16)
        except OSError:
            data = b""
        if not data:
            raise SandboxUnavailable(
                "the grader's fork server stopped unexpectedly",
                "run again; if it keeps happening, run `python -c 'import numpy'` to check numpy",
            )
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
            kill_worker(self.pid)
            self.status = self._reap()
        return self.status

    def _reap(self) -> ExitStatus:
        self.channel.close()
        return self.launcher.reap(self.pid)


def require_confined(layers: SandboxLayers) -> None:
    """Refuse to go on when the kernel's fences are not both in force (official grading of hidden checks)."""
    if layers.confined:
        return
    missing = " and ".join(layers.missing_kernel_layers())
    raise SandboxUnavailable(
        f"hidden checks would run without the kernel's fences: {missing} not in force on this machine "
        f"(Linux {os.uname().release}, Landlock ABI {layers.landlock_abi}); a submission could then read the "
        "references, the hidden checks and other students' files",
        "grade on Linux 5.13 or newer with libseccomp installed (see docs/architecture.md, Threat model), "
        "or pass --allow-unconfined to accept the risk",
    )


def _policy(denied_roots: Sequence[Path]) -> Policy:
    """What workers may read and which layers they get, checked against the folders they must not read."""
    read_only = worker_read_roots()
    clash = readable_protected(read_only, [str(root) for root in denied_roots])
    if clash is not None:
        root, folder = clash
        raise SandboxUnavailable(
            f"{folder} lies inside {root}, which every worker may read (Python or system libraries)",
            "move the course (or the class's folder) out of it",
        )
    try:
        return Policy(read_only, switched_off(), parse_range(os.environ.get(RANGE_VARIABLE)))
    except ValueError as exc:
        raise UsageError(str(exc), "fix or unset the environment variable") from None


def _server_environment() -> dict[str, str]:
    """The fork server's (and so every worker's) environment: locale and numeric-library settings only.
    Nothing else of the grader's environment (tokens of a CI job, paths of the course) reaches graded code."""
    kept = {
        name: value for name, value in os.environ.items() if name in _KEPT_VARIABLES or name.startswith(_KEPT_PREFIXES)
    }
    return {**kept, **_SINGLE_THREADED}


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


_KEPT_VARIABLES = ("PATH", "LANG", "LANGUAGE", "TZ")
_KEPT_PREFIXES = ("LC_", "OPENBLAS_", "OMP_", "MKL_")

# The fork server runs under -I (no user site, no PYTHON* variables, no cwd on sys.path) so that a
# student's file named numpy.py cannot shadow a module. Its settings, and the grader's own location,
# arrive over its control socket, so its command line names no folder.
_BOOTSTRAP = (
    "import json, socket, sys; control = socket.socket(fileno=int(sys.argv[1])); "
    "config = json.loads(control.recv(1 << 16)); sys.path.insert(0, config['source_root']); "
    "from grader.sandbox.forkserver import main; main(control, config)"
)
