"""One error, one row: a file that does not import, or an untouched stub, is said once, not once per check.

Graded for real on the mini course (five checks); the machine formats keep one entry per check.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from rich.console import Console

from grader.course import load_course
from grader.engine.excerpt import excerpt
from grader.engine.results import GradeReport
from grader.frontends.batch.records import StudentRecord
from grader.frontends.batch.stats import class_stats
from grader.frontends.report import github, jsonreport
from grader.frontends.report.text import print_report
from tests.engine.helpers import REFERENCE, grade_files, with_checks, with_function

SYNTAX_ERROR = REFERENCE.replace("def norm(x):", "def norm(x) :\n    y = [1, 2\n", 1)
# The stub with a comment added: handed in (the unchanged stub itself is "not submitted"), nothing implemented.
STUB = (Path(__file__).parents[1] / "fixtures/mini_course/assignments/vectors/vectors.py").read_text() + "# my answer\n"


def graded(course: Path, source: str, language: str = "en") -> GradeReport:
    submission = course.parent / "submission"
    submission.mkdir(exist_ok=True)
    (submission / "vectors.py").write_text(source)
    return grade_files(load_course(course), submission, language=language)


def terminal(report: GradeReport) -> str:
    console = Console(record=True, width=200, file=io.StringIO(), color_system=None)
    print_report(report, console)
    return console.export_text()


def table_rows(text: str) -> list[str]:
    """The rows of the table that start a check (a first cell that is not blank)."""
    return [line for line in text.splitlines() if re.match(r"│ \S", line)]


def test_a_syntax_error_is_said_once_with_its_line_and_a_caret(mini_course: Path) -> None:
    report = graded(mini_course, SYNTAX_ERROR)
    (result,) = report.assignments
    line = SYNTAX_ERROR.splitlines().index("    y = [1, 2") + 1
    assert (
        result.error == f"your module could not be imported: SyntaxError: '[' was never closed (line {line})\n"
        "    y = [1, 2\n"
        "        ^"
    )
    text = terminal(report)
    assert text.count("was never closed") == 1 and f"(line {line}) (line {line})" not in text
    assert "    y = [1, 2\n        ^" in text
    (row,) = table_rows(text)
    assert "5 checks" in row and "0/6" in row and "error" in row
    assert "5 checks could not run: see the error above" in text and text.count("Fix this first") == 1


def test_the_json_report_keeps_one_short_entry_per_check(mini_course: Path) -> None:
    document = json.loads(jsonreport.render(graded(mini_course, SYNTAX_ERROR)))
    (assignment,) = document["assignments"]
    messages = {check["message"] for check in assignment["checks"]}
    assert len(assignment["checks"]) == 5 and {check["status"] for check in assignment["checks"]} == {"error"}
    assert messages == {assignment["error"].splitlines()[0]} and all(
        check["score"] == 0 for check in assignment["checks"]
    )
    assert "\n" not in messages.pop()
    (group,) = assignment["groups"]
    assert group["checks"] == [check["name"] for check in assignment["checks"]] and group["max_score"] == 6


def test_an_untouched_stub_is_one_row_naming_the_functions(mini_course: Path) -> None:
    report = graded(mini_course, STUB)
    text = terminal(report)
    (row,) = table_rows(text)
    assert "5 checks" in row and "0/6" in row and "failed" in row
    assert "not implemented yet: 5 checks need `add`, `norm`, `safe_sqrt`, `Counter`" in row
    (result,) = report.assignments
    assert {check.message for check in result.checks} == {
        f"not implemented yet: `{name}` still raises NotImplementedError"
        for name in ("add", "norm", "safe_sqrt", "Counter")
    }


def test_in_korean(mini_course: Path) -> None:
    (row,) = table_rows(terminal(graded(mini_course, STUB, language="ko")))
    assert row.startswith("│ 검사 5개 ")
    assert "아직 구현되지 않았습니다: 검사 5개에 `add`, `norm`, `safe_sqrt`, `Counter`이(가) 필요합니다" in row


def test_checks_that_depend_on_an_unimplemented_one_join_its_row(mini_course: Path) -> None:
    checks = (
        (mini_course / "assignments/vectors/checks.py").read_text()
        + """

@check(points=1, depends="norm_345")
def norm_of_a_sum(student):
    expect.close(student.norm(student.add(np.array([3.0, 0.0]), np.array([0.0, 4.0]))), 5.0)
"""
    )
    only_norm_missing = with_function("norm", "def norm(x):\n    raise NotImplementedError\n")
    (result,) = graded(with_checks(mini_course, checks), only_norm_missing).assignments
    (group,) = result.groups
    assert (
        group.checks == ("norm_345", "norm_of_a_sum") and group.message == "not implemented yet: 2 checks need `norm`"
    )
    rows = table_rows(terminal(GradeReport(assignments=(result,), score=0, max_score=7, hidden_ran=True)))
    assert len(rows) == 5  # add_small, the group, and the three hidden checks, which pass


def test_one_unfinished_function_keeps_its_own_row(mini_course: Path) -> None:
    (result,) = graded(mini_course, with_function("norm", "def norm(x):\n    raise NotImplementedError\n")).assignments
    assert result.groups == ()  # one check: nothing to summarise


def test_github_gives_one_annotation_and_one_table_row_per_group(mini_course: Path) -> None:
    report = graded(mini_course, STUB)
    annotations = github.render(report).splitlines()
    errors = [line for line in annotations if line.startswith("::error")]
    assert len(errors) == 1 and "title=vectors%3A 5 checks (failed%2C 0/6)" in errors[0]
    summary = github.step_summary(report)
    assert len([line for line in summary.splitlines() if line.startswith("| ")]) == 2 + 1


def test_github_quotes_the_line_of_a_syntax_error_in_a_code_block(mini_course: Path) -> None:
    report = graded(mini_course, SYNTAX_ERROR)
    (error,) = [line for line in github.render(report).splitlines() if line.startswith("::error")]
    line = SYNTAX_ERROR.splitlines().index("    y = [1, 2") + 1
    assert f",line={line}," in error and "%0A    y = [1, 2%0A        ^%0AHint: Fix this first" in error
    summary = github.step_summary(report).splitlines()
    fence = summary.index("```")
    assert summary[fence : fence + 4] == ["```", "    y = [1, 2", "        ^", "```"]
    assert len([row for row in summary if row.startswith("| ")]) == 2 + 1


def test_the_batch_row_names_only_the_first_line_of_the_error(mini_course: Path) -> None:
    document = json.loads(jsonreport.render(graded(mini_course, SYNTAX_ERROR)))
    record = StudentRecord(student="s", status="graded", submission_hash="h", course_hash="c", report=document)
    (row,) = class_stats([record]).rows
    assert row.error.startswith("vectors: your module could not be imported") and "^" not in row.error


def test_the_caret_lines_up_under_tabs_and_wide_characters() -> None:
    source = "def f():\n\tif 한글 == 3\n        pass\n"
    # Column 12 is just past the end of line 2 (where Python expects the ':'); 한 and 글 take two columns each.
    assert excerpt(source, 2, 12) == "    if 한글 == 3\n" + " " * (4 + len("if ") + 4 + len(" == 3")) + "^"
    assert excerpt(source, 2, 5) == "    if 한글 == 3\n       ^"  # under 한
    assert excerpt(source, 3) == "    pass"  # no column: the line alone
    assert excerpt(source, 9, 1) == "" and excerpt("\n\n", 1) == ""  # no such line, a blank line
    assert excerpt(source, 2, 99) == "    if 한글 == 3"  # a column past the line: no caret
    long = "x = " + "1 + " * 100 + "("
    assert excerpt(long, 1, len(long)).endswith("(\n" + " " * (4 + len(long) - 1) + "^")
    assert excerpt(long, 1).endswith("…")
