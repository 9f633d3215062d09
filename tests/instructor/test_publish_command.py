"""`grader publish` from the command line: --check for CI, what it writes, and its errors."""

from __future__ import annotations

import re
import shutil
import string
import subprocess
from pathlib import Path

import yaml

from grader.frontends.publish.package import constraints
from grader.i18n.text import CATALOG_DIR
from tests.commandline import run_grader
from tests.instructor.helpers import replace_in

STUB = "assignments/vectors/vectors.py"


def test_check_passes_on_stubs_in_step_and_writes_nothing(mini_course: Path) -> None:
    completed = run_grader("publish", "--check", "--course", str(mini_course))
    assert completed.returncode == 0 and "all 1 stubs are generated from their solutions" in completed.stdout
    assert not (mini_course / "dist").exists()


def test_check_fails_on_a_stale_stub_and_names_it(mini_course: Path) -> None:
    replace_in(mini_course / STUB, "def norm(x):", "def norm(v):")
    completed = run_grader("publish", "--check", "--course", str(mini_course))
    assert completed.returncode == 1
    assert f"stale stub: {mini_course / STUB}" in completed.stderr and "run `grader publish`" in completed.stderr
    assert "def norm(v):" in (mini_course / STUB).read_text()  # --check never writes


def test_publish_regenerates_stale_stubs_and_writes_everything(mini_course: Path) -> None:
    replace_in(mini_course / STUB, "def norm(x):", "def norm(v):")
    completed = run_grader("publish", "--course", str(mini_course), "--out", "out", cwd=mini_course)
    assert completed.returncode == 0, completed.stderr
    assert f"regenerated {STUB}" in completed.stdout
    assert "def norm(x):" in (mini_course / STUB).read_text()
    out = mini_course / "out"
    assert (out / "release/assignments/vectors/vectors.py").read_text() == (mini_course / STUB).read_text()
    assert (out / "autograder/run_autograder").is_file() and (out / "autograder.zip").is_file()
    for line in (
        "student release:    out/release",
        "autograder bundle:  out/autograder.zip",
        "instructor CI:      out/instructor",
    ):
        assert line in completed.stdout
    assert run_grader("publish", "--check", "--course", str(mini_course)).returncode == 0


def test_the_default_output_folder_is_dist_in_the_course(mini_course: Path) -> None:
    assert run_grader("publish", "--course", str(mini_course)).returncode == 0
    assert (mini_course / "dist/release/course.yaml").is_file()


def test_unbalanced_markers_are_a_course_error_with_file_and_line(mini_course: Path) -> None:
    reference = mini_course / "solutions/vectors/vectors.py"
    lines = reference.read_text().splitlines()
    end = next(i for i, line in enumerate(lines) if line.strip() == "# END SOLUTION")
    reference.write_text("\n".join(lines[:end] + lines[end + 1 :]) + "\n")
    for args in (("publish", "--check"), ("publish",)):
        completed = run_grader(*args, "--course", str(mini_course))
        assert completed.returncode == 2
        assert re.search(
            rf"{re.escape(str(reference))}:\d+: BEGIN SOLUTION inside the block opened at line \d+", completed.stderr
        )
    assert not (mini_course / "dist").exists()


def test_output_inside_the_course_files_is_refused(mini_course: Path) -> None:
    completed = run_grader("publish", "--course", str(mini_course), "--out", str(mini_course / "solutions/out"))
    assert completed.returncode == 2 and "would write into the course's own files" in completed.stderr
    assert not (mini_course / "solutions/out").exists()


def test_a_student_release_cannot_be_published(mini_course: Path) -> None:
    shutil.rmtree(mini_course / "solutions")
    completed = run_grader("publish", "--course", str(mini_course))
    assert completed.returncode == 2 and "not an instructor's course" in completed.stderr


def test_the_instructor_workflow_self_tests_and_grades_submissions_with_hidden_checks(mini_course: Path) -> None:
    assert run_grader("publish", "--course", str(mini_course)).returncode == 0
    text = (mini_course / "dist/instructor/.github/workflows/course.yml").read_text()
    workflow = yaml.safe_load(text)
    runs = {job: [step.get("run", "") for step in spec["steps"]] for job, spec in workflow["jobs"].items()}
    assert "grader check" in runs["self-test"] and "grader publish --check" in runs["self-test"]
    installs = [run for job in runs.values() for run in job if "pip install" in run]
    assert installs == ['pip install -c .github/grader-constraints.txt "$GRADER_PACKAGE"'] * 2  # pinned, in both jobs
    assert (mini_course / "dist/instructor/.github/grader-constraints.txt").read_text() == constraints()
    (grading,) = [run for run in runs["grade-submissions"] if "grader batch" in run]
    assert "advisory" in text and "official" in text
    # The step as a shell runs it, with `grader` recording its arguments: the times file when committed.
    checkout = mini_course / "checkout"
    checkout.mkdir()
    script = 'grader() { printf "%s\\n" "$@" > arguments; }\n' + grading
    assert subprocess.run(["bash", "-euc", script], cwd=checkout).returncode == 0
    assert (checkout / "arguments").read_text().split() == ["batch", "submissions", "--out", "grades"]
    (checkout / "submission-times.csv").write_text("student,submitted_at\n")
    assert subprocess.run(["bash", "-euc", script], cwd=checkout).returncode == 0
    assert (checkout / "arguments").read_text().split() == [
        "batch",
        "submissions",
        "--out",
        "grades",
        "--submitted-at",
        "submission-times.csv",
    ]


def test_the_release_readme_catalogue_has_the_same_keys_and_placeholders_in_both_languages() -> None:
    catalogues = {
        lang: yaml.safe_load((CATALOG_DIR / lang / "publish.yaml").read_text(encoding="utf-8")) for lang in ("en", "ko")
    }
    assert catalogues["en"].keys() == catalogues["ko"].keys()
    for key in catalogues["en"]:
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(catalogues[lang][key]) if name} for lang in ("en", "ko")
        ]
        assert fields[0] == fields[1], key
