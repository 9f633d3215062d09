"""Fixtures of the security suite: a world-readable temporary folder, and an ordinary user with its own
Python (one user per session, that is per xdist worker; one venv per run, shared by the workers:
building it takes 10-30 s)."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.optional import unavailable
from tests.security.system import (
    UserAccount,
    build_venv,
    create_user,
    current_user,
    missing_tools,
    remove_user,
    world_readable_folder,
)


@pytest.fixture(scope="session")
def security_base() -> Iterator[Path]:
    """A folder under /tmp every user may enter; each test's world is made inside it."""
    base = world_readable_folder("grader-security-")
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def as_root() -> None:
    """The root ways need root (CI and this machine run as root; a developer may not)."""
    if os.geteuid() != 0:
        unavailable("grading as root needs the suite to run as root")


@pytest.fixture(scope="session")
def ordinary_user(security_base: Path, run_folder: Path) -> Iterator[UserAccount]:
    """As root: a throw-away user with a venv of /usr/bin/python3 holding this project (the user is removed
    at the end of the session, the venv at the end of the run). Each xdist worker has a user of its own:
    an attack that gets through as one user cannot reach the other worker's runs."""
    if os.geteuid() != 0:
        yield current_user()
        return
    missing = missing_tools()
    if missing:
        unavailable(f"grading as an ordinary user needs {', '.join(missing)}")
    user = create_user(security_base / "home", _shared_venv(run_folder))
    yield user
    remove_user(user)


def _shared_venv(run_folder: Path) -> Path:
    """The venv's interpreter, built by the first worker that needs it while the others wait."""
    folder, built = run_folder / "python", run_folder / "python.built"
    with (run_folder / "python.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that failed half-way
            started = time.monotonic()
            built.write_text(str(build_venv(folder)))
            print(f"\n[security] the ordinary user's venv was built in {time.monotonic() - started:.1f} s")
    return Path(built.read_text())
