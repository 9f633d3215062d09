"""The notebook version of a stub: ``<id>.ipynb`` built from ``<id>.py`` and the assignment's README.

Layout, top to bottom: the README as markdown cells (one per section, so a long README stays easy to
scroll and Jupyter's table of contents lists it); the stub as code cells, the preamble (docstring,
imports, constants) first and then one cell per top-level function or class, with its decorators and
the comments right above it; a short markdown note and the feedback cell
``import grader; grader.check("<id>")``. Joined, the code cells are exactly the stub, so the notebook
grades exactly like the ``.py`` file. Cell ids are numbered, not random: publishing twice writes the
same bytes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.frontends.notebook.convert import split_lines

_HEADING = re.compile(r"#{1,3} ")  # sections of level 1-3 start a new markdown cell
_FENCE = re.compile(r"\s*(```|~~~)")
_METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
}
CHECK_NOTE = (
    "## 채점 / Check your work\n\n"
    "노트북을 저장한 뒤 (Ctrl-S) 아래 셀을 실행하면 공개 검사의 결과가 표로 나옵니다.\n\n"
    "Save the notebook (Ctrl-S), then run the cell below: the public checks' results appear as a table."
)


def stub_notebook(stub: Path, readme: Path, assignment_id: str) -> NotebookNode:
    """The notebook for ``stub`` (a ``.py`` file) with ``readme``'s explanation (skipped if absent)."""
    readme_text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    cells = [new_markdown_cell(section) for section in markdown_sections(readme_text)]
    cells += [new_code_cell(chunk) for chunk in code_chunks(stub.read_text(encoding="utf-8"))]
    cells += [new_markdown_cell(CHECK_NOTE), new_code_cell(feedback_cell(assignment_id))]
    for number, cell in enumerate(cells, start=1):
        cell["id"] = f"{cell.cell_type}-{number}"
    notebook = new_notebook(cells=cells, metadata=_METADATA)
    nbformat.validate(notebook)
    return notebook


def write_stub_notebook(stub: Path, readme: Path, assignment_id: str) -> Path:
    """Write ``<id>.ipynb`` beside ``stub``; returns its path (for ``grader publish``)."""
    target = stub.with_name(f"{assignment_id}.ipynb")
    nbformat.write(stub_notebook(stub, readme, assignment_id), str(target))
    return target


def feedback_cell(assignment_id: str) -> str:
    """The cell that asks the grader for feedback on the saved notebook."""
    return f'import grader; grader.check("{assignment_id}")'


def markdown_sections(text: str) -> list[str]:
    """``text`` split before each heading of level 1-3 (not inside a fenced code block, not right
    after another heading)."""
    sections: list[list[str]] = [[]]
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and _HEADING.match(line) and _has_body(sections[-1]):
            sections.append([])
        sections[-1].append(line)
    return [joined for joined in ("\n".join(section).strip() for section in sections) if joined]


def _has_body(section: list[str]) -> bool:
    """A section with more than headings (a heading alone stays with the section after it)."""
    return any(line.strip() and not _HEADING.match(line) for line in section)


def code_chunks(source: str) -> list[str]:
    """``source`` split before each top-level def or class (with its decorators and comments)."""
    lines = split_lines(source)
    starts = sorted({_chunk_start(node, lines) for node in ast.parse(source).body if _is_definition(node)} | {1})
    bounds = zip(starts, [*starts[1:], len(lines) + 1])
    chunks = ("\n".join(lines[start - 1 : end - 1]).strip("\n") for start, end in bounds)
    return [chunk for chunk in chunks if chunk.strip()]


def _is_definition(node: ast.stmt) -> bool:
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))


def _chunk_start(node: ast.stmt, lines: list[str]) -> int:
    """The definition's first line, moved up over its decorators and the comment lines right above."""
    start = min([node.lineno, *(decorator.lineno for decorator in getattr(node, "decorator_list", []))])
    while start > 1 and lines[start - 2].lstrip().startswith("#"):
        start -= 1
    return start
