"""`grader.check("<id>")` from a notebook: what it finds, what it returns, how it shows, in a real kernel."""

from __future__ import annotations

import inspect
import json
import types
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import grader
from grader.engine.checks.registry import collect_checks
from grader.frontends.notebook.feedback import CheckProblem, Feedback
from grader.frontends.notebook.stub import write_stub_notebook
from tests.engine.helpers import REFERENCE
from tests.students.helpers import reference_cells, write_notebook


def test_a_string_first_grades_and_anything_else_is_the_check_decorator() -> None:
    from grader import check  # what check authors write

    @check(points=2, timeout=3)
    def a_check(student):  # noqa: ANN001
        """A check."""

    module = types.ModuleType("checks")
    module.a_check = a_check  # type: ignore[attr-defined]
    (spec,) = collect_checks(module, "public", Path("checks.py"))
    assert (spec.name, spec.points, spec.timeout, spec.description) == ("a_check", 2.0, 3.0, "A check.")
    assert check is grader.check and "grade this assignment" in inspect.getdoc(grader.check)


def test_it_grades_the_saved_notebook_in_the_assignment_folder(mini_course: Path) -> None:
    folder = mini_course / "assignments/vectors"
    write_notebook(folder / "vectors.ipynb", reference_cells())
    feedback = grader.check("vectors", cwd=folder)
    assert isinstance(feedback, Feedback)
    assert (feedback.score, feedback.max_score) == (2, 2)  # public checks only, though solutions/ is there
    assert [c.name for c in feedback.checks] == ["add_small", "norm_345"] and not feedback.report.hidden_ran
    assert feedback.result.file.endswith("assignments/vectors/vectors.ipynb") and feedback.saved_at is not None


def test_from_the_course_folder_it_finds_the_notebook_in_the_assignment_folder(mini_course: Path) -> None:
    write_notebook(mini_course / "assignments/vectors/vectors.ipynb", reference_cells())
    assert grader.check("vectors", cwd=mini_course).score == 2


def test_a_notebook_in_the_current_folder_comes_first(mini_course: Path) -> None:
    write_notebook(mini_course / "assignments/vectors/vectors.ipynb", reference_cells())
    write_notebook(mini_course / "vectors.ipynb", [("code", "import numpy as np")])
    feedback = grader.check("vectors", cwd=mini_course)
    assert feedback.result.file.endswith(str(mini_course / "vectors.ipynb")) and feedback.score == 0


def test_beside_its_stub_notebook_the_py_the_student_worked_in_is_graded_as_the_autograder_would(
    mini_course: Path,
) -> None:
    folder = mini_course / "assignments/vectors"
    write_stub_notebook(folder / "vectors.py", folder / "README.md", "vectors")  # the notebook as released, untouched
    (folder / "vectors.py").write_text(REFERENCE)
    feedback = grader.check("vectors", cwd=folder, lang="en")
    assert feedback.score == 2 and feedback.result.file.endswith("vectors.py")
    assert "vectors.ipynb is the unchanged stub" in feedback.result.notes[0]


def test_a_named_file_or_course_folder_is_graded(mini_course: Path, tmp_path: Path) -> None:
    (tmp_path / "my_vectors.py").write_text(REFERENCE)
    feedback = grader.check("vectors", "my_vectors.py", course=mini_course, cwd=tmp_path)  # relative to the notebook
    assert feedback.score == 2 and feedback.result.file.endswith("my_vectors.py")
    write_notebook(mini_course / "assignments/vectors/vectors.ipynb", reference_cells())
    assert grader.check("vectors", str(mini_course), cwd=tmp_path).score == 2  # the course folder as path
    with pytest.raises(CheckProblem) as missing:
        grader.check("vectors", "nope.ipynb", course=mini_course, cwd=tmp_path, lang="en")
    assert missing.value.message == "nope.ipynb: no such file or folder" and str(tmp_path) in missing.value.fix


def test_what_is_missing_is_said_in_the_courses_language(mini_course: Path, tmp_path: Path) -> None:
    with pytest.raises(CheckProblem) as no_course:
        grader.check("vectors", cwd=tmp_path, lang="en")
    assert "no course.yaml in" in no_course.value.message and 'grader.check("vectors", course=' in no_course.value.fix
    with pytest.raises(CheckProblem) as no_notebook:
        grader.check("vectors", cwd=mini_course, lang="ko")
    assert (
        "vectors의 저장된 노트북이 없습니다" in no_notebook.value.message and "vectors.ipynb" in no_notebook.value.fix
    )
    lines = no_notebook.value._render_traceback_()
    assert len(lines) == 2 and "error:" in lines[0] and lines[1].startswith("  fix: ")


def test_the_html_shows_the_same_table_messages_and_hints_as_the_terminal(mini_course: Path) -> None:
    cells = reference_cells()
    cells[2] = ("code", cells[2][1].replace("return a + b", "return a - b"))
    write_notebook(mini_course / "assignments/vectors/vectors.ipynb", cells)
    feedback = grader.check("vectors", cwd=mini_course, lang="ko")
    (failed,) = [check for check in feedback.checks if check.status == "failed"]
    html = feedback._repr_html_()
    bundle = feedback._repr_mimebundle_()
    assert html.startswith("<pre") and bundle["text/html"] == html
    words = failed.message.split()
    for shown in ("add_small", "norm_345", "1/2", "합계", "실패", words[0], words[-1], "비공개"):
        assert shown in html and shown in bundle["text/plain"]
    assert "add_small" in str(feedback) and repr(feedback) == "<Feedback vectors: 1/2>"


@pytest.mark.slow
def test_grader_check_in_a_real_kernel_shows_the_table_and_score(mini_course: Path) -> None:
    folder = mini_course / "assignments/vectors"
    notebook = nbformat.read(str(write_notebook(folder / "vectors.ipynb", reference_cells())), as_version=4)
    # Sabotage numpy in the kernel only (not in the saved file): were the student's code graded in the
    # kernel, norm_345 would fail.
    notebook.cells.insert(3, nbformat.v4.new_code_cell("import numpy as np\nnp.sqrt = lambda x: 0.0"))
    client = NotebookClient(
        notebook, timeout=60, startup_timeout=60, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    outputs = notebook.cells[-1].outputs
    (result,) = outputs  # shown once, as the cell's result: no display of its own besides
    assert result.output_type == "execute_result"
    html, text = result.data["text/html"], result.data["text/plain"]
    assert "\x1b" not in text  # plain text where no terminal renders escape codes
    assert "<pre" in html and "add_small" in html and "norm_345" in html and "Total: 2/2" in text
    assert (
        "passed" in html and "failed" not in html and "error" not in json.dumps([o for o in outputs if o is not result])
    )
