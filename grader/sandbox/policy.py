"""What the parent asks of every worker's fences: what it may read, and which layers to apply.

Decided in the trusted parent (which knows the course's and the class's folders and checks that none
lies inside what workers may read) and sent to the fork server, which never learns those folders. Kept
apart from :mod:`grader.sandbox.confine` so the parent does not load the kernel interfaces it never calls.
"""

from __future__ import annotations

import importlib.util
import os
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

_SYSTEM_LIBRARIES = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib")
_SYSTEM_FILES = (
    "/etc/localtime",
    "/usr/share/zoneinfo",
    "/sys/devices/system/cpu",
    "/dev/urandom",
    "/dev/random",
    "/dev/zero",
)


class PolicyWire(TypedDict):
    """A :class:`Policy` as JSON."""

    read_only: list[str]
    off: list[str]
    uid_range: list[int]


@dataclass(frozen=True)
class Policy:
    """What the parent asks of every worker's fences (sent to the fork server as JSON)."""

    read_only: tuple[str, ...]
    """Folders and files a worker may read: the Python installation, numpy, system libraries."""
    off: frozenset[str]
    """Layers switched off for this run (test-only, see :mod:`grader.sandbox.layers`)."""
    uid_range: tuple[int, int]
    """The uids workers may be given, as root."""

    def to_wire(self) -> PolicyWire:
        return {"read_only": list(self.read_only), "off": sorted(self.off), "uid_range": list(self.uid_range)}

    @classmethod
    def from_wire(cls, data: PolicyWire) -> Policy:
        first, last = data["uid_range"]
        return cls(tuple(data["read_only"]), frozenset(data["off"]), (int(first), int(last)))


def worker_read_roots() -> tuple[str, ...]:
    """What a worker needs to read: the standard library, the site-packages that hold numpy, the C
    libraries numpy and Python load on demand, and a few system files (time zone, CPU count, random)."""
    numpy = importlib.util.find_spec("numpy")  # located, not imported: the parent may not need it yet
    python = {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    if numpy is not None and numpy.origin:
        python.add(os.path.dirname(os.path.dirname(numpy.origin)))
    roots = [os.path.realpath(path) for path in python if path]
    roots += [os.path.realpath(path) for path in _SYSTEM_LIBRARIES + _SYSTEM_FILES if os.path.exists(path)]
    return _outermost(roots)


def _outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """``paths`` without those inside another one (a venv's site-packages inside its lib folder): each
    is a Landlock rule every worker pays for when it starts."""
    unique = sorted(set(paths))
    return tuple(path for path in unique if not any(_inside(path, other) for other in unique if other != path))


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def readable_protected(read_roots: Iterable[str], protected: Iterable[str]) -> tuple[str, str] | None:
    """A (root, folder) pair where a protected folder lies inside what workers may read, if any."""
    for folder in protected:
        real = os.path.realpath(folder)
        for root in read_roots:
            if _inside(real, root):
                return root, folder
    return None
