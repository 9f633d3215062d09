"""The machine around a security test: an ordinary user with a Python of its own, the processes a test
leaves behind, and fingerprints of folders (to show that nothing outside the worker changed).

Everything here needs root (the suite's own precondition: CI and this machine run as root).
"""

from __future__ import annotations

import ctypes
import getpass
import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from grader.frontends.publish.package import build_wheel

SYSTEM_PYTHON = Path("/usr/bin/python3")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
_PR_SET_CHILD_SUBREAPER = 36
_LANDLOCK_CREATE_RULESET = 444
_LANDLOCK_CREATE_RULESET_VERSION = 1


@dataclass(frozen=True)
class UserAccount:
    """A throw-away ordinary user, with the Python it grades with."""

    name: str
    uid: int
    gid: int
    home: Path
    """Its home folder (inside the suite's temporary folder)."""
    python: Path
    """The venv interpreter with this project installed (non-editable), readable by the user."""
    runuser: str
    """The runuser program (in /usr/sbin, which the grader's PATH need not hold)."""
    throwaway: bool = True
    """Made by the test (every process it runs is the test's own); False for whoever runs the suite."""


def missing_tools() -> list[str]:
    """What the ordinary-user way needs and this machine lacks."""
    missing = [tool for tool in ("useradd", "userdel", "runuser") if shutil.which(tool) is None]
    if not SYSTEM_PYTHON.exists():
        missing.append(str(SYSTEM_PYTHON))
    return missing


def world_readable_folder(prefix: str) -> Path:
    """A fresh folder under /tmp that every user may enter (pytest's own temp root is 0700)."""
    folder = Path(f"/tmp/{prefix}{uuid.uuid4().hex[:12]}")
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    return folder


def build_venv(folder: Path) -> Path:
    """A venv of the system Python with this project installed non-editable, from the wheel a release
    ships (the grader's own pure-Python builder: no build step, nothing written into the checkout);
    returns its interpreter. The venv needs no pip of its own: this interpreter's pip installs into it
    (``pip --python``), which spares creating one pip and building the project in another (5 s of CPU)."""
    folder.mkdir(mode=0o755)
    wheel = build_wheel(folder)
    venv = folder / "venv"
    subprocess.run(
        [str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True, timeout=300
    )
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin/python"), "install", "-q", "--no-input", str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if install.returncode != 0:
        raise RuntimeError(f"pip install into {venv} failed:\n{install.stderr[-3000:]}")
    wheel.unlink()
    return venv / "bin/python"


def create_user(home: Path, python: Path) -> UserAccount:
    """A new ordinary user (no login, its own group) whose home is ``home``."""
    name = f"grsec{uuid.uuid4().hex[:10]}"
    command = [
        "useradd",
        "--no-create-home",
        "--home-dir",
        str(home),
        "--shell",
        "/usr/sbin/nologin",
        "--user-group",
        name,
    ]
    _retry_while_locked(command)
    uid = int(subprocess.run(["id", "-u", name], check=True, capture_output=True, text=True).stdout)
    gid = int(subprocess.run(["id", "-g", name], check=True, capture_output=True, text=True).stdout)
    home.mkdir(mode=0o755, exist_ok=True)
    os.chown(home, uid, gid)
    return UserAccount(name, uid, gid, home, python, str(shutil.which("runuser")))


def current_user() -> UserAccount:
    """Whoever runs the suite without root: the "user" ways grade as them, with pytest's own interpreter."""
    return UserAccount(
        getpass.getuser(), os.geteuid(), os.getegid(), Path.home(), Path(sys.executable), "", throwaway=False
    )


def remove_user(user: UserAccount) -> None:
    kill_and_reap(processes_of_uid(user.uid))
    _retry_while_locked(["userdel", user.name])


def _retry_while_locked(command: list[str]) -> None:
    """useradd/userdel fail while another one holds /etc/passwd's lock (other test runs on the machine)."""
    for _ in range(20):
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode == 0:
            return
        if "lock" not in result.stderr.lower():
            break
        time.sleep(0.5)
    raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")


def chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)


# -- processes ----------------------------------------------------------------------------------------
@contextmanager
def adopting_orphans() -> Iterator[None]:
    """Make this (pytest) process a child subreaper while the block runs: a process that a test's grader
    left behind, even one in a session of its own, becomes our child instead of init's, so it can be found."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    try:
        yield
    finally:
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def _parents() -> dict[int, int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[0] != "Z":  # a zombie is already dead (reaped below)
                parents[int(entry)] = int(fields[1])
    return parents


def descendants(ancestor: int) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    for pid in parents:
        current, seen = pid, set()
        while current in parents and current not in seen and current != ancestor:
            seen.add(current)
            current = parents[current]
        if current == ancestor and pid != ancestor:
            found.add(pid)
    return found


def processes_with_token(token: str) -> set[int]:
    """Processes whose command line or environment carries ``token`` (what the spawn attacks start)."""
    marker = token.encode()
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                if (
                    marker in Path(f"/proc/{entry}/environ").read_bytes()
                    or marker in Path(f"/proc/{entry}/cmdline").read_bytes()
                ):
                    found.add(int(entry))
            except OSError:
                continue
    return found


def processes_of_uid(uid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    found.add(int(entry))
            except OSError:
                continue
    return found


def describe_process(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        uid = os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return f"{pid} (gone)"
    return f"{pid} (uid {uid}: {command[:160]})"


def kill_and_reap(pids: set[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    reap_children()


def reap_children() -> None:
    """Collect every dead child of this process (orphans adopted as subreaper become our zombies)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def wait_until_gone(find: Callable[[], set[int]], seconds: float) -> set[int]:
    """``find()`` until it returns nothing or ``seconds`` pass (a grader's helpers exit just after it)."""
    deadline = time.monotonic() + seconds
    while True:
        reap_children()
        found = find()
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


# -- folders ------------------------------------------------------------------------------------------
def fingerprint(root: Path) -> dict[str, str]:
    """Every entry under ``root`` (itself included): kind, mode, owner, and the hash of a file's bytes."""
    prints = {".": _entry(root)}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            prints[str(path.relative_to(root))] = _entry(path)
    return prints


def _entry(path: Path) -> str:
    info = path.lstat()
    kind = "link" if stat.S_ISLNK(info.st_mode) else "dir" if stat.S_ISDIR(info.st_mode) else "file"
    detail = (
        os.readlink(path) if kind == "link" else hashlib.sha256(path.read_bytes()).hexdigest() if kind == "file" else ""
    )
    return f"{kind} {stat.S_IMODE(info.st_mode):o} {info.st_uid}:{info.st_gid} {detail}"


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, str]:
    """Each entry whose fingerprint differs: its name, and ``<before> -> <after>``."""
    return {
        name: f"{before.get(name, 'absent')} -> {after.get(name, 'absent')}"
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def kernel_landlock_abi() -> int:
    """The Landlock ABI this kernel offers (0: none)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    version = libc.syscall(
        ctypes.c_long(_LANDLOCK_CREATE_RULESET),
        None,
        ctypes.c_size_t(0),
        ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION),
    )
    return max(int(version), 0)
