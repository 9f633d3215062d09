"""course.yaml validation: every problem names the file, the line, the field and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import load_course
from grader.errors import CourseError
from tests.commandline import run_grader
from tests.engine.helpers import with_checks


def write(course: Path, text: str) -> None:
    (course / "course.yaml").write_text(text)


def test_the_fixture_course_loads_into_typed_objects(mini_course: Path) -> None:
    course = load_course(mini_course)
    (assignment,) = course.assignments
    assert course.title.startswith("Mini course") and course.seed == 7
    assert assignment.id == "vectors" and assignment.limits.timeout == 2.0
    assert assignment.limits.memory_mb == 1024  # the default, not overridden
    assert assignment.limits.assignment_timeout is None  # six times the longest check limit, when grading
    assert [p.name for p in assignment.public_check_files] == ["checks.py"]
    assert [p.name for p in assignment.hidden_check_files] == ["checks_hidden.py"]


def test_the_assignment_budget_is_set_per_course_and_per_assignment(mini_course: Path) -> None:
    write(mini_course, "title: T\nlimits: {assignment_timeout: 30}\nassignments:\n  - id: vectors\n")
    assert load_course(mini_course).assignment("vectors").limits.assignment_timeout == 30.0
    write(
        mini_course,
        "title: T\nlimits: {assignment_timeout: 30}\nassignments:\n  - id: vectors\n    limits: {assignment_timeout: "
        "2.5}\n",
    )
    assert load_course(mini_course).assignment("vectors").limits.assignment_timeout == 2.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "title: T\nassignments:\n  - id: vectors\n    titel: typo\n",
            ["course.yaml:4", "assignments[0].titel", "unknown key 'titel'", "allowed keys here: id, title, limits"],
        ),
        ("title: T\ncolour: blue\nassignments:\n  - id: vectors\n", ["course.yaml:2", "colour", "unknown key"]),
        ("title: T\nassignments:\n  - title: no id\n", ["assignments[0].id", "is missing", "add `id: ...`"]),
        ("title: T\nassignments:\n  - id: vectors\n  - id: vectors\n", ["assignments[1].id", "duplicate id 'vectors'"]),
        (
            "title: T\nassignments:\n  - id: missing_one\n",
            [
                "assignments[0].id",
                "has no file assignments/missing_one/missing_one.py",
                "create assignments/missing_one/missing_one.py",
            ],
        ),
        (
            "title: T\nassignments:\n  - id: vectors\n    limits: {timeout: -1}\n",
            ["assignments[0].limits.timeout", "positive number", "-1"],
        ),
        (
            "title: T\nassignments:\n  - id: vectors\n    limits: {timeout: abc}\n",
            ["assignments[0].limits.timeout", "'abc'"],
        ),
        ("title: T\nlimits: {memory_mb: 10}\nassignments:\n  - id: vectors\n", ["limits.memory_mb", ">= 256", "10"]),
        (
            "title: T\nlimits: {assignment_timeout: 0}\nassignments:\n  - id: vectors\n",
            ["course.yaml:2", "limits.assignment_timeout", "positive number of seconds", "`assignment_timeout: 10`"],
        ),
        ("title: T\nseed: -3\nassignments:\n  - id: vectors\n", ["seed", "whole number >= 0"]),
        ("title: T\nlanguage: fr\nassignments:\n  - id: vectors\n", ["language", "one of en, ko"]),
        ("title: T\nassignments: []\n", ["assignments", "non-empty list"]),
        ("assignments:\n  - id: vectors\n", ["title", "is missing"]),
        ("title: T\nassignments:\n  - id: Bad-Id\n", ["assignments[0].id", "'Bad-Id' is not a valid id"]),
        ("title: [unclosed\nassignments: x\n", ["course.yaml:", "not valid YAML"]),
        ("- just\n- a list\n", ["must be a mapping"]),
        (
            "title: T\nassignments:\n  - id: vectors\n    published_solution_lines: a + b\n",
            ["course.yaml:4", "assignments[0].published_solution_lines", "must be a list", "reason:"],
        ),
        (
            "title: T\nassignments:\n  - id: vectors\n    published_solution_lines:\n      - return a + b\n",
            ["assignments[0].published_solution_lines[0]", "mapping with line and reason"],
        ),
        (
            "title: T\nassignments:\n  - id: vectors\n    published_solution_lines:\n      - {line: return a + b}\n",
            ["assignments[0].published_solution_lines[0].reason", "is missing"],
        ),
        (
            "title: T\nassignments:\n  - id: vectors\n    published_solution_lines:\n      - {line: x, reason: y, why: "
            "z}\n",
            ["assignments[0].published_solution_lines[0].why", "unknown key", "line, reason"],
        ),
    ],
    ids=[
        "unknown-assignment-key",
        "unknown-top-key",
        "missing-id",
        "duplicate-id",
        "missing-files",
        "negative-timeout",
        "text-timeout",
        "tiny-memory",
        "zero-budget",
        "negative-seed",
        "bad-language",
        "empty-list",
        "missing-title",
        "bad-id",
        "bad-yaml",
        "not-a-mapping",
        "published-lines-not-a-list",
        "published-line-not-a-mapping",
        "published-line-without-reason",
        "published-line-unknown-key",
    ],
)
def test_problems_are_reported_with_file_field_and_fix(mini_course: Path, text: str, expected: list[str]) -> None:
    write(mini_course, text)
    with pytest.raises(CourseError) as raised:
        load_course(mini_course)
    message = str(raised.value)
    assert str(mini_course / "course.yaml") in message
    for fragment in expected:
        assert fragment in message
    assert "fix:" in message


def test_a_missing_course_file_says_where_to_run(tmp_path: Path) -> None:
    with pytest.raises(CourseError, match="(?s)no course.yaml here.*--course"):
        load_course(tmp_path)


def test_a_broken_course_exits_2_with_the_message_and_no_traceback(mini_course: Path) -> None:
    write(mini_course, "title: T\nassignments:\n  - id: vectors\n    limits: {timeout: soon}\n")
    completed = run_grader("grade", "--course", str(mini_course))
    assert completed.returncode == 2
    assert "assignments[0].limits.timeout" in completed.stderr and "'soon'" in completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout


def test_a_broken_check_file_is_a_course_error_naming_its_line(mini_course: Path) -> None:
    with_checks(mini_course, "from grader import check\n\n@check(points=1)\ndef c(student):\n    return 1 +\n")
    completed = run_grader("grade", "--course", str(mini_course))
    assert completed.returncode == 2
    assert "checks.py:5" in completed.stderr and "SyntaxError" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    ("check_source", "expected"),
    [
        ("@check(points=0)\ndef c(student):\n    pass\n", "points must be a positive number"),
        ("@check(points=1)\ndef c(studnet):\n    pass\n", "asks for 'studnet'"),
        ("@check(points=1)\ndef c(student, reference):\n    pass\n", "is public but uses the reference"),
        (
            "@check(points=1)\ndef c(student):\n    pass\n\n@check(points=1, name='c')\ndef d(student):\n    pass\n",
            "already used",
        ),
        ("@check(points=1, numpy_errors='loud')\ndef c(student):\n    pass\n", "numpy_errors must be 'raise'"),
    ],
    ids=["zero-points", "unknown-argument", "public-uses-reference", "duplicate-name", "bad-numpy-errors"],
)
def test_invalid_checks_are_course_errors(mini_course: Path, check_source: str, expected: str) -> None:
    from grader.engine.checks.loader import load_checks

    with_checks(mini_course, "from grader import check\n\n" + check_source)
    with pytest.raises(CourseError, match=expected):
        load_checks(load_course(mini_course).assignments[0], include_hidden=False)


def test_published_solution_lines_are_read_with_their_reasons(mini_course: Path) -> None:
    write(
        mini_course,
        "title: T\nassignments:\n  - id: vectors\n    published_solution_lines:\n"
        "      - {line: 'return float(np.sqrt(np.sum(x * x)))', reason: the README derives it}\n",
    )
    (line,) = load_course(mini_course).assignment("vectors").published_solution_lines
    assert (line.line, line.reason) == ("return float(np.sqrt(np.sum(x * x)))", "the README derives it")
