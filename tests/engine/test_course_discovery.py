"""The course is found from any folder inside it, as git and pytest find theirs; --course still wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.course import course_folder, find_course
from grader.errors import CourseError
from tests.commandline import run_grader
from tests.engine.helpers import REFERENCE


def test_grade_finds_the_course_from_an_assignment_folder(mini_course: Path) -> None:
    folder = mini_course / "assignments/vectors"
    (folder / "vectors.py").write_text(REFERENCE)
    completed = run_grader("grade", "vectors", "--format", "json", cwd=folder)
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["score"] == report["max_score"] == 6 and report["assignments"][0]["file"] == "vectors.py"


def test_check_and_publish_find_the_course_from_a_solutions_folder(mini_course: Path) -> None:
    folder = mini_course / "solutions/vectors"
    assert run_grader("publish", "--check", cwd=folder).stdout == "all 1 stubs are generated from their solutions\n"
    assert run_grader("check", cwd=folder).returncode == 0


def test_the_course_option_wins_over_the_folder_the_command_runs_in(mini_course: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    (other / "assignments/vectors").mkdir(parents=True)
    (other / "course.yaml").write_text("title: Another course\nassignments:\n  - id: vectors\n")
    (other / "assignments/vectors/vectors.py").write_text("")
    completed = run_grader("grade", "--course", str(mini_course), "--format", "json", cwd=other / "assignments/vectors")
    assert json.loads(completed.stdout)["max_score"] == 6  # the mini course's checks, not the other course's


def test_no_course_in_the_folder_or_above_names_the_folder_and_the_fix(tmp_path: Path) -> None:
    assert find_course(tmp_path) is None  # the temporary folders live outside any course
    completed = run_grader("grade", cwd=tmp_path)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert f"no course.yaml in {tmp_path.resolve()} or in any folder above it" in completed.stderr
    assert "pass --course DIR" in completed.stderr
    with pytest.raises(CourseError):
        course_folder(None, tmp_path)
    assert course_folder(tmp_path / "given", tmp_path) == tmp_path / "given"
