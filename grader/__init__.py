"""grader: an automated exercise grader for deep-learning math.

Check authors write ``from grader import check, expect``. The names are resolved lazily so that
importing a submodule (the sandbox's fork server, for instance) does not pull in the check API.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check", "expect"]


def __getattr__(name: str) -> Any:
    if name == "check":
        from grader.checks.registry import check

        return check
    if name == "expect":
        from grader.checks import expect

        return expect
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
