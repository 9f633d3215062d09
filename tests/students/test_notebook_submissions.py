"""Notebooks as submissions: magics skipped with a note, errors located by cell and line, bad files refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.course import load_course
from grader.engine.results import AssignmentResult
from tests.commandline import run_grader
from tests.engine.helpers import REFERENCE, grade_files
from tests.students.helpers import Cell, line_in_cell, reference_cells, write_notebook


def grade_file(course: Path, submission: Path, language: str = "en") -> AssignmentResult:
    report = grade_files(load_course(course), submission, language=language)
    (result,) = report.assignments
    return result


def test_a_notebook_of_the_reference_scores_full_marks(mini_course: Path, tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "vectors.ipynb", reference_cells())
    result = grade_file(mini_course, notebook)
    assert result.error is None and result.score == result.max_score == 6
    assert result.notes == ()  # the feedback cell is left out without a note


def test_magics_and_shell_lines_are_skipped_and_listed_by_cell_and_line(mini_course: Path, tmp_path: Path) -> None:
    cells = reference_cells()
    cells[1] = ("code", "%matplotlib inline\n" + cells[1][1])
    cells[2] = ("code", cells[2][1] + "\nfiles = !ls\n\n\ndef shout():\n    !echo hi\n    return 1\n")
    cells.insert(3, ("code", "%%timeit\nadd(1, 2)"))
    cells.insert(4, ("code", 'text = """\n!this is data, not a shell line\n%and this too\n"""'))
    notebook = write_notebook(tmp_path / "vectors.ipynb", cells)
    result = grade_file(mini_course, notebook)
    assert result.error is None and result.score == 6
    files_line, echo_line = line_in_cell(cells, 3, "files = !ls"), line_in_cell(cells, 3, "!echo")
    assert result.notes == (
        f"skipped 4 magic/shell line(s): cell 2 line 1, cell 3 line {files_line}, cell 3 line {echo_line}, "
        "cell 4 (a %% cell magic: the whole cell)",
    )


def test_a_syntax_error_in_cell_3_names_cell_3_and_its_line(mini_course: Path, tmp_path: Path) -> None:
    cells: list[Cell] = [
        ("code", "%load_ext autoreload\nimport numpy as np"),
        ("markdown", "## add"),
        ("code", "def add(a, b):\n    return a + b\n\ndef norm(x)\n    return 0.0"),
    ]
    notebook = write_notebook(tmp_path / "vectors.ipynb", cells)
    for language, words in (("en", "(cell 3, line 4)"), ("ko", "(3번째 셀 4번째 줄)")):
        result = grade_file(mini_course, notebook, language)
        assert result.score == 0 and result.error is not None
        message, *quoted = result.error.splitlines()
        assert (
            "SyntaxError: expected ':'" in message and message.endswith(words) and result.file.endswith("vectors.ipynb")
        )
        assert quoted == ["    def norm(x)", "               ^"]  # the cell's line, the caret under its column
        assert "line 6" not in result.error  # the line of the generated module never shows
        assert all(check.message == message and check.line is None for check in result.checks)
    assert "Restart Kernel and Run All Cells" in grade_file(mini_course, notebook).checks[0].hint


def test_an_error_while_the_cells_run_names_the_cell_and_line(mini_course: Path, tmp_path: Path) -> None:
    cells: list[Cell] = [
        ("code", "import numpy as np"),
        ("code", "x = np.zeros(3)\ny = x.sum()\nz = undefined_name + 1"),
    ]
    result = grade_file(mini_course, write_notebook(tmp_path / "vectors.ipynb", cells))
    assert result.error == (
        "your notebook could not be run: NameError: name 'undefined_name' is not defined (cell 2, line 3)\n"
        "    z = undefined_name + 1"
    )


def test_a_runtime_error_in_a_check_points_at_the_cell_and_line(mini_course: Path, tmp_path: Path) -> None:
    cells = reference_cells()
    helper = "def helper(x):\n    scale = 1.0\n    return scale / 0\n"
    cells.insert(2, ("code", helper))
    cells[3] = ("code", cells[3][1].replace("return float(np.sqrt(np.sum(x * x)))", "return helper(x)"))
    result = grade_file(mini_course, write_notebook(tmp_path / "vectors.ipynb", cells))
    (failed,) = [check for check in result.checks if check.status != "passed"]
    assert failed.name == "norm_345" and "ZeroDivisionError" in failed.message and failed.line is None
    norm_line = line_in_cell(cells, 4, "return helper(x)")
    assert f"vectors.ipynb, cell 4, line {norm_line}, in norm" in failed.traceback
    assert "vectors.ipynb, cell 3, line 3, in helper" in failed.traceback
    assert 'File "' not in failed.traceback  # every frame of the notebook was rewritten


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"cells": [', "it is not valid JSON (line 1, column 12"),
        ("[1, 2]", "it holds a JSON list, not a notebook"),
        (json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}), "its format version is 3"),
        (json.dumps({"cells": [], "metadata": {}}), "its format version is null"),
        (
            json.dumps(
                {
                    "nbformat": 4,
                    "nbformat_minor": 5,
                    "metadata": {},
                    "cells": [
                        {
                            "cell_type": "code",
                            "id": "a",
                            "source": 5,
                            "metadata": {},
                            "outputs": [],
                            "execution_count": None,
                        }
                    ],
                }
            ),
            "cell 1, field source, does not follow the notebook format",
        ),
        (
            json.dumps(
                {
                    "nbformat": 4,
                    "nbformat_minor": 5,
                    "metadata": {},
                    "cells": [
                        {"cell_type": "markdown", "id": "a", "source": "", "metadata": {}},
                        {"cell_type": "python", "id": "b", "source": "", "metadata": {}},
                    ],
                }
            ),
            'cell 2 has cell_type "python"; a notebook cell is one of code, markdown, raw',
        ),
    ],
)
def test_a_file_that_is_not_a_valid_notebook_is_refused_with_what_is_wrong(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, problem: str
) -> None:
    (tmp_path / "vectors.ipynb").write_text(content)
    monkeypatch.chdir(tmp_path)  # the report names the file relative to the current folder
    result = grade_file(mini_course, tmp_path)
    assert result.error is not None and result.error.startswith("vectors.ipynb is not a valid Jupyter notebook: ")
    assert problem in result.error and len(result.error) < 300
    assert result.score == 0 and {check.status for check in result.checks} == {"error"}


def test_cell_ids_missing_from_an_older_notebook_are_not_an_error(mini_course: Path, tmp_path: Path) -> None:
    cells = [
        {
            "cell_type": "code",
            "source": REFERENCE.splitlines(keepends=True),
            "metadata": {},
            "outputs": [],
            "execution_count": None,
        }
    ]
    (tmp_path / "vectors.ipynb").write_text(
        json.dumps({"nbformat": 4, "nbformat_minor": 2, "metadata": {}, "cells": cells})
    )
    assert grade_file(mini_course, tmp_path).score == 6


def test_the_course_layout_comes_before_the_flat_folder(mini_course: Path, tmp_path: Path) -> None:
    write_notebook(tmp_path / "vectors" / "vectors.ipynb", reference_cells())
    (tmp_path / "vectors.py").write_text("raise RuntimeError('not this one')")
    result = grade_file(mini_course, tmp_path)
    assert result.file.endswith("vectors/vectors.ipynb") and result.score == 6 and result.notes == ()


@pytest.mark.parametrize("layout", ["course-layout", "flat-folder", "single-file"])
def test_each_submission_form_takes_a_notebook_from_the_command_line(
    mini_course: Path, tmp_path: Path, layout: str
) -> None:
    target = {
        "course-layout": tmp_path / "sub/vectors/vectors.ipynb",
        "flat-folder": tmp_path / "sub/vectors.ipynb",
        "single-file": tmp_path / "mine.ipynb",
    }[layout]
    write_notebook(target, reference_cells())
    submission = target if layout == "single-file" else tmp_path / "sub"
    completed = run_grader(
        "grade", "vectors", "--course", str(mini_course), "--submission", str(submission), "--format", "json"
    )
    assert completed.returncode == 0, completed.stderr
    (assignment,) = json.loads(completed.stdout)["assignments"]
    assert assignment["score"] == 6 and assignment["file"].endswith(".ipynb") and assignment["notes"] == []


def test_a_single_file_of_another_type_is_a_usage_error(mini_course: Path, tmp_path: Path) -> None:
    (tmp_path / "vectors.txt").write_text(REFERENCE)
    completed = run_grader(
        "grade", "vectors", "--course", str(mini_course), "--submission", str(tmp_path / "vectors.txt")
    )
    assert completed.returncode == 2 and "not a .py or .ipynb file" in completed.stderr


def test_the_text_report_shows_the_note(mini_course: Path, tmp_path: Path) -> None:
    cells = reference_cells()
    cells[1] = ("code", "!pip install numpy\n" + cells[1][1])
    write_notebook(tmp_path / "vectors.ipynb", cells)
    completed = run_grader("grade", "--course", str(mini_course), "--submission", str(tmp_path), "--lang", "ko")
    assert "매직/셸 줄 1개를 건너뛰었습니다: 2번째 셀 1번째 줄" in completed.stdout and "합계: 6/6" in completed.stdout
