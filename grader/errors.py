"""Errors the grader reports to its user: each carries its exit code, a message and what to do.

They are raised anywhere below the command line and rendered in one place (:mod:`grader.cli`), so a
user sees one clear message instead of a traceback of the grader's own code.
"""

from __future__ import annotations


class GraderError(Exception):
    """A problem the user can fix; ``fix`` says how."""

    exit_code = 2

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.fix}" if self.fix else self.message


class CourseError(GraderError):
    """The course (course.yaml, its layout, a check file) is broken."""


class UsageError(GraderError):
    """The command line asks for something impossible."""
