"""`grader grade --format gradescope|junit|github --output FILE` end to end, on the mini course."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
from junitparser import JUnitXml

from tests.commandline import run_grader
from tests.engine.helpers import REFERENCE
from tests.reporting.reports import GRADESCOPE_SCHEMA

SUBMITTED_TWO_DAYS_LATE = "2026-12-03T10:00:00+09:00"
STATUS_IN_GRADESCOPE = {"passed": "passed", "failed": "failed", "error": "failed", "timeout": "failed"}


def replaced(source: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


# add prints and raises (error, with traceback and line); norm never returns (timeout);
# Counter.tick is wrong (failed); safe_sqrt is right (passed).
SUBMISSION = replaced(
    REFERENCE,
    (
        "    return a + b\n",
        '    print("::warning::printed by the student")\n    raise ValueError("bad\\n::error::forged %0A | cell")\n',
    ),
    ("    return float(np.sqrt(np.sum(x * x)))\n", "    while True:\n        pass\n"),
    ("        self.count += 1\n        return self.count\n", "        return 0\n"),
)


@pytest.fixture
def course(mini_course: Path, tmp_path: Path) -> Path:
    """The mini course with a due date and 10% off per day late; the submission above beside it."""
    text = (mini_course / "course.yaml").read_text()
    due = "    due: 2026-12-01T23:59:00+09:00\n    late_policy: {percent_per_day: 10}\n"
    (mini_course / "course.yaml").write_text(
        replaced(text, ("    limits: {timeout: 2}\n", "    limits: {timeout: 2}\n" + due))
    )
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission/vectors.py").write_text(SUBMISSION)
    return mini_course


def grade(
    course: Path, output_format: str, output: Path | None = None, summary: Path | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    args = [
        "grade",
        "--course",
        str(course),
        "--submission",
        str(course.parent / "submission"),
        "--format",
        output_format,
        "--submitted-at",
        SUBMITTED_TWO_DAYS_LATE,
        "--timeout",
        "0.5",
    ]
    if output is not None:
        args += ["--output", str(output)]
    completed = run_grader(*args, env={"GITHUB_STEP_SUMMARY": str(summary) if summary is not None else None}, cwd=cwd)
    assert completed.returncode == 0, completed.stderr
    return completed


def json_report(course: Path) -> dict:
    return json.loads(grade(course, "json").stdout)


def test_the_submission_has_every_status(course: Path) -> None:
    (assignment,) = json_report(course)["assignments"]
    assert sorted(c["status"] for c in assignment["checks"]) == ["error", "error", "failed", "passed", "timeout"]
    assert assignment["days_late"] == 2 and assignment["score"] < assignment["raw_score"]


def test_gradescope_results_file(course: Path, tmp_path: Path) -> None:
    expected = json_report(course)
    grade(course, "gradescope", output=tmp_path / "results/results.json")
    document = json.loads((tmp_path / "results/results.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(GRADESCOPE_SCHEMA).validate(document)
    (assignment,) = expected["assignments"]
    assert document["score"] == pytest.approx(expected["score"])
    assert sum(t["score"] for t in document["tests"]) == pytest.approx(assignment["raw_score"])
    assert [(t["name"], t["status"]) for t in document["tests"]] == [
        (f"vectors: {c['name']}", STATUS_IN_GRADESCOPE[c["status"]]) for c in assignment["checks"]
    ]
    assert "Late by 2 day(s): 20% off" in document["output"]
    add_small = document["tests"][0]
    assert "Traceback (most recent call last)" in add_small["output"] and "forged" in add_small["output"]
    assert not any("printed by the student" in t["output"] for t in document["tests"])


def test_junit_file(course: Path, tmp_path: Path) -> None:
    (assignment,) = json_report(course)["assignments"]
    grade(course, "junit", output=tmp_path / "junit.xml")
    (suite,) = list(JUnitXml.fromfile(str(tmp_path / "junit.xml")))
    statuses = [c["status"] for c in assignment["checks"]]
    assert (suite.name, suite.tests, suite.failures, suite.errors, suite.skipped) == (
        "vectors",
        5,
        statuses.count("failed"),
        statuses.count("error") + statuses.count("timeout"),
        0,
    )
    cases = {case.name: case for case in suite}
    assert [case.name for case in suite] == [c["name"] for c in assignment["checks"]]
    assert cases["add_small"].result[0].type == "error" and "Traceback" in cases["add_small"].result[0].text
    assert cases["norm_345"].result[0].type == "timeout"
    assert "::warning::printed by the student" in cases["add_small"].system_out
    assert cases["sqrt_rejects_negative"].is_passed


def test_github_annotations_on_stdout_and_in_the_file_and_the_summary_appended(course: Path, tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n")
    completed = grade(course, "github", output=tmp_path / "annotations.txt", summary=summary)
    assert completed.stdout == (tmp_path / "annotations.txt").read_text(encoding="utf-8")
    lines = completed.stdout.splitlines()
    assert len(lines) == 4 + 1 and all(re.match(r"::(error|notice) ", line) for line in lines)
    assert "printed by the student" not in completed.stdout + completed.stderr
    add_small = next(line for line in lines if "title=vectors%3A add_small" in line)
    assert "file=" in add_small and re.search(r",line=\d+,", add_small) and "forged %250A | cell" in add_small
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## Grading results")
    assert len([line for line in text.splitlines() if line.startswith("| ")]) == 2 + 5


def test_github_without_the_variable_writes_no_summary(course: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    completed = grade(course, "github", cwd=workdir)
    assert completed.stdout.startswith("::error ") and list(workdir.iterdir()) == []


def test_other_formats_leave_the_step_summary_alone(course: Path, tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    grade(course, "junit", summary=summary)
    assert not summary.exists()
