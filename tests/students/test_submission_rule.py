"""Which file is graded: the one that differs from its published stub, never the one saved last.

A release ships both <id>.py and <id>.ipynb. File times say nothing after a `git clone` (every file
gets the clone's time), so the answer is told apart from the stub by its code; the release records
each stub's fingerprint in stubs.json, and the instructor's folder computes it from its solutions.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import nbformat
import pytest

from grader.course import Course, load_course
from grader.course.stubs import STUBS_FILE, code_fingerprint, manifest_text, stub_fingerprints
from grader.engine.results import AssignmentResult
from grader.errors import CourseError
from grader.frontends.notebook.convert import notebook_module
from grader.frontends.notebook.stub import stub_notebook
from grader.frontends.publish.pipeline import publish
from tests.commandline import run_grader
from tests.engine.helpers import REFERENCE, grade_files
from tests.instructor.helpers import BUNDLED_IDS, MINI_COURSE, ROOT, copy_course
from tests.students.helpers import reference_cells, write_notebook

OLD, NEW = 1_000_000_000_000_000_000, 1_000_000_002_000_000_000  # file times in ns, two seconds apart


def _grade(course: Path, submission: Path) -> AssignmentResult:
    (result,) = grade_files(load_course(course), submission, language="en").assignments
    return result


def _stub(course: Path) -> str:
    return (course / "assignments/vectors/vectors.py").read_text()


def _stub_notebook(course: Path, target: Path) -> Path:
    folder = course / "assignments/vectors"
    nbformat.write(stub_notebook(folder / "vectors.py", folder / "README.md", "vectors"), str(target))
    return target


def _times(path: Path, ns: int) -> None:
    os.utime(path, ns=(ns, ns))


def test_the_notebook_worked_in_is_graded_although_the_untouched_py_stub_was_saved_later(
    mini_course: Path, tmp_path: Path
) -> None:
    (tmp_path / "vectors.py").write_text(_stub(mini_course))
    write_notebook(tmp_path / "vectors.ipynb", reference_cells())
    _times(tmp_path / "vectors.ipynb", OLD)
    _times(tmp_path / "vectors.py", NEW)
    result = _grade(mini_course, tmp_path)
    assert result.file == str(tmp_path / "vectors.ipynb") and result.score == 6 and result.submitted
    assert result.notes == (
        f"both {tmp_path / 'vectors.ipynb'} and {tmp_path / 'vectors.py'} exist: graded "
        f"{tmp_path / 'vectors.ipynb'} ({tmp_path / 'vectors.py'} is the unchanged stub)",
    )


def test_the_py_worked_in_is_graded_although_the_notebook_stub_was_saved_later(
    mini_course: Path, tmp_path: Path
) -> None:
    (tmp_path / "vectors.py").write_text(REFERENCE)
    _stub_notebook(mini_course, tmp_path / "vectors.ipynb")
    _times(tmp_path / "vectors.py", OLD)
    _times(tmp_path / "vectors.ipynb", NEW)  # Jupyter's autosave touched the notebook nobody edited
    result = _grade(mini_course, tmp_path)
    assert result.file == str(tmp_path / "vectors.py") and result.score == 6
    assert "vectors.ipynb is the unchanged stub" in result.notes[0]


def test_a_stub_notebook_opened_run_and_saved_elsewhere_is_still_the_stub(mini_course: Path, tmp_path: Path) -> None:
    notebook = _stub_notebook(mini_course, tmp_path / "vectors.ipynb")
    data = json.loads(notebook.read_text())
    for cell in data["cells"]:
        if (
            cell["cell_type"] == "code"
        ):  # run (an output, a count), saved by an editor with CRLF line ends and trailing blanks
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["hello\n"]}]
            cell["execution_count"] = 1
            cell["source"] = "".join(cell["source"]).replace("\n", "  \r\n") + "\r\n\r\n"
    notebook.write_text(json.dumps(data, indent=4))
    (tmp_path / "vectors.py").write_text(REFERENCE)
    assert _grade(mini_course, tmp_path).file.endswith("vectors.py")


def test_both_changed_is_not_guessed_the_message_names_both_files_and_how_to_choose(
    mini_course: Path, tmp_path: Path
) -> None:
    (tmp_path / "vectors.py").write_text(REFERENCE)
    write_notebook(tmp_path / "vectors.ipynb", reference_cells())
    result = _grade(mini_course, tmp_path)
    py, ipynb = tmp_path / "vectors.py", tmp_path / "vectors.ipynb"
    assert result.score == 0 and result.submitted and result.file == ""
    assert (
        result.error
        == f"both {py} and {ipynb} differ from the published stub, so the grader cannot tell which one is your answer"
    )
    hint = result.checks[0].hint
    assert f"`grader grade vectors --submission {ipynb}` (or {py})" in hint and f"git checkout -- {py}" in hint


@pytest.mark.parametrize("submit", ["py", "ipynb"])
def test_both_changed_the_course_submit_setting_decides(mini_course: Path, tmp_path: Path, submit: str) -> None:
    course_yaml = mini_course / "course.yaml"
    course_yaml.write_text(course_yaml.read_text() + f"    submit: {submit}\n")
    (tmp_path / "vectors.py").write_text(REFERENCE.replace("return a + b", "return a - b"))  # 3 points lost
    write_notebook(tmp_path / "vectors.ipynb", reference_cells())
    result = _grade(mini_course, tmp_path)
    assert result.file.endswith(f"vectors.{submit}") and result.score == {"py": 3, "ipynb": 6}[submit]
    assert f"as the course asks (submit: {submit})" in result.notes[0]


def test_a_bad_submit_setting_is_a_course_error_naming_the_field(mini_course: Path) -> None:
    course_yaml = mini_course / "course.yaml"
    course_yaml.write_text(course_yaml.read_text() + "    submit: notebook\n")
    with pytest.raises(
        CourseError, match=r"course.yaml:7: assignments\[0\].submit: must be one of py, ipynb, got 'notebook'"
    ):
        load_course(mini_course)


@pytest.mark.parametrize("files", [("py",), ("ipynb",), ("py", "ipynb")])
def test_only_unchanged_stubs_is_not_submitted(mini_course: Path, tmp_path: Path, files: tuple[str, ...]) -> None:
    if "py" in files:
        (tmp_path / "vectors.py").write_text(_stub(mini_course))
    if "ipynb" in files:
        _stub_notebook(mini_course, tmp_path / "vectors.ipynb")
    result = _grade(mini_course, tmp_path)
    assert not result.submitted and result.score == 0
    assert result.error is not None and result.error.endswith("is still the published stub: nothing submitted yet")


def test_an_empty_file_is_not_submitted(mini_course: Path, tmp_path: Path) -> None:
    (tmp_path / "vectors.py").write_text("\n   \n")
    result = _grade(mini_course, tmp_path)
    assert not result.submitted and result.error == f"{tmp_path / 'vectors.py'} is empty: nothing submitted yet"


def test_a_missing_file_is_not_submitted_and_any_answer_is(mini_course: Path, tmp_path: Path) -> None:
    assert not _grade(mini_course, tmp_path).submitted
    (tmp_path / "vectors.py").write_text("def add(a, b):\n    return 0\n")
    assert _grade(mini_course, tmp_path).submitted


@pytest.mark.slow
def test_the_py_and_notebook_stubs_of_every_bundled_assignment_have_one_fingerprint(tmp_path: Path) -> None:
    course = load_course(ROOT)
    release = publish(_copy(ROOT, tmp_path / "course"), tmp_path / "dist").release
    manifest = json.loads((release / STUBS_FILE).read_text())
    assert manifest == {"format_version": 1, "stubs": dict(stub_fingerprints(course))} and set(
        manifest["stubs"]
    ) == set(BUNDLED_IDS)
    for assignment_id in BUNDLED_IDS:
        folder = release / "assignments" / assignment_id
        notebook_code = notebook_module(nbformat.read(str(folder / f"{assignment_id}.ipynb"), as_version=4)).text
        assert code_fingerprint(notebook_code) == code_fingerprint((folder / f"{assignment_id}.py").read_text())
        assert code_fingerprint(notebook_code) == manifest["stubs"][assignment_id]


def test_a_broken_manifest_is_a_clear_course_error(mini_course: Path) -> None:
    (mini_course / STUBS_FILE).write_text("{not json")
    with pytest.raises(CourseError) as raised:
        stub_fingerprints(load_course(mini_course))
    assert str(raised.value).startswith(f"{mini_course / STUBS_FILE}: not a stubs manifest written by `grader publish`")
    assert "git checkout -- stubs.json" in str(raised.value)


def test_the_manifest_is_what_the_course_computes_from_its_solutions(mini_course: Path) -> None:
    course = load_course(mini_course)
    assert json.loads(manifest_text(course))["stubs"] == {"vectors": code_fingerprint(_stub(mini_course))}


def _copy(source: Path, target: Path) -> Course:
    return load_course(copy_course(source, target))


def _git(*args: str, cwd: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def published_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini course's student release, committed to a git repository (as an instructor hands it out)."""
    base = tmp_path_factory.mktemp("release")
    release = publish(load_course(copy_course(MINI_COURSE, base / "course")), base / "dist").release
    _git("init", "-q", cwd=release)
    _git("add", "-A", cwd=release)
    _git("commit", "-q", "-m", "release", cwd=release)
    return release


@pytest.mark.parametrize("worked_in", ["ipynb", "py"])
def test_a_git_clone_of_the_release_grades_the_file_the_student_worked_in(
    published_release: Path, tmp_path: Path, worked_in: str
) -> None:
    student = tmp_path / "student"
    _git("clone", "-q", str(published_release), str(student), cwd=tmp_path)
    folder = student / "assignments/vectors"
    if worked_in == "ipynb":
        notebook = nbformat.read(str(folder / "vectors.ipynb"), as_version=4)
        code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        code_cells[-2].source = "import numpy as np\n\n" + REFERENCE  # the student's work, in a cell of the notebook
        nbformat.write(notebook, str(folder / "vectors.ipynb"))
    else:
        (folder / "vectors.py").write_text(REFERENCE)
    _git("commit", "-q", "-am", "my work", cwd=student)
    pushed = tmp_path / "pushed"  # what CI or Gradescope sees: a fresh clone, every file with the same time
    _git("clone", "-q", str(student), str(pushed), cwd=tmp_path)
    completed = run_grader("grade", "vectors", "--format", "json", cwd=pushed / "assignments/vectors")
    assert completed.returncode == 0, completed.stderr
    (assignment,) = json.loads(completed.stdout)["assignments"]
    assert (
        assignment["file"] == f"vectors.{worked_in}" and assignment["score"] == assignment["max_score"] == 2
    )  # public checks
    assert assignment["submitted"] and "is the unchanged stub" in assignment["notes"][0]
