"""Reading a student's ``.ipynb`` with nbformat, or saying clearly why it is not a notebook.

The checks run in order, each naming what is wrong in terms a student can act on: the file is not
JSON (with the line and column), is JSON but not a notebook object, has a format version other than
4 (every Jupyter, JupyterLab, VS Code and Colab since 2015 writes 4), or breaks the nbformat 4 schema
(which cell and which field). Cell ids missing from an older 4.x file are filled in first, as
Jupyter itself does when it opens one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from grader.frontends.notebook.errors import NotebookError
from grader.i18n import Msg, msg

SUPPORTED_VERSION = 4
CELL_TYPES = ("code", "markdown", "raw")
_MAX_DETAIL = 160  # characters of a schema message kept (jsonschema quotes whole cells otherwise)


def read_notebook(path: Path) -> NotebookNode:
    """The validated notebook at ``path`` (OSError and UnicodeDecodeError propagate to the caller)."""
    text = Path(path).read_text(encoding="utf-8")
    return parse_notebook(text, path)


def parse_notebook(text: str, path: Path) -> NotebookNode:
    """The validated notebook in ``text``; :class:`NotebookError` naming the problem otherwise."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(path, msg("notebook.bad_json", line=exc.lineno, column=exc.colno, error=exc.msg)) from None
    if not isinstance(data, dict):
        raise NotebookError(path, msg("notebook.not_object", got=type(data).__name__))
    version = data.get("nbformat")
    if type(version) is not int or version != SUPPORTED_VERSION:
        raise NotebookError(path, msg("notebook.bad_version", version=json.dumps(version)[:40]))
    _, data = nbformat.validator.normalize(data, version=SUPPORTED_VERSION, version_minor=_minor(data))
    notebook = nbformat.from_dict(data)
    try:
        nbformat.validate(notebook, version=SUPPORTED_VERSION)
    except nbformat.ValidationError as error:
        raise NotebookError(path, _schema_problem(error)) from None
    return notebook


def _minor(data: dict[str, Any]) -> int:
    minor = data.get("nbformat_minor")
    return minor if type(minor) is int else 0


def _schema_problem(error: nbformat.ValidationError) -> Msg:
    """Which part of the notebook breaks the schema, and jsonschema's own words when they are short."""
    path = list(error.absolute_path)
    detail = error.message if len(error.message) <= _MAX_DETAIL else msg("notebook.schema_kind", rule=error.validator)
    if len(path) == 2 and path[0] == "cells" and isinstance(path[1], int):
        kind = error.instance.get("cell_type") if isinstance(error.instance, dict) else None
        if kind not in CELL_TYPES:  # jsonschema would quote the whole cell: name the one field instead
            return msg(
                "notebook.bad_cell_type", cell=path[1] + 1, got=json.dumps(kind)[:40], allowed=", ".join(CELL_TYPES)
            )
    if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
        field = ".".join(str(part) for part in path[2:])
        if field:
            return msg("notebook.schema_cell_field", cell=path[1] + 1, field=field, detail=detail)
        return msg("notebook.schema_cell", cell=path[1] + 1, detail=detail)
    where = ".".join(str(part) for part in path) or "/"
    return msg("notebook.schema", where=where, detail=detail)


def cell_source(cell: NotebookNode) -> str:
    """A cell's text (the file format allows a string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)
