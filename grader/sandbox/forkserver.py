"""The fork server: a pre-warmed process that forks one worker per request.

Started once per grading run by :mod:`grader.sandbox.launcher` as a fresh interpreter (``python -I``)
that imports numpy and the worker code and nothing of the course, so a forked worker starts in about
a millisecond without inheriting any reference solution or check from the trusted parent.

Control protocol on a SOCK_SEQPACKET socket, JSON messages (both ends are trusted):
  {"op": "spawn", "limits": {...}} + one fd (the worker's end of its channel) -> {"pid": int}
  {"op": "reap", "pid": int}  -> {"exit_code": int | None, "signal": int | None}
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
import sys
import tempfile

import numpy  # noqa: F401  (the point of the fork server: workers start with numpy imported)

from grader.sandbox import guard, limits as limits_module, worker
from grader.sandbox.channel import Channel

MAX_CONTROL_MESSAGE = 1 << 16

# Imported before any fork, so every worker has them even when the Python installation is not
# readable by the unprivileged worker user (Python under /root, as on some CI images): a correct
# solution must not fail for importing `random` or `np.fft`. Pure computation only.
PRELOADED_MODULES = (
    "math", "cmath", "random", "statistics", "itertools", "functools", "operator", "collections",
    "collections.abc", "dataclasses", "typing", "copy", "numbers", "decimal", "fractions", "heapq", "bisect",
    "array", "string", "re", "time", "warnings", "enum", "abc", "contextlib", "textwrap", "json", "datetime",
    "pprint", "subprocess", "numpy.fft", "numpy.polynomial", "numpy.lib.stride_tricks", "numpy.random",
    "numpy.linalg", "numpy.testing",
)


class ForkServer:
    """Forks workers on request and reaps them, removing each worker's temporary directory."""

    def __init__(self, control: socket.socket, base_dir: str, denied_roots: tuple[str, ...]) -> None:
        self.control = control
        self.base_dir = base_dir
        self.denied_roots = denied_roots
        self.workdirs: dict[int, str] = {}

    def serve(self) -> None:
        try:
            while True:
                try:
                    data, fds, _flags, _addr = socket.recv_fds(self.control, MAX_CONTROL_MESSAGE, 4)
                except OSError:
                    return
                if not data:
                    return
                request = json.loads(data)
                reply = self.spawn(request, fds) if request["op"] == "spawn" else self.reap(request["pid"])
                self.control.send(json.dumps(reply).encode())
        finally:
            self.shutdown()

    def spawn(self, request: dict, fds: list[int]) -> dict:
        (channel_fd,) = fds
        workdir = tempfile.mkdtemp(prefix="grader-worker-", dir=self.base_dir)
        if limits_module.running_as_root():
            os.chown(workdir, *limits_module.unprivileged_ids())
        pid = os.fork()
        if pid == 0:
            _become_worker(channel_fd, workdir, limits_module.Limits.from_wire(request["limits"]), self.denied_roots)
        os.close(channel_fd)
        self.workdirs[pid] = workdir
        return {"pid": pid}

    def reap(self, pid: int) -> dict:
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return {"exit_code": None, "signal": None}
        shutil.rmtree(self.workdirs.pop(pid, ""), ignore_errors=True)
        if os.WIFSIGNALED(status):
            return {"exit_code": None, "signal": os.WTERMSIG(status)}
        return {"exit_code": os.WEXITSTATUS(status), "signal": None}

    def shutdown(self) -> None:
        for pid in list(self.workdirs):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            self.reap(pid)


def _become_worker(channel_fd: int, workdir: str, limits: limits_module.Limits, denied_roots: tuple[str, ...]) -> None:
    """In the forked child: isolate, restrict, then serve the parent. Never returns."""
    try:
        os.setsid()  # its own process group, so the parent can kill it with everything it started
        _keep_only_fd(channel_fd)
        channel = Channel(socket.socket(fileno=channel_fd))
        os.chdir(workdir)
        os.environ.update(TMPDIR=workdir, HOME=workdir)
        tempfile.tempdir = workdir
        limits_module.apply_rlimits(limits)
        if limits_module.running_as_root():
            limits_module.drop_privileges()
            limits_module.forbid_new_processes()
        sys.path[:] = [path for path in sys.path if not _is_source_checkout(path)]
        guard.install(guard.Fence(os.path.realpath(workdir), denied_roots, os.getpid()))
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


def _is_source_checkout(path: str) -> bool:
    """A sys.path entry that holds the course next to the grader (a development checkout)."""
    return os.path.isdir(os.path.join(path, "solutions"))


def main() -> None:
    control_fd, base_dir, denied = int(sys.argv[1]), sys.argv[2], tuple(json.loads(sys.argv[3]))
    for name in PRELOADED_MODULES:
        importlib.import_module(name)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it closes us cleanly
    ForkServer(socket.socket(fileno=control_fd), base_dir, denied).serve()
    # Every worker is reaped and every directory removed by now; skipping the interpreter's teardown
    # (tens of ms with numpy loaded) lets the parent's wait for us return at once.
    os._exit(0)


if __name__ == "__main__":
    main()
