"""What a test does when this machine lacks something it needs (a tool, root, a kernel feature)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip with ``reason`` on a developer's machine; fail in CI (env CI set), where the whole suite must
    run: a skip there would hide that a test never ran."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; in CI (CI={os.environ['CI']!r}) it must run, not be skipped")
    pytest.skip(reason)
