"""The audit hook: readable refusals for what the kernel's fences refuse anyway (a courtesy, not a fence).

Installed last in the worker, after every kernel layer (:mod:`grader.sandbox.confine`), it turns the
operations a submission has no business doing into a ``PermissionError`` whose message says what is
not allowed, where the kernel would only answer "Operation not permitted": starting processes, opening
sockets, signalling other processes, loading native code through ctypes, changing its own limits,
writing outside its temporary directory, and reading outside it and the Python installation. PEP 578
says it plainly: audit hooks are not a sandbox. Nothing depends on this hook for safety; the tests in
tests/security/ show every attack contained with it switched off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_NO_PROCESSES = frozenset(
    {"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "subprocess.Popen", "pty.spawn"}
)
_NO_NETWORK = frozenset({"socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo"})
_NO_INTROSPECTION = frozenset(
    {
        "resource.setrlimit",
        "resource.prlimit",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "sys.addaudithook",
        "sys.remote_exec",
        "os.setuid",
        "os.setgid",
    }
)
_SIGNALS = frozenset({"os.kill", "os.killpg"})
# Events whose arguments start with one or two paths that the call creates, changes or removes.
_PATH_CHANGES: dict[str, int] = {
    "os.remove": 1,
    "os.rmdir": 1,
    "os.mkdir": 1,
    "os.chmod": 1,
    "os.chown": 1,
    "os.truncate": 1,
    "os.utime": 1,
    "os.chflags": 1,
    "os.lchflags": 1,
    "os.rename": 2,
    "os.link": 2,
    "os.symlink": 2,
    "shutil.rmtree": 1,
    "shutil.copyfile": 2,
    "shutil.move": 2,
    "os.setxattr": 1,
    "os.removexattr": 1,
}
_LISTINGS = frozenset({"os.listdir", "os.scandir", "glob.glob", "os.walk"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@dataclass(frozen=True)
class Fence:
    """Where the worker may write, what else it may read, and its own pid (the only one it may signal);
    the same folders as its Landlock rules."""

    workdir: str
    readable: tuple[str, ...]
    pid: int

    def may_write(self, path: str) -> bool:
        return _is_within(path, self.workdir) or path == os.devnull

    def may_read(self, path: str) -> bool:
        return self.may_write(path) or any(_is_within(path, root) for root in self.readable)


def install(fence: Fence) -> None:
    """Add the hook for the rest of this process's life (audit hooks cannot be removed)."""
    sys.addaudithook(_make_hook(fence))


def _make_hook(fence: Fence) -> Callable[[str, tuple[Any, ...]], None]:
    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in _NO_PROCESSES:
            raise PermissionError("starting other programs is not allowed in graded code")
        if event in _NO_NETWORK:
            raise PermissionError("network access is not allowed in graded code")
        if event in _NO_INTROSPECTION or event.startswith("ctypes."):
            raise PermissionError(f"{event} is not allowed in graded code")
        if event in _SIGNALS and not _is_own(args, fence.pid):
            raise PermissionError("sending signals to other processes is not allowed in graded code")
        if event == "open":
            _check_open(fence, args)
        elif event in _PATH_CHANGES:
            _check_changes(fence, event, args)
        elif event in _LISTINGS and args and isinstance(args[0], (str, bytes, os.PathLike)):
            if not fence.may_read(_resolve(args[0])):
                raise PermissionError(f"listing {args[0]!r} is not allowed in graded code")

    return hook


def _check_open(fence: Fence, args: tuple[Any, ...]) -> None:
    path, mode, flags = (tuple(args) + (None, None, None))[:3]
    if not isinstance(path, (str, bytes, os.PathLike)):
        return  # an already open descriptor
    resolved = _resolve(path)
    writing = (isinstance(flags, int) and flags & _WRITE_FLAGS) or (
        isinstance(mode, str) and any(letter in mode for letter in "wax+")
    )
    if writing and not fence.may_write(resolved):
        raise PermissionError(f"writing {path!r} is not allowed: graded code may only write in its working directory")
    if not fence.may_read(resolved):
        raise PermissionError(f"reading {path!r} is not allowed in graded code")


def _check_changes(fence: Fence, event: str, args: tuple[Any, ...]) -> None:
    for path in args[: _PATH_CHANGES[event]]:
        if isinstance(path, (str, bytes, os.PathLike)) and not fence.may_write(_resolve(path)):
            raise PermissionError(f"{event} on {path!r} is not allowed outside the working directory")


def _resolve(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    return os.path.realpath(os.fsdecode(path))


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _is_own(args: tuple[Any, ...], own_pid: int) -> bool:
    return bool(args) and args[0] in (own_pid, 0) and isinstance(args[0], int)
