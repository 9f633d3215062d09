"""The fork server: a pre-warmed process that forks one confined worker per request.

Started once per grading run by :mod:`grader.sandbox.launcher` as a fresh interpreter (``python -I``)
that imports numpy and the worker code and nothing of the course, so a forked worker starts in a few
milliseconds without inheriting any reference solution or check from the trusted parent.

Control protocol on a SOCK_SEQPACKET socket, JSON messages (both ends are trusted). Its command line
carries only a descriptor number; everything else comes over the socket, so nothing a worker could
read (``/proc/<pid>/cmdline``) names a folder of the course or of the class:
  {"source_root", "base_dir", "policy": {...}}  (first, read by the bootstrap) -> {"layers": {...}}
  {"op": "spawn", "limits": {...}} + one fd (the worker's end of its channel) -> {"pid": int} | {"error": str}
  {"op": "reap", "pid": int}  -> {"exit_code": int | None, "signal": int | None, "cpu_s": float}
The parent kills a worker before reaping it unless it exited on request. When the parent goes away
the server kills every worker, removes their directories and exits.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import socket
import tempfile
from dataclasses import dataclass

import numpy  # noqa: F401  (the point of the fork server: workers start with numpy imported)

from grader.sandbox import guard, worker
from grader.sandbox import limits as limits_module
from grader.sandbox.channel import Channel
from grader.sandbox.confine import Confinement, clean_sys_path
from grader.sandbox.control import ReapReply, Request, ServerConfig, SpawnReply, SpawnRequest
from grader.sandbox.ending import kill_worker
from grader.sandbox.layers import CONFINEMENT_FAILED
from grader.sandbox.policy import Policy
from grader.sandbox.uids import HeldUid, UidsExhausted

MAX_CONTROL_MESSAGE = 1 << 16
_STOPPING = (signal.SIGTERM, signal.SIGHUP)
"""Signals that end the fork server (a terminal's hang-up, a `kill` of the whole process group): through
its cleanup, so no worker and no worker folder outlives it."""

# Imported before any fork, so every worker has them even when the Python installation is not
# readable by the unprivileged worker user (Python under /root, as on some CI images): a correct
# solution must not fail for importing `random` or `np.fft`. Pure computation only.
PRELOADED_MODULES = (
    "math",
    "cmath",
    "random",
    "statistics",
    "itertools",
    "functools",
    "operator",
    "collections",
    "collections.abc",
    "dataclasses",
    "typing",
    "copy",
    "numbers",
    "decimal",
    "fractions",
    "heapq",
    "bisect",
    "array",
    "string",
    "re",
    "time",
    "warnings",
    "enum",
    "abc",
    "contextlib",
    "textwrap",
    "json",
    "datetime",
    "pprint",
    "subprocess",
    "numpy.fft",
    "numpy.polynomial",
    "numpy.lib.stride_tricks",
    "numpy.random",
    "numpy.linalg",
    "numpy.testing",
)


@dataclass
class _Live:
    """A worker not yet reaped: its folder and the uid it holds."""

    workdir: str
    uid: HeldUid | None


class ForkServer:
    """Forks workers on request and reaps them, removing each worker's temporary directory."""

    def __init__(self, control: socket.socket, base_dir: str, confinement: Confinement) -> None:
        self.control = control
        self.base_dir = base_dir
        self.confinement = confinement
        self.live: dict[int, _Live] = {}

    def serve(self) -> None:
        try:
            while True:
                try:
                    data, fds, _flags, _addr = socket.recv_fds(self.control, MAX_CONTROL_MESSAGE, 4)
                except OSError:
                    return
                if not data:
                    return
                request: Request = json.loads(data)
                reply = self.spawn(request, fds) if request["op"] == "spawn" else self.reap(request["pid"])
                self.control.send(json.dumps(reply).encode())
        finally:
            self.shutdown()

    def spawn(self, request: SpawnRequest, fds: list[int]) -> SpawnReply:
        (channel_fd,) = fds
        try:
            uid = self.confinement.take_uid()
        except UidsExhausted as exc:
            os.close(channel_fd)
            return {"error": str(exc)}
        workdir = tempfile.mkdtemp(prefix="grader-worker-", dir=self.base_dir)
        owner = self.confinement.owner(uid)
        if owner is not None:
            os.chown(workdir, *owner)
        pid = os.fork()
        if pid == 0:
            _become_worker(
                channel_fd, workdir, limits_module.Limits.from_wire(request["limits"]), self.confinement, uid
            )
        os.close(channel_fd)
        self.live[pid] = _Live(workdir, uid)
        return {"pid": pid}

    def reap(self, pid: int) -> ReapReply:
        try:
            _, status, usage = os.wait4(pid, 0)
        except ChildProcessError:
            return {"exit_code": None, "signal": None, "cpu_s": 0.0}
        live = self.live.pop(pid, None)
        if live is not None:
            shutil.rmtree(live.workdir, ignore_errors=True)
            if live.uid is not None:
                live.uid.release()  # only now: the uid has no process left (the filter or NPROC let it start none)
        cpu_s = round(usage.ru_utime + usage.ru_stime, 3)
        if os.WIFSIGNALED(status):
            return {"exit_code": None, "signal": os.WTERMSIG(status), "cpu_s": cpu_s}
        return {"exit_code": os.WEXITSTATUS(status), "signal": None, "cpu_s": cpu_s}

    def shutdown(self) -> None:
        for signum in _STOPPING:
            signal.signal(signum, signal.SIG_IGN)  # a second signal must not cut the cleanup short
        for pid in list(self.live):
            kill_worker(pid)
            self.reap(pid)


def _become_worker(
    channel_fd: int, workdir: str, limits: limits_module.Limits, confinement: Confinement, uid: HeldUid | None
) -> None:
    """In the forked child: isolate, confine, then serve the parent. Never returns."""
    try:
        for signum in _STOPPING:
            signal.signal(signum, signal.SIG_DFL)  # the fork server's handlers are not the worker's
        os.setsid()  # its own process group, so the parent can kill it with everything it started
        _keep_only_fd(channel_fd)
        channel = Channel(socket.socket(fileno=channel_fd))
        os.chdir(workdir)
        os.environ.update(TMPDIR=workdir, HOME=workdir)
        tempfile.tempdir = workdir
        try:
            confinement.apply(workdir, uid, limits)
        except Exception:
            os._exit(CONFINEMENT_FAILED)
        clean_sys_path()
        if confinement.audit_hook:
            guard.install(guard.Fence(os.path.realpath(workdir), confinement.read_only, os.getpid()))
        worker.run(channel, limits.output_kb * 1024)
    finally:
        os._exit(70)


def _keep_only_fd(keep: int) -> None:
    """stdin/stdout/stderr to /dev/null (student output must never reach the grader's), all else closed."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)


class _Stopped(BaseException):
    """Raised by SIGTERM or SIGHUP in the fork server, to leave serve() through its cleanup."""


def _stop(signum: int, frame: object) -> None:
    raise _Stopped()


def main(control: socket.socket, config: ServerConfig) -> None:
    """Serve the parent on ``control``, after the bootstrap read ``config`` from it (see the module docstring)."""
    for name in PRELOADED_MODULES:
        importlib.import_module(name)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it closes us cleanly
    confinement = Confinement(Policy.from_wire(config["policy"]), config["base_dir"])
    try:
        control.send(json.dumps({"layers": confinement.layers().to_dict()}).encode())
    except OSError:
        os._exit(0)  # the parent has gone already (it stopped before its first worker)
    for signum in _STOPPING:
        signal.signal(signum, _stop)
    try:
        ForkServer(control, config["base_dir"], confinement).serve()
    except _Stopped:
        pass  # serve() has killed and reaped every worker and removed their folders
    # Every worker is reaped and every directory removed by now; skipping the interpreter's teardown
    # (tens of ms with numpy loaded) lets the parent's wait for us return at once.
    os._exit(0)
