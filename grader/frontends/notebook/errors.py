"""The notebook error, apart from the reader so that catching it does not import nbformat."""

from __future__ import annotations

from pathlib import Path

from grader.i18n import Msg


class NotebookError(Exception):
    """The file is not a valid notebook; ``problem`` says what is wrong, for the student."""

    def __init__(self, path: Path, problem: Msg) -> None:
        super().__init__(f"{path}: {problem.key}")
        self.path = path
        self.problem = problem
