"""Fixtures of the security suite: a world-readable temporary folder, and an ordinary user with its own
Python (one per session: building its venv takes 10-30 s)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.system import (
    UserAccount, build_venv, create_user, current_user, missing_tools, remove_user, world_readable_folder,
)


def _unavailable(reason: str) -> None:
    """Outside CI a missing tool skips (with the reason); in CI (env CI set) it fails."""
    if os.environ.get("CI"):
        pytest.fail(f"the security suite cannot run in CI: {reason}")
    pytest.skip(reason)


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
        _unavailable("grading as root needs the suite to run as root")


@pytest.fixture(scope="session")
def ordinary_user(security_base: Path) -> Iterator[UserAccount]:
    """As root: a throw-away user with a venv of /usr/bin/python3 holding this project (removed at the
    end). Otherwise whoever runs the suite, with pytest's own interpreter."""
    if os.geteuid() != 0:
        yield current_user()
        return
    missing = missing_tools()
    if missing:
        _unavailable(f"grading as an ordinary user needs {', '.join(missing)}")
    started = time.monotonic()
    python = build_venv(security_base / "python")
    user = create_user(security_base / "home", python)
    print(f"\n[security] the ordinary user's venv was built in {time.monotonic() - started:.1f} s")
    yield user
    remove_user(user)
