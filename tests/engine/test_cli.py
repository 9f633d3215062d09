"""`grader grade` from the command line: submission forms, formats, output file, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.commandline import run_grader, run_grader_process
from tests.engine.helpers import REFERENCE


def grade_json(*args: str, cwd: Path | None = None) -> dict:
    completed = run_grader("grade", *args, "--format", "json", cwd=cwd)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_defaults_grade_the_course_in_the_current_folder_which_holds_only_its_stubs(mini_course: Path) -> None:
    report = grade_json(cwd=mini_course)
    assert report["score"] == 0 and report["max_score"] == 6 and report["hidden_checks_ran"] is True
    (assignment,) = report["assignments"]
    assert assignment["submitted"] is False
    assert assignment["error"] == "assignments/vectors/vectors.py is still the published stub: nothing submitted yet"
    check = assignment["checks"][0]
    assert set(check) >= {"name", "score", "max_score", "status", "visibility", "message", "hint", "duration_s"}


@pytest.mark.parametrize("layout", ["course-layout", "flat-folder", "single-file"])
def test_each_submission_form_is_accepted(mini_course: Path, tmp_path: Path, layout: str) -> None:
    target = {
        "course-layout": tmp_path / "sub/vectors/vectors.py",
        "flat-folder": tmp_path / "sub/vectors.py",
        "single-file": tmp_path / "mine.py",
    }[layout]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(REFERENCE)
    submission = target if layout == "single-file" else tmp_path / "sub"
    report = grade_json("vectors", "--course", str(mini_course), "--submission", str(submission))
    assert report["score"] == report["max_score"] == 6


def test_a_single_file_needs_exactly_one_assignment(mini_course: Path, tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(REFERENCE)
    (mini_course / "assignments/second").mkdir()
    (mini_course / "assignments/second/second.py").write_text("")
    with (mini_course / "course.yaml").open("a") as course_yaml:
        course_yaml.write("  - id: second\n")
    completed = run_grader("grade", "--course", str(mini_course), "--submission", str(tmp_path / "mine.py"))
    assert completed.returncode == 2 and "name the assignment it answers" in completed.stderr


def test_unknown_assignment_is_a_usage_error(mini_course: Path) -> None:
    completed = run_grader_process(
        "grade", "nope", "--course", str(mini_course)
    )  # exit code 2 from the real entry point
    assert (
        completed.returncode == 2 and "unknown assignment 'nope'" in completed.stderr and "vectors" in completed.stderr
    )


def test_a_missing_submission_file_fails_its_assignment_with_where_it_was_looked_for(
    mini_course: Path, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    report = grade_json("--course", str(mini_course), "--submission", str(tmp_path / "empty"))
    error = report["assignments"][0]["error"]
    assert "no submission file found" in error and "vectors.py" in error


def test_public_only_skips_hidden_checks_and_says_they_come_later(mini_course: Path) -> None:
    completed = run_grader(
        "grade", "--course", str(mini_course), "--public-only", "--submission", str(mini_course / "solutions")
    )
    assert completed.returncode == 0
    assert "Hidden checks will run when you submit" in completed.stdout
    assert "2/2" in completed.stdout and "add_random" not in completed.stdout


def test_without_solutions_only_public_checks_run(mini_course: Path, tmp_path: Path) -> None:
    release = tmp_path / "release"
    shutil.copytree(mini_course, release, ignore=shutil.ignore_patterns("solutions"))
    report = grade_json(cwd=release)
    assert report["hidden_checks_ran"] is False and report["max_score"] == 2


def test_output_writes_the_json_file_and_prints_the_table(mini_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "results" / "report.json"
    completed = run_grader("grade", "--course", str(mini_course), "--format", "json", "--output", str(out))
    assert completed.returncode == 0
    assert json.loads(out.read_text())["max_score"] == 6
    assert "Total: 0/6" in completed.stdout
    assert [p.name for p in out.parent.iterdir()] == ["report.json"]  # no temp file left behind


def test_fail_under_exits_1_below_the_threshold_and_0_above(mini_course: Path) -> None:
    assert (
        run_grader_process("grade", "--course", str(mini_course), "--fail-under", "50").returncode == 1
    )  # the real entry point
    passing = run_grader(
        "grade", "--course", str(mini_course), "--fail-under", "100", "--submission", str(mini_course / "solutions")
    )
    assert passing.returncode == 0


def test_verbose_shows_what_the_student_printed(mini_course: Path, tmp_path: Path) -> None:
    (tmp_path / "vectors.py").write_text(
        REFERENCE.replace(
            "    return float(np.sqrt(np.sum(x * x)))",
            '    print("debug: norm called")\n    return float(np.sqrt(np.sum(x * x)))',
        )
    )
    quiet = run_grader("grade", "--course", str(mini_course), "--submission", str(tmp_path))
    loud = run_grader("grade", "--course", str(mini_course), "--submission", str(tmp_path), "-v")
    assert "debug: norm called" not in quiet.stdout
    assert "debug: norm called" in loud.stdout


def test_korean_messages(mini_course: Path) -> None:
    completed = run_grader("grade", "--course", str(mini_course), "--lang", "ko")
    assert "아직 배포된 스텁 그대로입니다" in completed.stdout and "합계" in completed.stdout


def test_rich_markup_in_student_text_is_shown_literally(mini_course: Path, tmp_path: Path) -> None:
    body = REFERENCE.replace('        raise ValueError("negative input")', '        raise ValueError("negative input")')
    body = body.replace(
        "def norm(x):", "def norm(x):\n    raise ValueError('[bold red]boom[/]')\n\n\ndef _old_norm(x):"
    )
    (tmp_path / "vectors.py").write_text(body)
    completed = run_grader("grade", "--course", str(mini_course), "--submission", str(tmp_path))
    assert "[bold red]boom[/]" in completed.stdout


def test_help_lists_the_options() -> None:
    completed = run_grader("grade", "--help")
    for option in (
        "--course",
        "--submission",
        "--public-only",
        "--format",
        "--output",
        "--timeout",
        "--fail-under",
        "-v",
    ):
        assert option in completed.stdout


def test_every_listed_command_loads_under_its_name() -> None:
    import click

    from grader.cli import COMMANDS, cli

    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert isinstance(command, click.Command) and command.name == name
    assert run_grader("--help").stdout.count("\n  ") >= len(COMMANDS)
