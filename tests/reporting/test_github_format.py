"""--format github: workflow-command annotations and the Markdown job summary, with hostile student text."""

from __future__ import annotations

import re

import pytest

from grader.frontends.report import github
from grader.frontends.report.wording import check_details, rows
from tests.reporting.reports import IMPORT_ERROR, IMPORT_HINT, NOT_RUN, QUOTED_LINE, mixed_report

FORGERY = "boom\n::error::forged\r\n::add-mask::x %0A | cell, a:b"


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """One workflow command as the Actions runner reads it: name, properties, message (unescaped)."""
    match = re.fullmatch(r"::(\w[\w-]*)(?: ([^:]*))?::(.*)", line)
    assert match, line
    name, given, data = match.groups()
    properties = dict(pair.split("=", 1) for pair in given.split(",")) if given else {}
    return name, {key: unescape(value) for key, value in properties.items()}, unescape(data)


def unescape(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def commands(**options: object) -> list[tuple[str, dict[str, str], str]]:
    return [parse(line) for line in github.render(mixed_report(**options)).splitlines()]


def test_one_error_per_check_that_did_not_pass_at_the_students_file_and_line() -> None:
    report = mixed_report()
    errors = [c for c in commands() if c[0] == "error"]
    conv = report.assignments[0]
    expected = [(c.name, c.line) for c in conv.checks if c.status not in ("passed", "not_run")]
    conv_errors = [e for e in errors if e[1]["title"].startswith("conv: ")]
    assert [(e[1]["title"].split(" ")[1], e[1].get("line")) for e in conv_errors] == [
        (name, str(line) if line is not None else None) for name, line in expected
    ]
    assert all(e[1]["file"] == "conv.py" for e in conv_errors)
    stride = next(e for e in conv_errors if "handles_stride" in e[1]["title"])
    assert stride[1]["title"] == "conv: handles_stride (error, 0/1)"
    assert stride[2] == check_details(conv.checks[2], "en") and "ValueError: boom" in stride[2]


def test_a_check_not_run_is_a_warning_without_a_hint() -> None:
    (warning,) = [c for c in commands() if c[0] == "warning"]
    assert warning[1] == {"file": "conv.py", "title": "conv: backward_of_own_forward (not run, 0/2)"}
    assert warning[2] == NOT_RUN


def test_an_unimportable_assignment_gives_one_error_not_one_per_check() -> None:
    errors = [c for c in commands() if c[0] == "error" and c[1]["file"] == "rnn_backward.py"]
    assert len(errors) == 1
    assert errors[0][1]["title"] == "rnn_backward: RNN backward" and errors[0][1]["line"] == "3"
    assert errors[0][2] == f"{IMPORT_ERROR}\n{QUOTED_LINE}\nHint: {IMPORT_HINT}"  # the line quoted, the hint once


def test_a_notice_summarises_the_run_with_the_late_penalty() -> None:
    report = mixed_report()
    (notice,) = [c for c in commands() if c[0] == "notice"]
    assert notice[1] == {"title": "Grading results"}
    assert notice[2].startswith(f"Total: {report.score:g}/{report.max_score:g} ({report.percent:.1f}%)")
    assert "Late by 2 day(s): 20% off" in notice[2]


def test_hostile_student_text_cannot_forge_a_command() -> None:
    report = mixed_report(message=FORGERY, hint=FORGERY, output="::error::printed by the student\n")
    rendered = github.render(report)
    lines = rendered.splitlines()
    # The runner reads a command at the start of a line (after leading blanks): only ours may be there.
    assert len(lines) == 1 + 4 + 1  # conv's four problems, rnn_backward's one, the notice
    assert all(re.match(r"::(error|warning|notice) ", line) for line in lines)
    assert "\r" not in rendered and not any(line.lstrip().startswith(("::add-mask", "::error::")) for line in lines)
    # ... and the student's text reads back as written (its CRLF line end read as LF), including a literal "%0A".
    conv_errors = [parse(line) for line in lines if "title=conv%3A" in line]
    assert all(message.count(FORGERY.replace("\r\n", "\n")) == 2 for _, _, message in conv_errors)
    assert "printed by the student" not in rendered


def test_properties_escape_colon_and_comma() -> None:
    line = github.command("error", "m", file="a,b:c.py", line=3, title="x: y, z", col=None)
    assert line == "::error file=a%2Cb%3Ac.py,line=3,title=x%3A y%2C z::m"
    assert parse(line) == ("error", {"file": "a,b:c.py", "line": "3", "title": "x: y, z"}, "m")


def test_escape_data_follows_githubs_rules() -> None:
    assert github.escape_data("100% a\r\nb: c, d") == "100%25 a%0D%0Ab: c, d"


def table_rows(markdown: str) -> list[list[str]]:
    """The cells of every table row, split only on unescaped pipes."""
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    return [re.split(r"(?<!\\)\|", row)[1:-1] for row in rows]


def test_step_summary_has_a_table_per_assignment() -> None:
    report = mixed_report()
    summary = github.step_summary(report)
    assert summary.startswith(
        f"## Grading results: {report.score:g}/{report.max_score:g}".replace(".", "\\.").replace("/", "\\/")
    )
    assert summary.count("| --- | ---: | --- | --- |") == len(report.assignments)
    # One row per check, except that the checks the import error stopped share one.
    assert len(table_rows(summary)) == sum(2 + len(rows(a)) for a in report.assignments) == 2 + 5 + 2 + 1
    assert "Late by 2 day\\(s\\)\\: 20\\% off" in summary
    assert "backward\\_matches\\_numeric\\_gradient \\(hidden\\)" in summary


def test_student_text_cannot_break_the_summary_table() -> None:
    hostile = "a | b\n| c | d |\r\n<img src=x> [link](http://x) `code` **bold**"
    report = mixed_report(message=hostile, hint=hostile)
    summary = github.step_summary(report)
    cells = table_rows(summary)
    assert len(cells) == sum(2 + len(rows(a)) for a in report.assignments)
    assert all(len(row) == 4 for row in cells)
    details = [row[3].replace("<br>", "") for row in cells[2:]]
    assert details and not any(re.search(r"(?<!\\)[<>\[\]()*`]", cell) for cell in details)
    assert "a \\| b<br>\\| c \\| d \\|<br>\\<img" in summary


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [("a|b", "a\\|b"), ("x\ny", "x<br>y"), ("x\r\ny\rz", "x<br>y<br>z"), ("1.5 * 2", "1\\.5 \\* 2"), ("한글", "한글")],
)
def test_markdown_escaping(raw: str, escaped: str) -> None:
    assert github.markdown(raw) == escaped


def test_korean_summary() -> None:
    summary = github.step_summary(mixed_report(language="ko"))
    assert summary.startswith("## 채점 결과") and "| 검사 | 점수 | 상태 | 설명 |" in summary and "비공개" in summary


def test_tracebacks_follow_the_table_in_a_fence_they_cannot_close() -> None:
    traceback = (
        "Traceback (most recent call last):\n```\n| forged | row | x | y |\n````\n## forged heading\nValueError: boom"
    )
    summary = github.step_summary(mixed_report(traceback=traceback))
    lines = summary.splitlines()
    opening = lines.index("**handles\\_stride**") + 2
    fence = lines[opening]
    assert fence == "`" * 5 and lines[opening + 1 : opening + 1 + len(traceback.splitlines())] == traceback.splitlines()
    assert lines[opening + 1 + len(traceback.splitlines())] == fence
    # Only the error's traceback is shown: the failed check carries one too, but it is a wrong answer.
    assert summary.count("Traceback (most recent call last)") == 1
    assert lines.index("**handles\\_stride**") > max(
        i for i, line in enumerate(lines) if line.startswith("| no\\_infinite")
    )


def test_code_block_fence_outgrows_the_text() -> None:
    assert github.code_block("plain") == ["```", "plain", "```"]
    assert github.code_block("a ```` b") == ["`````", "a ```` b", "`````"]
