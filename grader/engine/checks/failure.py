"""The exception every ``expect`` helper raises when a student's answer is wrong."""

from __future__ import annotations

from grader.i18n import Text


class CheckFailure(AssertionError):
    """A check failed because of the student's answer (not because of the grader or the check).

    ``message`` says what is wrong in one line; ``hint`` says what to look at. Both are student-facing
    text rendered later in the student's language.
    """

    def __init__(self, message: Text, hint: Text | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
