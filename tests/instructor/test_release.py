"""The student release: its exact contents, the public course.yaml, and no line or file of solutions/."""

from __future__ import annotations

import json
import keyword
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from grader.course import load_course
from grader.course.load import _ASSIGNMENT_KEYS, _TOP_KEYS
from grader.course.markers import generate_stub
from grader.errors import CourseError
from grader.frontends.publish import release as release_module
from grader.frontends.publish.leaks import find_leaks, published_on_purpose
from grader.frontends.publish.package import constraints, wheel_name
from grader.frontends.publish.pipeline import publish
from tests.instructor.helpers import BUNDLED_IDS, MINI_COURSE, ROOT, copy_course, replace_in

INSTRUCTOR_NOTE = "# instructor note: the autograder uses hidden checks"
AUTOGRADER_SECTION = "autograder:\n  hidden_visibility: after_due_date\n  stdout_visibility: hidden\n"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the bundled course with instructor-only settings, published once: (course, release)."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("bundled") / "course")
    text = (course / "course.yaml").read_text(encoding="utf-8")
    (course / "course.yaml").write_text(
        f"{INSTRUCTOR_NOTE}\n{text.replace('assignments:', AUTOGRADER_SECTION + 'assignments:', 1)}", encoding="utf-8"
    )
    replace_in(
        course / "course.yaml",
        "  - id: conv\n",
        "  - id: conv\n    due: 2026-12-01T23:59:00+09:00\n    late_policy: {percent_per_day: 10}\n",
    )
    published = publish(load_course(course), course / "dist")
    return course, published.release


def _files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.slow
def test_the_release_holds_stubs_readmes_public_checks_and_nothing_else(bundled: tuple[Path, Path]) -> None:
    course, release = bundled
    expected = {
        "README.md",
        "course.yaml",
        "stubs.json",
        ".gitignore",
        ".github/workflows/grader.yml",
        f"tools/{wheel_name()}",
        "tools/constraints.txt",
    }
    for aid in BUNDLED_IDS:
        public = course / "assignments" / aid
        expected |= {
            f"assignments/{aid}/{p.name}"
            for p in public.iterdir()
            if p.name == f"{aid}.py" or re.fullmatch(r"README.*\.md|checks.*\.py", p.name)
        }
        expected.add(f"assignments/{aid}/{aid}.ipynb")  # the stub as a notebook (grader.frontends.notebook.stub)
    assert _files(release) == expected
    assert {f"assignments/{aid}/{aid}.py" for aid in BUNDLED_IDS} <= expected
    for aid in BUNDLED_IDS:
        assignment = load_course(course).assignment(aid)
        assert (release / f"assignments/{aid}/{aid}.py").read_text(encoding="utf-8") == generate_stub(assignment)


def test_course_yaml_keeps_what_students_need_and_drops_instructor_settings(bundled: tuple[Path, Path]) -> None:
    course, release = bundled
    text = (release / "course.yaml").read_text(encoding="utf-8")
    assert "autograder" not in yaml.safe_load(text) and "hidden_visibility" not in text
    assert INSTRUCTOR_NOTE not in text  # comments are not copied: they may hold notes
    public, private = load_course(release), load_course(course)
    assert [(a.id, a.title, a.limits, a.due, a.late_policy) for a in public.assignments] == [
        (a.id, a.title, a.limits, a.due, a.late_policy) for a in private.assignments
    ]
    assert (public.title, public.seed, public.language) == (private.title, private.seed, private.language)
    assert public.assignment("conv").due is not None and public.assignment("conv").late_policy.percent_per_day == 10


def test_every_course_yaml_key_is_classified_as_for_students_or_instructor_only() -> None:
    assert set(_TOP_KEYS) == set(release_module.STUDENT_KEYS) | set(release_module.INSTRUCTOR_ONLY_KEYS)
    assert set(_ASSIGNMENT_KEYS) == set(release_module.STUDENT_ASSIGNMENT_KEYS) | set(
        release_module.INSTRUCTOR_ONLY_ASSIGNMENT_KEYS
    )


def test_an_unclassified_key_stops_publishing(mini_course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(release_module, "STUDENT_KEYS", ("title", "language", "limits", "assignments"))
    with pytest.raises(CourseError, match="does not know whether seed is for students"):
        publish(load_course(mini_course), mini_course / "dist")
    assert not (mini_course / "dist/release").exists()


def test_the_readme_explains_install_and_use_in_korean_then_english(bundled: tuple[Path, Path]) -> None:
    text = (bundled[1] / "README.md").read_text(encoding="utf-8")
    korean, english = text.index("## 한국어"), text.index("## English")
    assert korean < english and re.search(r"[\uac00-\ud7a3]", text[korean:english])
    for part in (text[korean:english], text[english:]):
        assert f"pip install tools/{wheel_name()}" in part and "grader grade" in part
        assert all(f"`{aid}`" in part for aid in BUNDLED_IDS)
    assert "2026-12-01 23:59+09:00" in text  # conv's due date


@pytest.mark.slow
def test_the_workflow_runs_the_public_checks_on_every_push_with_annotations_and_a_pip_cache(
    bundled: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    release = bundled[1]
    workflow = yaml.safe_load((release / ".github/workflows/grader.yml").read_text(encoding="utf-8"))
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads the key `on` as True
    assert "push" in triggers
    (job,) = workflow["jobs"].values()
    setup = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip" and (release / setup["with"]["cache-dependency-path"]).is_file()
    runs = [step.get("run", "") for step in job["steps"]]
    assert "pip install -c tools/constraints.txt tools/*.whl" in runs
    assert (release / "tools/constraints.txt").read_text() == constraints()
    (grading,) = [run for run in runs if run.startswith("grader grade")]
    # The step as the runner runs it, in the release: annotations on stdout, a table in the step summary.
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    completed = subprocess.run(
        ["bash", "-euc", f'grader() {{ "{sys.executable}" -m grader "$@"; }}\n{grading}'],
        cwd=release,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 1  # the stubs score zero, below --fail-under 100
    assert completed.stdout.startswith("::") and "::error" in completed.stdout
    assert "| " in summary.read_text()


# -- no leaks -----------------------------------------------------------------------------------
def _meaningful(line: str) -> bool:
    """A line that says something: not blank, not only punctuation, not a lone keyword."""
    line = line.strip()
    return bool(re.search(r"[A-Za-z0-9]", line)) and not keyword.iskeyword(line.rstrip(":"))


def _computing(line: str) -> bool:
    """A solution line that computes something (an operator, a subscript, a number): never to be released."""
    return bool(re.search(r"[-+*/@<>\[0-9]", line.split("#")[0]))


def _squeezed(line: str) -> str:
    return re.sub(r"\s+", "", line.split("#")[0])


def _solution_lines(course_dir: Path) -> dict[str, str]:
    """The lines of solutions/ that must not be in the release, each with where it comes from.

    Strict about solution blocks: a computing line inside one may appear nowhere, unless course.yaml lists it
    under published_solution_lines. Other lines (hidden checks) only if a stub or public check file of the
    course has it: check files share `@check(points=2)` across assignments, but a README must not quote a
    hidden check.
    """
    course = load_course(course_dir)
    code: set[str] = set()
    for assignment in course.assignments:
        texts = {
            p: p.read_text(encoding="utf-8")
            for p in assignment.public_dir.iterdir()
            if re.fullmatch(r"checks.*\.py", p.name)
        }
        code |= {line.strip() for line in generate_stub(assignment).splitlines()}
        code |= {line.strip() for text in texts.values() for line in text.splitlines()}
    lines: dict[str, str] = {}
    for assignment in course.assignments:
        listed = {_squeezed(entry.line) for entry in assignment.published_solution_lines}
        for path in sorted(assignment.solution_dir.rglob("*.py")):
            inside = False
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                inside = inside or line.strip() == "# BEGIN SOLUTION"
                if inside and path == assignment.reference:
                    forbidden = _computing(line) and _squeezed(line) not in listed
                else:
                    forbidden = _meaningful(line) and line.strip() not in code
                if forbidden:
                    lines.setdefault(line.strip(), f"{path.relative_to(course_dir)}:{number}")
                inside = inside and line.strip() != "# END SOLUTION"
    return lines


def _solution_files(course_dir: Path) -> set[bytes]:
    return {path.read_bytes() for path in (course_dir / "solutions").rglob("*") if path.is_file()}


def test_no_line_and_no_file_of_solutions_is_in_the_release(bundled: tuple[Path, Path]) -> None:
    course, release = bundled
    forbidden, files = _solution_lines(course), _solution_files(course)
    assert len(forbidden) > 100  # the references' blocks and the hidden checks are really there to find
    for path in release.rglob("*"):
        if not path.is_file():
            continue
        assert "solutions" not in path.relative_to(release).parts
        data = path.read_bytes()
        assert data not in files, path
        if zipfile.is_zipfile(path):  # the grader's wheel: made from the grader, never from the course
            with zipfile.ZipFile(path) as wheel:
                assert not any(
                    "solutions" in Path(name).parts or wheel.read(name) in files for name in wheel.namelist()
                )
            continue
        text = data.decode("utf-8")
        if path.suffix == ".ipynb":  # JSON quotes every line: compare the cells' code and text
            text = "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
        for number, line in enumerate(text.splitlines(), start=1):
            assert line.strip() not in forbidden, f"{path.relative_to(release)}:{number} is {forbidden[line.strip()]}"
    assert find_leaks(load_course(course), release) == []


def test_the_bundled_course_shows_only_the_solution_lines_it_lists_and_says_where(bundled: tuple[Path, Path]) -> None:
    course, release = bundled
    notes = published_on_purpose(load_course(course), release)
    tanh_line = _line_number(
        course / "solutions/rnn_backward/rnn_backward.py", "        h = np.tanh(X[:, t] @ W_x + h @ W_rec + b)"
    )
    assert any(
        note.startswith(
            f"solutions/rnn_backward/rnn_backward.py:{tanh_line} is shown at assignments/rnn_backward/checks.py:"
        )
        and "(the README's recurrence" in note
        for note in notes
    ), notes
    assert [note.split("/")[1] for note in notes] == ["logistic_regression", "rnn_backward"]  # one note per listed line
    assert "published_solution_lines" not in (release / "course.yaml").read_text(encoding="utf-8")


NORM_LINE = "    return float(np.sqrt(np.sum(x * x)))"


def _line_number(path: Path, line: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(line) + 1


def _publish_fails(course: Path, *expected: str) -> None:
    with pytest.raises(CourseError) as error:
        publish(load_course(course), course / "dist")
    for fragment in expected:
        assert fragment in error.value.message, error.value.message
    assert "published_solution_lines" in error.value.fix
    assert not (course / "dist/release").exists()


@pytest.mark.parametrize(
    "readme, line",
    [
        (f"The norm, as the reference computes it:\n{NORM_LINE}\n", 2),
        ("Compute it as `float(np.sqrt(np.sum(x*x)))` and you are done.\n", 1),  # inside a sentence, other spacing
        ("Compute it as float(np.sqrt(\n  np.sum(x * x))).\n", 1),  # broken over two lines
        ("노름은 float(np.sqrt(np.sum(x * x)))입니다.\n", 1),  # Korean glued to the formula
    ],
    ids=["the-whole-line", "inside-a-sentence", "over-two-lines", "glued-to-korean"],
)
def test_a_solution_line_in_the_readme_stops_publishing(mini_course: Path, readme: str, line: int) -> None:
    (mini_course / "assignments/vectors/README.md").write_text(readme, encoding="utf-8")
    number = _line_number(mini_course / "solutions/vectors/vectors.py", NORM_LINE)
    _publish_fails(mini_course, f"assignments/vectors/README.md:{line} contains solutions/vectors/vectors.py:{number}")


def test_a_solution_line_in_a_public_checks_hint_stops_publishing_even_split_over_literals(mini_course: Path) -> None:
    checks = mini_course / "assignments/vectors/checks.py"
    checks.write_text(
        checks.read_text()
        + '''

@check(points=1)
def norm_again(student):
    """norm of (6, 8) is 10."""
    expect.close(student.norm(np.array([6.0, 8.0])), 10.0,
                 hint="the norm is float(np.sqrt("
                      "np.sum(x * x)))")
'''
    )
    number = _line_number(mini_course / "solutions/vectors/vectors.py", NORM_LINE)
    hint_line = _line_number(checks, '                 hint="the norm is float(np.sqrt("')
    _publish_fails(
        mini_course, f"assignments/vectors/checks.py:{hint_line} contains solutions/vectors/vectors.py:{number}"
    )


def test_a_line_course_yaml_publishes_on_purpose_is_released_with_a_note(mini_course: Path) -> None:
    (mini_course / "assignments/vectors/README.md").write_text(
        f"The norm, as the reference computes it:\n{NORM_LINE}\n"
    )
    replace_in(
        mini_course / "course.yaml",
        "    limits: {timeout: 2}\n",
        "    limits: {timeout: 2}\n    published_solution_lines:\n"
        "      - {line: 'return float(np.sqrt( np.sum(x*x) ))', reason: the README derives the norm}\n",
    )
    published = publish(load_course(mini_course), mini_course / "dist")
    number = _line_number(mini_course / "solutions/vectors/vectors.py", NORM_LINE)
    assert published.notes == (
        f"solutions/vectors/vectors.py:{number} is shown at assignments/vectors/README.md:2, "
        "assignments/vectors/vectors.ipynb cell 1:2 (the README derives the norm)",
    )
    assert NORM_LINE in (published.release / "assignments/vectors/README.md").read_text()
    assert "published_solution_lines" not in (published.release / "course.yaml").read_text()  # instructor-only


def test_a_listed_line_that_is_no_solution_line_stops_publishing(mini_course: Path) -> None:
    replace_in(
        mini_course / "course.yaml",
        "    limits: {timeout: 2}\n",
        "    limits: {timeout: 2}\n    published_solution_lines:\n"
        "      - {line: 'return float(np.sqrt(np.sum(x ** 2)))', reason: edited since}\n",
    )
    with pytest.raises(
        CourseError,
        match=r"assignments\[0\]\.published_solution_lines\[0\]: 'return float\(np.sqrt\(np.sum\(x \*\* 2\)\)\)' "
        r"is not a non-trivial line of a solution block of solutions/vectors/vectors.py",
    ):
        publish(load_course(mini_course), mini_course / "dist")


def test_trivial_solution_lines_may_appear(mini_course: Path) -> None:
    """Lines that compute nothing (`self.count += 1` counts, `return self.count`, `self.count = 0`) or formulas of
    at most three tokens (`a + b`, the docstring's definition) say nothing about a solution."""
    (mini_course / "assignments/vectors/README.md").write_text(
        "`add(a, b)` is `a + b`; a Counter starts with `self.count = 0`, `self.count += 1` counts, `return "
        "self.count`.\n"
    )
    publish(load_course(mini_course), mini_course / "dist")


def test_a_solution_line_in_another_assignments_files_stops_publishing(mini_course: Path) -> None:
    (mini_course / "assignments/second").mkdir()
    (mini_course / "solutions/second").mkdir()
    (mini_course / "solutions/second/second.py").write_text(
        "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n"
    )
    (mini_course / "assignments/second/second.py").write_text("def f():\n    raise NotImplementedError\n")
    (mini_course / "assignments/second/README.md").write_text(f"Copied by mistake:\n{NORM_LINE}\n")
    with (mini_course / "course.yaml").open("a") as course_yaml:
        course_yaml.write("  - id: second\n")
    with pytest.raises(CourseError) as error:
        publish(load_course(mini_course), mini_course / "dist")
    number = _line_number(mini_course / "solutions/vectors/vectors.py", NORM_LINE)
    assert f"assignments/second/README.md:2 contains solutions/vectors/vectors.py:{number}" in error.value.message
    assert not (mini_course / "dist/release").exists()


def test_a_hidden_check_line_in_a_public_file_stops_publishing(mini_course: Path) -> None:
    hidden = mini_course / "solutions/vectors/checks_hidden.py"
    line = "    expect.close(student.add(a, b), reference.add(a, b))"
    (mini_course / "assignments/vectors/README.md").write_text(f"How we check:\n{line}\n")
    with pytest.raises(
        CourseError, match=f"README.md:2 contains solutions/vectors/checks_hidden.py:{_line_number(hidden, line)}"
    ):
        publish(load_course(mini_course), mini_course / "dist")


def test_a_hidden_check_file_copied_to_the_public_folder_is_a_leak(mini_course: Path) -> None:
    (mini_course / "assignments/vectors/checks_more.py").write_bytes(
        (mini_course / "solutions/vectors/checks_hidden.py").read_bytes()
    )
    with pytest.raises(CourseError, match="checks_more.py contains solutions/vectors/checks_hidden.py"):
        publish(load_course(mini_course), mini_course / "dist")


def test_the_module_public_and_hidden_checks_share_is_released_and_its_lines_are_public(mini_course: Path) -> None:
    shared = "    return rng.normal(size=(3, 4)), rng.normal(size=(3, 4))"
    (mini_course / "assignments/vectors/checks_common.py").write_text(f"def pair(rng):\n{shared}\n")
    hidden = mini_course / "solutions/vectors/checks_hidden.py"
    hidden.write_text(hidden.read_text() + f"\n\ndef _pair(rng):\n{shared}\n")  # the same line: public, no leak
    release = publish(load_course(mini_course), mini_course / "dist").release
    assert (release / "assignments/vectors/checks_common.py").read_text() == f"def pair(rng):\n{shared}\n"


def test_a_solution_inside_an_archive_is_found(mini_course: Path, tmp_path: Path) -> None:
    release = tmp_path / "fake_release"
    release.mkdir()
    with zipfile.ZipFile(release / "extra.zip", "w") as archive:
        archive.writestr("data/v.py", (mini_course / "solutions/vectors/vectors.py").read_bytes())
    leaks = find_leaks(load_course(mini_course), release)
    assert [str(leak) for leak in leaks] == ["extra.zip!data/v.py contains solutions/vectors/vectors.py"]


def test_a_solution_line_inside_a_notebook_cell_is_found(mini_course: Path, tmp_path: Path) -> None:
    release = tmp_path / "fake_release"
    release.mkdir()
    cells = [
        {"cell_type": "markdown", "source": ["# Vectors\n"]},
        {"cell_type": "code", "source": ["def norm(x):\n", NORM_LINE + "\n"]},
    ]
    (release / "vectors.ipynb").write_text(json.dumps({"cells": cells, "nbformat": 4}))
    number = _line_number(mini_course / "solutions/vectors/vectors.py", NORM_LINE)
    leaks = find_leaks(load_course(mini_course), release)
    assert [str(leak) for leak in leaks] == [f"vectors.ipynb cell 2:2 contains solutions/vectors/vectors.py:{number}"]


def test_other_files_of_assignments_are_not_released_and_are_reported(mini_course: Path) -> None:
    (mini_course / "assignments/vectors/notes.txt").write_text("draft\n")
    published = publish(load_course(mini_course), mini_course / "dist")
    assert published.skipped == ((mini_course / "assignments/vectors/notes.txt").resolve(),)
    assert not (published.release / "assignments/vectors/notes.txt").exists()


# -- what students do with it -------------------------------------------------------------------
@pytest.mark.slow
def test_students_install_the_wheel_and_run_the_public_checks(mini_course: Path, tmp_path: Path) -> None:
    release = publish(load_course(mini_course), tmp_path / "out").release
    site = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(site),
            str(release / "tools" / wheel_name()),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert install.returncode == 0, install.stderr
    assert (site / "bin/grader").is_file() and (site / "grader/templates/workflows/student.yml").is_file()
    env = {**os.environ, "PYTHONPATH": str(site)}

    def grade() -> dict:
        completed = subprocess.run(
            [sys.executable, "-m", "grader", "grade", "--format", "json"],
            cwd=release,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert completed.returncode == 0, completed.stderr
        return yaml.safe_load(completed.stdout)

    where = subprocess.run(
        [sys.executable, "-c", "import grader; print(grader.__file__)"],
        cwd=release,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.strip() == str(site / "grader/__init__.py")  # the wheel's grader, not the checkout's
    report = grade()
    assert report["hidden_checks_ran"] is False and report["score"] == 0 and report["max_score"] == 2
    (release / "assignments/vectors/vectors.py").write_bytes(
        (MINI_COURSE / "solutions/vectors/vectors.py").read_bytes()
    )
    assert grade()["score"] == 2
