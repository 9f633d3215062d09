"""`grader publish` writes each stub as a notebook too; the notebook stub scores zero, the reference's full marks."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from grader.course import load_course
from grader.frontends.notebook.stub import stub_notebook
from grader.frontends.publish.pipeline import publish
from tests.engine.helpers import grade_files


def test_the_release_has_a_notebook_beside_each_stub_that_grades_like_it(mini_course: Path, tmp_path: Path) -> None:
    (mini_course / "assignments/vectors/README.md").write_text(
        "# vectors\n\n## 한국어\n\n벡터 덧셈과 노름.\n\n## English\n\nAdd and norm.\n"
    )
    release = publish(load_course(mini_course), tmp_path / "dist").release
    folder = release / "assignments/vectors"
    notebook = nbformat.read(str(folder / "vectors.ipynb"), as_version=4)
    assert notebook == stub_notebook(folder / "vectors.py", folder / "README.md", "vectors")
    assert "벡터 덧셈과 노름." in notebook.cells[0].source + notebook.cells[1].source

    (tmp_path / "student").mkdir()
    shutil.copy(folder / "vectors.ipynb", tmp_path / "student/vectors.ipynb")
    stub_report = grade_files(load_course(mini_course), tmp_path / "student")
    assert stub_report.score == 0 and stub_report.max_score == 6 and not stub_report.assignments[0].submitted
    assert "vectors.ipynb is still the published stub" in (stub_report.assignments[0].error or "")

    reference = stub_notebook(mini_course / "solutions/vectors/vectors.py", folder / "README.md", "vectors")
    nbformat.write(reference, str(tmp_path / "student/vectors.ipynb"))
    full = grade_files(load_course(mini_course), tmp_path / "student")
    assert full.score == full.max_score == 6

    in_release = grade_files(load_course(release), tmp_path / "student")  # a student's view
    assert (in_release.score, in_release.max_score, in_release.hidden_ran) == (2, 2, False)
