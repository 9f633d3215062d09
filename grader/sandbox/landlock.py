"""Landlock: the kernel's filesystem fence around a worker, through its three system calls.

After :func:`enforce`, the calling process (and anything it could still start) can open only what lies
beneath the folders and files it was given: read-only roots (the Python installation, numpy, system
libraries) and read-write roots (its own working directory). Every other path is refused with EACCES by
the kernel, however it is reached: an absolute path, ``..``, a symlink, or a descriptor-relative
``openat(dir_fd, ...)`` from an ``O_PATH`` descriptor. Where the kernel's Landlock ABI is 6 or newer, the
process is also scoped: it can signal no process and reach no abstract unix socket outside its own domain.

No Python binding of Landlock is maintained with ABI 6 scoping, so this is a small ctypes module of our
own around ``landlock_create_ruleset``, ``landlock_add_rule`` and ``landlock_restrict_self``
(see the kernel's Documentation/userspace-api/landlock.rst).
"""

from __future__ import annotations

import ctypes
import os
import stat
from collections.abc import Iterable

_SYS_CREATE_RULESET = 444  # the same number on every architecture that has Landlock
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
TRUNCATE = 1 << 14
IOCTL_DEV = 1 << 15
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
"""The only rights a rule on a file (not a folder) may carry."""

READ = READ_FILE | READ_DIR
"""What a read-only root allows."""

_FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
_NET_TCP_BIND_AND_CONNECT = (1 << 0) | (1 << 1)  # ABI 4
_SCOPE_ABSTRACT_UNIX_SOCKET_AND_SIGNAL = (1 << 0) | (1 << 1)  # ABI 6
SCOPES_ABI = 6
"""The first ABI that scopes signals and abstract unix sockets."""


class LandlockError(OSError):
    """The kernel refused to build or apply the ruleset."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is packed: 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """The Landlock ABI this kernel offers; 0 when it has none (too old, or disabled at boot)."""
    version: int = _libc.syscall(_SYS_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION)  # ctypes' default restype: int
    return max(version, 0)


def all_file_rights(abi: int) -> int:
    """Every filesystem right ``abi`` knows: all of them are handled, so whatever no rule allows is refused."""
    return _FS_RIGHTS_BY_ABI[min(abi, max(_FS_RIGHTS_BY_ABI))]


def prepare(abi: int, read_only: Iterable[str], read_write: Iterable[str]) -> int:
    """A ruleset allowing only ``read_only`` and ``read_write`` (folders or files), not yet in force.

    Built before a worker drops its privileges, so that folders the worker's uid cannot even search (a
    Python under /root) still get their rule. Paths that do not exist are skipped (a library folder this
    system does not have). Returns the ruleset's descriptor, for :func:`enforce`.
    """
    handled = all_file_rights(abi)
    ruleset = _create_ruleset(abi, handled)
    try:
        for path in read_only:
            _allow(ruleset, path, READ)
        for path in read_write:
            _allow(ruleset, path, handled & ~EXECUTE)
    except BaseException:
        os.close(ruleset)
        raise
    return ruleset


def enforce(ruleset: int) -> None:
    """Confine the calling process to ``ruleset`` for good, and close it. Sets no_new_privs, which
    Landlock requires of a process without CAP_SYS_ADMIN."""
    try:
        _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
        _check(_libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
    finally:
        os.close(ruleset)


def _create_ruleset(abi: int, handled_fs: int) -> int:
    attr = _RulesetAttr(
        handled_fs,
        _NET_TCP_BIND_AND_CONNECT if abi >= 4 else 0,
        _SCOPE_ABSTRACT_UNIX_SOCKET_AND_SIGNAL if abi >= SCOPES_ABI else 0,
    )
    # Older kernels reject fields they do not know: pass only the prefix of the struct this ABI has.
    size = 24 if abi >= SCOPES_ABI else 16 if abi >= 4 else 8
    return _check(_libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), size, 0), "landlock_create_ruleset")


def _allow(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):  # fstat works on O_PATH descriptors
            rights &= _FILE_RIGHTS
        rule = _PathBeneathAttr(rights, fd)
        _check(
            _libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0),
            f"landlock_add_rule({path})",
        )
    finally:
        os.close(fd)


def _check(result: int, what: str) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise LandlockError(errno, f"{what}: {os.strerror(errno)}")
    return result
