"""The notebook-to-module conversion and its line map, as pure functions."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.engine.lines import CellLine, LineMap
from grader.frontends.notebook.convert import Skipped, code_cell_lines, notebook_module


def test_line_magics_shell_lines_and_their_assigned_forms_become_pass_at_their_indentation() -> None:
    cell = "%matplotlib inline\nfiles = !ls $HOME\nt = %time f()\nfor i in range(2):\n    !echo $i\nx = 1\n"
    lines, skipped = code_cell_lines(cell, 5)
    assert lines == ["pass", "pass", "pass", "for i in range(2):", "    pass", "x = 1"]
    assert skipped == [Skipped(5, 1), Skipped(5, 2), Skipped(5, 3), Skipped(5, 5)]
    compile("\n".join(lines), "cell", "exec")  # the block around a skipped line still parses


@pytest.mark.parametrize(
    "cell",
    [
        'doc = """\n!not a shell line\n%not a magic either\n"""',  # inside a string
        "pairs = [\n    1,\n    %2 if False else 3,\n]",  # inside brackets: a modulo, not a magic
        "total = 10 \\\n    %3",  # a continuation line
        "ok = 3 != 4\nrest = 7 % 3",  # != and % as operators
        "# %matplotlib inline\n# !pip install numpy",  # comments
    ],
)
def test_lines_that_only_look_like_magics_are_kept(cell: str) -> None:
    lines, skipped = code_cell_lines(cell, 1)
    assert skipped == [] and lines == cell.split("\n")


def test_a_cell_magic_skips_the_whole_cell_even_after_blank_lines() -> None:
    assert code_cell_lines("\n%%timeit\nx = slow()\n", 2) == ([], [Skipped(2, None)])


def test_the_notebooks_own_feedback_calls_are_left_out_silently() -> None:
    cell = (
        'import grader\nresult = grader.check("vectors")\ngrader.check(\n    "vectors", "mine.ipynb")\n'
        'x = 1; grader.check("v")\n'
    )
    lines, skipped = code_cell_lines(cell, 1)
    assert lines == ["pass", "pass", "pass", "pass", 'x = 1; grader.check("v")'] and skipped == []
    inside = "def f():\n    grader.check('v')\n"
    assert code_cell_lines(inside, 1)[0] == inside.split("\n")[:-1]  # only top-level statements


def test_the_module_keeps_every_line_and_maps_it_back_to_its_cell() -> None:
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# title"),
            new_code_cell("import numpy as np\r\n%pylab"),
            new_markdown_cell("text"),
            new_code_cell("x = 1\n\ny = 2"),
        ]
    )
    module = notebook_module(notebook)
    assert module.text == "import numpy as np\npass\nx = 1\n\ny = 2\n"
    assert module.line_map.origins == (CellLine(2, 1), CellLine(2, 2), CellLine(4, 1), CellLine(4, 2), CellLine(4, 3))
    assert module.skipped == (Skipped(2, 2),)


LINE_MAP = LineMap((CellLine(2, 1), CellLine(2, 2), CellLine(4, 1)))


def test_rewrite_turns_the_workers_places_into_cells_and_lines() -> None:
    traceback = (
        'Traceback (most recent call last):\n  File "sub/x.ipynb", line 3, in f\n    return 1 / 0\nZeroDivisionError'
    )
    assert LINE_MAP.rewrite(traceback, "sub/x.ipynb", "en") == traceback.replace(
        'File "sub/x.ipynb", line 3', "sub/x.ipynb, cell 4, line 1"
    )
    assert (
        LINE_MAP.rewrite("invalid syntax (x.ipynb, line 2)", "sub/x.ipynb", "ko")
        == "invalid syntax (sub/x.ipynb, 2번째 셀 2번째 줄)"
    )


@pytest.mark.parametrize(
    "text",
    [
        'File "sub/x.ipynb", line 4, in f',  # past the notebook's last line
        'File "sub/x.ipynb", line 0, in f',  # not a line at all
        'File "sub/x.ipynb", line ' + "9" * 5000,  # a number no int() should be asked to read
        'File "other.ipynb", line 1, in f',  # another file
        'File "/elsewhere/x.ipynb", line 1, in f',  # another folder's file of the same name
        'File "sub/x.ipynb", lines 1',  # not the worker's format
    ],
)
def test_rewrite_leaves_anything_it_cannot_map_as_the_worker_wrote_it(text: str) -> None:
    assert LINE_MAP.rewrite(text, "sub/x.ipynb", "en") == text
