"""Whether a run includes the hidden checks, and whether this machine can run them at all.

Hidden checks run where the course's solutions/ is (instructors, autograders), unless public checks
only are asked for. They need the grader's sandbox, whose fences (seccomp, Landlock, a uid per
worker) exist only in the Linux kernel: a student's code must never read the reference or the hidden
checks. On another system the grader says so before anything starts, and public checks still run
(a student's own code on their own machine, with nothing secret to guard).

Imported by ``grader grade`` before the fork server starts, so it stays free of heavy imports.
"""

from __future__ import annotations

import sys

from grader.course.model import Course
from grader.errors import UsageError

SANDBOX_PLATFORMS = ("linux",)
"""``sys.platform`` prefixes where the sandbox hidden checks need exists."""


def current_platform() -> str:
    """``sys.platform`` (tests replace this function, not ``sys.platform``, which the standard library reads too)."""
    return sys.platform


def runs_hidden_checks(course: Course, public_only: bool) -> bool:
    """Whether this run includes the hidden checks; a :class:`UsageError` where they cannot run (not Linux)."""
    if public_only or not course.solutions_dir.is_dir():
        return False
    require_sandbox_platform(current_platform())
    return True


def require_sandbox_platform(platform: str) -> None:
    """Refuse clearly, before anything starts, on a system without the sandbox's kernel fences."""
    if not platform.startswith(SANDBOX_PLATFORMS):
        raise UsageError(
            f"hidden checks need the grader's sandbox, which runs only on Linux (this system is {platform!r}): "
            "on other systems the student code could read the solutions",
            "run the public checks with --public-only (hidden checks run when you submit), "
            "or grade on Linux (a Linux machine or VM, WSL 2, or a container)",
        )
