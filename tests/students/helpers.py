"""Notebooks for the students' tests: built with nbformat from (cell type, text) pairs."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.engine.helpers import REFERENCE

Cell = tuple[str, str]
"""("code" | "markdown", text)."""


def write_notebook(path: Path, cells: list[Cell]) -> Path:
    """Write a valid nbformat 4 notebook with these cells to ``path``."""
    made = [new_code_cell(text) if kind == "code" else new_markdown_cell(text) for kind, text in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=made), str(path))
    return path


def reference_cells() -> list[Cell]:
    """The mini course's reference split like a student notebook: markdown, imports, functions, feedback."""
    imports, _, functions = REFERENCE.partition("\n\n\ndef add")
    return [
        ("markdown", "# Vectors"),
        ("code", imports),
        ("code", "def add" + functions),
        ("code", 'import grader\ngrader.check("vectors")'),
    ]


def line_in_cell(cells: list[Cell], cell: int, needle: str) -> int:
    """1-based line of the first line containing ``needle`` in the 1-based ``cell``."""
    lines = cells[cell - 1][1].split("\n")
    return next(number for number, line in enumerate(lines, start=1) if needle in line)
