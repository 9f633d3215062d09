"""The seccomp-BPF filter: system calls a worker's process can never make, whatever Python it runs.

The filter allows by default and refuses, in the kernel, every call that would let graded code reach
past its own process: new processes and programs, tracing or reading other processes, signals to any
pid but its own, changing other processes' limits or scheduling, sockets, namespaces and mounts, and
the kernel interfaces that bypass the rest (io_uring, bpf, perf events, userfaultfd, keyrings, file
handles). Threads stay allowed (numpy's BLAS may use them): ``clone`` is refused only without
CLONE_THREAD, and ``clone3`` answers ENOSYS so that the C library falls back to ``clone``. A system
call of another architecture (32-bit ``int 0x80``, x32) kills the process: it would bypass the table.

Built on libseccomp, which compiles the rules into BPF for the running architecture. Its own Python
binding (Debian's python3-seccomp) is used where installed; elsewhere pyseccomp, a ctypes binding with
the same API, because the official binding is not published on PyPI.
"""

from __future__ import annotations

import errno
from typing import Any

try:
    import seccomp as _seccomp  # libseccomp's own binding, when the system provides it
except ImportError:
    try:
        import pyseccomp as _seccomp  # same API, pure Python over libseccomp.so
    except (ImportError, RuntimeError, OSError):  # pyseccomp raises RuntimeError without libseccomp.so
        _seccomp = None

CLONE_THREAD = 0x00010000
_TIOCSTI = 0x5412  # push characters into a terminal's input: a command typed into the grader's shell
_TIOCLINUX = 0x541C

REFUSED = (
    # new processes and programs
    "fork",
    "vfork",
    "execve",
    "execveat",
    # other processes' memory and state
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "process_madvise",
    "process_mrelease",
    # signals through descriptors and to threads by bare id
    "tkill",
    "pidfd_open",
    "pidfd_send_signal",
    "pidfd_getfd",
    # the network and local sockets (the worker's channel to the grader is already open)
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    # namespaces and mounts
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "mount_setattr",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    # kernel interfaces that bypass the other rules or widen the attack surface
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "open_by_handle_at",
    "name_to_handle_at",
    "personality",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "quotactl",
    "swapon",
    "swapoff",
    "reboot",
    "acct",
    "syslog",
    "vhangup",
    "iopl",
    "ioperm",
    "fanotify_init",
)
"""Refused with EPERM whatever their arguments."""

_OWN_TARGET_ONLY = {
    # (system call, argument index of the target): refused unless the target is 0, "this process"
    ("prlimit64", 0),
    ("sched_setaffinity", 0),
    ("sched_setscheduler", 0),
    ("sched_setparam", 0),
    ("sched_setattr", 0),
    ("migrate_pages", 0),
    ("move_pages", 0),
    ("setpriority", 1),
    ("ioprio_set", 1),
}
_SIGNALS_BY_PID = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
"""Refused unless their first argument is the worker's own pid."""


def unavailable_reason() -> str | None:
    """Why no filter can be built here (no libseccomp), or None."""
    return None if _seccomp is not None else "libseccomp (libseccomp.so.2) is not installed"


class PreparedFilter:
    """The filter without its pid-specific rules: built once in the fork server, finished in each worker.

    Building costs about a millisecond of ctypes calls; a forked worker gets a private copy of this
    object's memory, adds the four rules that name its own pid and loads it (about 0.2 ms).
    """

    def __init__(self) -> None:
        if _seccomp is None:
            raise OSError(errno.ENOSYS, unavailable_reason())
        self._filter = _seccomp.SyscallFilter(_seccomp.ALLOW)
        self._filter.set_attr(_seccomp.Attr.ACT_BADARCH, _seccomp.KILL_PROCESS)
        refuse = _seccomp.ERRNO(errno.EPERM)
        for name in REFUSED:
            self._add(refuse, name)
        self._add(_seccomp.ERRNO(errno.ENOSYS), "clone3")
        self._add(refuse, "clone", _seccomp.Arg(0, _seccomp.MASKED_EQ, CLONE_THREAD, 0))
        for name, index in sorted(_OWN_TARGET_ONLY):
            self._add(refuse, name, _seccomp.Arg(index, _seccomp.NE, 0))
        for request in (_TIOCSTI, _TIOCLINUX):
            self._add(refuse, "ioctl", _seccomp.Arg(1, _seccomp.EQ, request))

    def load(self, own_pid: int) -> None:
        """Add the rules that name ``own_pid`` and apply the filter to this process, for good."""
        refuse = _seccomp.ERRNO(errno.EPERM)
        for name in _SIGNALS_BY_PID:
            self._add(refuse, name, _seccomp.Arg(0, _seccomp.NE, own_pid))
        self._filter.load()

    def _add(self, action: int, name: str, *conditions: Any) -> None:
        try:
            number = _seccomp.resolve_syscall(_seccomp.Arch.NATIVE, name)
        except ValueError:
            return  # not a system call on this architecture (fork and vfork on arm64, iopl off x86)
        if number < 0:
            return
        self._filter.add_rule(action, name, *conditions)
