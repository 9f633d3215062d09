"""Notebook stubs: built from <id>.py and its README, graded exactly like the .py file."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from grader.course import load_course
from grader.frontends.notebook.stub import code_chunks, markdown_sections, stub_notebook, write_stub_notebook
from tests.engine.helpers import grade_files

REPO = Path(__file__).parents[2]
COURSE = load_course(REPO)


@pytest.mark.parametrize("assignment", COURSE.assignments, ids=lambda a: a.id)
def test_the_stub_notebook_holds_the_readme_then_one_cell_per_definition_then_the_feedback_cell(assignment) -> None:  # noqa: ANN001
    readme = assignment.public_dir / "README.md"
    notebook = stub_notebook(assignment.stub, readme, assignment.id)
    nbformat.validate(notebook)
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert "\n\n".join(markdown[:-1]).split() == readme.read_text().split()  # all of the README, in order
    assert code[-1] == f'import grader; grader.check("{assignment.id}")'
    stub = assignment.stub.read_text()
    assert ast.dump(ast.parse("\n\n".join(code[:-1]))) == ast.dump(ast.parse(stub))  # exactly the stub's code
    definitions = [node for node in ast.parse(stub).body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    cells_with_one_def = [ast.parse(cell).body for cell in code[1:-1]]
    assert [body[0].name for body in cells_with_one_def] == [node.name for node in definitions]  # type: ignore[attr-defined]
    assert stub_notebook(assignment.stub, readme, assignment.id) == notebook  # the same bytes on every publish


def test_decorators_and_comments_above_a_definition_go_with_it_and_headings_in_code_blocks_do_not_split() -> None:
    source = (
        '"""Doc."""\nimport numpy as np\n\nSCALE = 2\n\n\n'
        "# helper for f\n@staticmethod\ndef f():\n    pass\nAFTER = 1\n\n\nclass C:\n    pass\n"
    )
    assert code_chunks(source) == [
        '"""Doc."""\nimport numpy as np\n\nSCALE = 2',
        "# helper for f\n@staticmethod\ndef f():\n    pass\nAFTER = 1",
        "class C:\n    pass",
    ]
    readme = "# T\n\nintro\n\n## 한국어\n\n### A\n\ntext\n\n```\n# not a heading\n```\n\n## B\nmore"
    assert markdown_sections(readme) == [
        "# T\n\nintro",
        "## 한국어\n\n### A\n\ntext\n\n```\n# not a heading\n```",
        "## B\nmore",
    ]


def _grade(course: Path, submission: Path, assignment_id: str) -> dict[str, str]:
    report = grade_files(load_course(course), submission, assignment_ids=(assignment_id,))
    (result,) = report.assignments
    assert result.error is None, result.error
    return {check.name: check.status for check in result.checks}


def _is_the_unchanged_stub(course: Path, submission: Path, assignment_id: str) -> bool:
    report = grade_files(load_course(course), submission, assignment_ids=(assignment_id,))
    (result,) = report.assignments
    return not result.submitted and result.score == 0 and "is still the published stub" in (result.error or "")


def _with_a_comment_cell(path: Path) -> Path:
    """The notebook with one more code cell holding only a comment: no longer the stub, the same code."""
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells.insert(-1, nbformat.v4.new_code_cell("# my notes"))
    nbformat.write(notebook, str(path))
    return path


def test_the_mini_course_stub_notebook_scores_zero_and_the_reference_one_full_marks(
    mini_course: Path, tmp_path: Path
) -> None:
    public = mini_course / "assignments/vectors"
    (public / "README.md").write_text("# vectors\n\nAdd and norm.\n")
    stub = write_stub_notebook(public / "vectors.py", public / "README.md", "vectors")
    assert stub == public / "vectors.ipynb"
    (tmp_path / "from_stub").mkdir()
    stub.rename(tmp_path / "from_stub/vectors.ipynb")
    assert _is_the_unchanged_stub(mini_course, tmp_path / "from_stub", "vectors")
    _with_a_comment_cell(tmp_path / "from_stub/vectors.ipynb")  # graded now: the stub's code scores zero
    assert set(_grade(mini_course, tmp_path / "from_stub", "vectors").values()) == {"failed"}
    (tmp_path / "from_reference").mkdir()
    reference = stub_notebook(mini_course / "solutions/vectors/vectors.py", public / "README.md", "vectors")
    nbformat.write(reference, str(tmp_path / "from_reference/vectors.ipynb"))
    assert set(_grade(mini_course, tmp_path / "from_reference", "vectors").values()) == {"passed"}


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", ["conv", "rnn_backward"])
def test_a_notebook_of_the_courses_reference_grades_full_marks_like_the_reference(
    tmp_path: Path, assignment_id: str
) -> None:
    assignment = COURSE.assignment(assignment_id)
    nbformat.write(
        stub_notebook(assignment.reference, assignment.public_dir / "README.md", assignment_id),
        str(tmp_path / f"{assignment_id}.ipynb"),
    )
    as_notebook = _grade(REPO, tmp_path / f"{assignment_id}.ipynb", assignment_id)
    as_module = _grade(REPO, assignment.reference, assignment_id)
    assert as_notebook == as_module and len(as_module) > 5 and set(as_notebook.values()) == {"passed"}  # full marks
    nbformat.write(
        stub_notebook(assignment.stub, assignment.public_dir / "README.md", assignment_id),
        str(tmp_path / f"{assignment_id}.ipynb"),
    )
    assert _is_the_unchanged_stub(REPO, tmp_path / f"{assignment_id}.ipynb", assignment_id)
    _with_a_comment_cell(tmp_path / f"{assignment_id}.ipynb")
    assert "passed" not in _grade(REPO, tmp_path / f"{assignment_id}.ipynb", assignment_id).values()
