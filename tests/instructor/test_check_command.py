"""`grader check`: the self-test table and exit codes, and `--mutants` with its survivors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from grader.frontends.selftest.mutants import generate_mutants
from tests.commandline import run_grader
from tests.instructor.helpers import replace_in


def test_a_sound_course_passes_with_one_row_per_assignment(mini_course: Path) -> None:
    completed = run_grader("check", "--course", str(mini_course))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    row = next(line for line in completed.stdout.splitlines() if "vectors" in line)
    assert all(cell in row for cell in ("2+3", "6/6", "0/6", "in step", "ok"))
    assert "all references score full marks and all stubs zero" in completed.stdout


def test_a_reference_that_fails_a_check_fails_the_self_test(mini_course: Path) -> None:
    replace_in(mini_course / "solutions/vectors/vectors.py", "    return a + b\n", "    return a - b\n")
    completed = run_grader("check", "--course", str(mini_course))
    assert completed.returncode == 1
    assert "vectors: the reference fails add_small (failed)" in completed.stdout
    # add_random compares with the (equally wrong) reference itself: only the public check notices.
    assert "add_random" not in completed.stdout and "FAIL" in completed.stdout


def test_a_check_that_passes_the_stub_fails_the_self_test(mini_course: Path) -> None:
    with (mini_course / "assignments/vectors/checks.py").open("a") as checks:
        checks.write("\n\n@check(points=1)\ndef free_point(student):\n    expect.true(True, 'always')\n")
    completed = run_grader("check", "--course", str(mini_course))
    assert completed.returncode == 1
    assert "the stub passes free_point: the check gives 1 point(s) without any student code" in completed.stdout
    assert "1/7" in completed.stdout  # the stub's score


def test_a_stale_stub_fails_the_self_test_and_says_how_to_fix_it(mini_course: Path) -> None:
    replace_in(mini_course / "assignments/vectors/vectors.py", '"""Elementwise sum', '"""Sum')
    completed = run_grader("check", "--course", str(mini_course))
    assert completed.returncode == 1
    assert "stale" in completed.stdout and "run `grader publish` to regenerate it" in completed.stdout


def test_an_assignment_without_checks_fails_the_self_test(mini_course: Path) -> None:
    (mini_course / "assignments/vectors/checks.py").unlink()
    (mini_course / "solutions/vectors/checks_hidden.py").unlink()
    completed = run_grader("check", "--course", str(mini_course))
    assert completed.returncode == 1 and "no checks: add assignments/vectors/checks.py" in completed.stdout


def test_a_check_file_that_does_not_import_is_a_problem_of_its_assignment(mini_course: Path) -> None:
    with (mini_course / "solutions/vectors/checks_hidden.py").open("a") as checks:
        checks.write("\ndef broken(:\n")
    completed = run_grader("check", "--course", str(mini_course))
    assert completed.returncode == 1
    assert re.search(r"vectors: .*checks_hidden\.py:\d+: SyntaxError", completed.stdout)


def test_a_student_release_cannot_be_self_tested(mini_course: Path) -> None:
    shutil.rmtree(mini_course / "solutions")
    completed = run_grader("check", "--course", str(mini_course))
    assert completed.returncode == 2 and "not an instructor's course" in completed.stderr


def test_mutants_report_the_score_and_the_survivors_with_their_diff(mini_course: Path) -> None:
    generated = len(generate_mutants((mini_course / "solutions/vectors/vectors.py").read_text(), "v"))
    completed = run_grader("check", "--course", str(mini_course), "--mutants")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    out = completed.stdout
    assert f"{generated}/{generated}" in out
    assert "-    if x < 0:\n+    if x <= 0:" in out and "(mutant " in out and "changed comparison" in out
    assert "equivalent to the reference" in out


@pytest.mark.slow
def test_the_mutant_cap_and_the_minimum_score(mini_course: Path) -> None:
    generated = len(generate_mutants((mini_course / "solutions/vectors/vectors.py").read_text(), "v"))
    capped = run_grader("check", "--course", str(mini_course), "--mutants", "--max-mutants", "3", "--jobs", "1")
    assert capped.returncode == 0 and f"3/{generated}" in capped.stdout
    strict = run_grader("check", "--course", str(mini_course), "--mutants", "--min-score", "100")
    assert strict.returncode == 1  # the mini course's checks let some mutants survive
    lenient = run_grader("check", "--course", str(mini_course), "--mutants", "--min-score", "10")
    assert lenient.returncode == 0


def test_a_reference_that_uses_much_of_the_time_budget_fails_the_self_test(mini_course: Path) -> None:
    with (mini_course / "assignments/vectors/checks.py").open("a") as checks:
        checks.write(
            "\n\n@check(points=1)\ndef slow(student):\n    import time\n    time.sleep(0.3)\n"
            "    expect.close(student.norm(np.array([0.0, 2.0])), 2.0)\n"
        )
    replace_in(mini_course / "course.yaml", "limits: {timeout: 2}", "limits: {timeout: 2, assignment_timeout: 1}")
    completed = run_grader("check", "--course", str(mini_course))
    assert completed.returncode == 1
    assert re.search(
        r"vectors: the reference's checks take 0\.\d s, more than 25% of the assignment's time budget of 1 s: "
        r"raise limits.assignment_timeout",
        " ".join(completed.stdout.split()),
    )
    assert "7/7" in completed.stdout  # the reference itself still scores full marks


def test_the_self_test_speaks_the_courses_language_unless_lang_says_otherwise(mini_course: Path) -> None:
    replace_in(mini_course / "solutions/vectors/vectors.py", "    return a + b\n", "    return a - b\n")
    (mini_course / "course.yaml").write_text((mini_course / "course.yaml").read_text() + "language: ko\n")
    korean = run_grader("check", "--course", str(mini_course))
    assert korean.returncode == 1 and "과목 자체 검사: 참조 답안은 만점, 스텁은 0점" in korean.stdout
    assert (
        "vectors: 참조 답안이 add_small에서 실패합니다 (failed): " in korean.stdout
        and "자체 검사에 실패했습니다" in korean.stdout
    )
    assert "Course self-test" not in korean.stdout and "the reference fails" not in korean.stdout
    english = run_grader("check", "--course", str(mini_course), "--lang", "en")
    assert "vectors: the reference fails add_small (failed): " in english.stdout and "자체" not in english.stdout
