"""The terminal report: one rich table per assignment, then the total.

Everything the student's code influenced (messages quoting their exception, their output, their
traceback) is rendered as plain ``Text``, never parsed as rich markup.
"""

from __future__ import annotations

from rich import box as boxes
from rich.box import Box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.engine.results import AssignmentResult, CheckResult, GradeReport
from grader.frontends.report.wording import Row, late_note, points, row_name, rows, status_word
from grader.i18n import msg
from grader.i18n import render as tr

_STATUS_STYLE = {"passed": "green", "failed": "red", "error": "magenta", "timeout": "yellow", "not_run": "dim"}


NARROW_DETAILS = 32
"""Below this many columns for the details, a check's message and hint go under its name instead."""
_FIXED_COLUMNS = 9 + 8 + 13  # points, status, and the borders and padding of four columns
_TIME_COLUMN = 10


def print_report(report: GradeReport, console: Console, verbose: bool = False, box: Box = boxes.HEAVY_HEAD) -> None:
    """Print the report; ``box`` draws the tables (the notebook view uses one without vertical lines,
    which a browser's fallback font for Hangul would otherwise put out of line). ``verbose`` adds each
    check's time and what the student's code printed."""
    for assignment in report.assignments:
        console.print(_assignment_table(assignment, report.language, verbose, box, console.width))
    console.print(_total(report))
    if not report.hidden_ran:
        console.print(Text(tr(msg("report.hidden_later"), report.language), style="dim"))
    elif report.sandbox is not None and not report.sandbox.confined:
        missing = " + ".join(report.sandbox.missing_kernel_layers())
        console.print(Text(tr(msg("report.unconfined", missing=missing), report.language), style="bold yellow"))


def _assignment_table(result: AssignmentResult, language: str, verbose: bool, box: Box, width: int) -> Group:
    """Every check on its own row: its name (never broken inside a word when the terminal is wider than
    the longest name plus the points and status), points, status, and what it verifies followed by what
    is wrong. Where that text would be squeezed (an 80-column terminal), it goes under the name and the
    table has one column fewer."""
    title = Text.assemble(
        (f"{result.id}", "bold"), f"  {result.title}  ", (points(result.score, result.max_score), "bold")
    )
    table = Table(title=title, title_justify="left", expand=True, show_lines=False, box=box)
    shown = rows(result)
    longest = max((len(row_name(row, language)) for row in shown), default=10)
    stacked = width - longest - _FIXED_COLUMNS - (_TIME_COLUMN if verbose else 0) < NARROW_DETAILS
    if stacked:
        table.add_column(tr(msg("report.col_check"), language), ratio=1, overflow="fold")
    else:
        table.add_column(tr(msg("report.col_check"), language), no_wrap=True, min_width=longest)
    table.add_column(tr(msg("report.col_points"), language), justify="right", no_wrap=True)
    table.add_column(tr(msg("report.col_status"), language), no_wrap=True)
    if verbose:
        table.add_column(tr(msg("report.col_time"), language), justify="right", no_wrap=True)
    if not stacked:
        table.add_column(tr(msg("report.col_details"), language), ratio=1, overflow="fold")
    for row in shown:
        table.add_row(*_row(row, language, verbose, stacked))
    parts: list = [table]
    if result.error:
        # The message, then the student's line quoted as they wrote it (with a caret): plain text.
        message, _, quoted = result.error.partition("\n")
        parts[:0] = [Text(message, style="bold red"), *([Text(quoted)] if quoted else [])]
    parts += [Text(note, style="dim") for note in result.notes]
    late = late_note(result, language)
    if late:
        parts.append(Text(late, style="yellow"))
    for check in result.checks:
        parts += _extras(check, language, verbose)
    return Group(*parts)


def _row(check: Row, language: str, verbose: bool, stacked: bool) -> list[Text | str]:
    """One check, or a group of checks shown as one (:mod:`grader.engine.groups`: its name says how many)."""
    status = Text(status_word(check.status, language), style=_STATUS_STYLE[check.status])
    if isinstance(check, CheckResult) and check.visibility == "hidden":
        status.append(f"\n{tr(msg('report.hidden'), language)}", style="dim")
    details = _details(check)
    name = Text(row_name(check, language), style="bold")
    if stacked and details.plain:
        name.append("\n")
        name.append_text(details)
    row: list[Text | str] = [name, points(check.score, check.max_score), status]
    if verbose:
        row.append(f"{check.duration_s:.2f} s" if isinstance(check, CheckResult) else "")
    if not stacked:
        row.append(details)
    return row


def _details(check: Row) -> Text:
    """What the check verifies (dim; a group has no one description), then what is wrong and the hint."""
    details = Text(check.description if isinstance(check, CheckResult) else "", style="dim")
    for text, style in ((check.message, ""), ("→ " + check.hint if check.hint else "", "cyan")):
        if text:
            details.append(("\n" if details.plain else "") + text, style=style)
    return details


def _extras(check: CheckResult, language: str, verbose: bool) -> list:
    extras = []
    if check.traceback and check.status == "error":
        extras.append(
            Panel(Text(check.traceback.rstrip()), title=Text(check.name), title_align="left", border_style="magenta")
        )
    if verbose and check.output:
        title = Text(f"{check.name}: {tr(msg('report.output'), language)}")
        extras.append(Panel(Text(check.output.rstrip()), title=title, title_align="left", border_style="dim"))
    return extras


def _total(report: GradeReport) -> Text:
    label = tr(msg("report.total"), report.language)
    return Text.assemble(
        (f"{label}: ", "bold"), (points(report.score, report.max_score), "bold"), f"  ({report.percent:.1f}%)"
    )
