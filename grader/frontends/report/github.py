"""GitHub Actions: workflow-command annotations for stdout, and a Markdown job summary.

``render`` gives one ``::error`` per check that did not pass, at the student's file and line when
known (one per assignment when the submission could not be graded at all, with the line quoted,
rather than the same error once per check; one per group of checks failed by the same unfinished
functions), a ``::warning`` per check reported not run (it lost its points, but the error to fix is
another check's), and one ``::notice`` with the summary. ``step_summary`` gives the Markdown the
grade command appends to ``$GITHUB_STEP_SUMMARY``: a table per assignment (a group of checks as one
row), then the tracebacks of its errors.

A student's text must never become a workflow command of its own. The runner reads a command only
at the start of a line, so every piece of student text inside an annotation is escaped the way
GitHub's toolkit escapes it (no raw CR or LF can survive), and what the student's code printed is
never written here. In the Markdown, student text is escaped so it cannot end a table cell or row,
nor become a link, an image or HTML; a traceback sits in a code fence longer than any it contains.
(Control characters and bidi overrides never get this far: the result model makes them visible.)

The runner also reads the legacy form ``##[command]data`` *anywhere* in a line. In the lines written
here that cannot act, because a line that is already a ``::`` command is never read again. Any other
report printed on a runner (the terminal table, JSON, JUnit) is wrapped by :func:`commands_paused`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Callable, Iterator

from grader.engine.results import AssignmentResult, CheckResult, GradeReport
from grader.frontends.report.wording import (
    Row,
    assignment_lines,
    check_details,
    points,
    row_name,
    rows,
    status_word,
    summary_lines,
)
from grader.i18n import msg
from grader.i18n import render as tr

# Every ASCII punctuation character may be backslash-escaped in CommonMark/GFM, which renders it
# literally: the one rule that defuses tables (|), links, images, emphasis, code spans and HTML.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def render(report: GradeReport) -> str:
    lines = [line for assignment in report.assignments for line in _annotations(assignment, report.language)]
    lines.append(
        command("notice", "\n".join(summary_lines(report)), title=tr(msg("report.summary_title"), report.language))
    )
    return "\n".join(lines) + "\n"


def step_summary(report: GradeReport) -> str:
    """The job summary in GitHub-flavoured Markdown: the total, then a table per assignment."""
    language = report.language
    title = tr(msg("report.summary_title"), language)
    parts = [f"## {markdown(title)}: {markdown(points(report.score, report.max_score))} ({report.percent:.1f}%)", ""]
    for assignment in report.assignments:
        parts += _assignment_markdown(assignment, language)
    if not report.hidden_ran:
        parts += [markdown(tr(msg("report.hidden_later"), language)), ""]
    return "\n".join(parts)


def command(name: str, message: str, **properties: object) -> str:
    """A workflow command line, e.g. ``::error file=a.py,line=3,title=T::message``; None properties are left out."""
    given = ",".join(
        f"{key}={escape_property(str(value))}" for key, value in properties.items() if value not in (None, "")
    )
    return f"::{name}{' ' + given if given else ''}::{escape_data(message)}"


@contextlib.contextmanager
def commands_paused(write: Callable[[str], None]) -> Iterator[None]:
    """On a GitHub runner, nothing ``write`` prints inside the block acts as a workflow command.

    The runner's own switch: ``::stop-commands::TOKEN`` before, ``::TOKEN::`` after, with a random
    token made after grading, so no student code could have printed it to resume commands early.
    Elsewhere (``GITHUB_ACTIONS`` is not ``true``) this writes nothing.
    """
    if os.environ.get("GITHUB_ACTIONS") != "true":
        yield
        return
    token = secrets.token_hex(16)
    write(f"::stop-commands::{token}")
    try:
        yield
    finally:
        write(f"::{token}::")


def escape_data(text: str) -> str:
    """A command's message, escaped as GitHub's toolkit does: no raw CR or LF, so it stays one line."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command property's value: also no ``:`` or ``,``, which would end the value early."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def markdown(text: str) -> str:
    """``text`` as literal GFM inline content, safe inside a table cell (line breaks become ``<br>``)."""
    return _LINE_BREAK.sub("<br>", _MARKDOWN_PUNCTUATION.sub(r"\\\1", text))


def _annotations(assignment: AssignmentResult, language: str) -> list[str]:
    file = assignment.file or None
    if assignment.error:
        # Every check failed with the same message and hint: say it once (with the line quoted), not once per check.
        first = assignment.checks[0] if assignment.checks else None
        hint = [tr(msg("report.hint", hint=first.hint), language)] if first is not None and first.hint else []
        details = "\n".join([assignment.error, *hint])
        return [
            command(
                "error",
                details,
                file=file,
                line=first.line if first else None,
                title=f"{assignment.id}: {assignment.title}",
            )
        ]
    return [
        command(
            "warning" if row.status == "not_run" else "error",
            check_details(row, language),
            file=file,
            line=row.line,
            title=_title(assignment, row, language),
        )
        for row in rows(assignment)
        if row.status != "passed"
    ]


def _title(assignment: AssignmentResult, row: Row, language: str) -> str:
    status = f"{status_word(row.status, language)}, {points(row.score, row.max_score)}"
    return f"{assignment.id}: {row_name(row, language)} ({status})"


def _assignment_markdown(assignment: AssignmentResult, language: str) -> list[str]:
    heading, *notes = assignment_lines(assignment, language)
    lines = [f"### {markdown(heading)}", ""]
    for note in notes:
        # The error's quoted line (and caret) keeps its spacing only in a code block.
        message, _, quoted = note.partition("\n") if note == assignment.error else (note, "", "")
        lines += [markdown(message), "", *([*code_block(quoted), ""] if quoted else [])]
    columns = [tr(msg(f"report.col_{name}"), language) for name in ("check", "points", "status", "details")]
    lines += ["| " + " | ".join(markdown(c) for c in columns) + " |", "| --- | ---: | --- | --- |"]
    lines += [_row(row, language) for row in rows(assignment)]
    lines.append("")
    # The hint of an error points at the traceback "below": it follows the table, one block per check.
    for check in assignment.checks:
        if check.status == "error" and check.traceback.strip():
            lines += [f"**{markdown(check.name)}**", "", *code_block(check.traceback.rstrip()), ""]
    return lines


def code_block(text: str) -> list[str]:
    """``text`` in a fenced code block it cannot close: the fence is longer than any backtick run in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, text, fence]


def _row(check: Row, language: str) -> str:
    hidden = isinstance(check, CheckResult) and check.visibility == "hidden"
    name = row_name(check, language) + (f" ({tr(msg('report.hidden'), language)})" if hidden else "")
    cells = [
        name,
        points(check.score, check.max_score),
        status_word(check.status, language),
        check_details(check, language, with_traceback=False),
    ]
    return "| " + " | ".join(markdown(cell) for cell in cells) + " |"
