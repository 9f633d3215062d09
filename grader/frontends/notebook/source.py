"""A notebook submission as a :class:`~grader.frontends.submission.Source`: module text, line map, notes."""

from __future__ import annotations

from pathlib import Path

from grader.engine.source import Source
from grader.frontends.notebook.convert import Skipped, notebook_module
from grader.frontends.notebook.read import read_notebook
from grader.i18n import LANGUAGES, Msg, msg, render


def notebook_source(path: Path, filename: str) -> Source:
    """The notebook at ``path`` ready for a worker, named ``filename`` in tracebacks.

    Raises :class:`~grader.frontends.notebook.read.NotebookError` for a file that is not a valid notebook.
    """
    module = notebook_module(read_notebook(path))
    notes = (skipped_note(module.skipped),) if module.skipped else ()
    return Source(module.text, filename, module.line_map, notes)


def skipped_note(skipped: tuple[Skipped, ...]) -> Msg:
    """ "skipped 2 magic/shell line(s): cell 1 line 1, cell 4 line 3" (rendered later, in any language)."""
    places = [_place(item) for item in skipped]
    where = {language: ", ".join(render(place, language) for place in places) for language in LANGUAGES}
    return msg("notebook.skipped", count=len(skipped), where=where)


def _place(item: Skipped) -> Msg:
    if item.line is None:
        return msg("notebook.skipped_cell", cell=item.cell)
    return msg("notebook.skipped_line", cell=item.cell, line=item.line)
