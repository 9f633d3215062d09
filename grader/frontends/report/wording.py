"""What every report format (terminal, gradescope, junit, github) says about checks and assignments.

Each format has its own syntax and escaping, but the words are the same in all of them: a
check is named "assignment: check", points read "earned/possible", a problem is its message, its
hint and (when the student's code raised) the traceback, and the short summary gives the total, the
checks passed, each assignment's points, late penalty and fatal error. Every word that is not data
comes from the i18n catalogue, in the report's language. Nothing here computes a score.
"""

from __future__ import annotations

from grader.engine.results import AssignmentResult, CheckGroup, CheckResult, GradeReport, Status
from grader.i18n import msg
from grader.i18n import render as tr

Row = CheckResult | CheckGroup
"""A row of a human format's table: one check, or a group of checks shown as one."""


def qualified_name(assignment: AssignmentResult, check: CheckResult) -> str:
    """The check's name prefixed with its assignment's id, e.g. ``conv: forward_matches_reference``."""
    return f"{assignment.id}: {check.name}"


def points(score: float, max_score: float) -> str:
    return f"{score:g}/{max_score:g}"


def status_word(status: Status, language: str) -> str:
    return tr(msg(f"report.status_{status}"), language)


def rows(assignment: AssignmentResult) -> list[Row]:
    """The assignment's checks as the human formats list them: each group once, where its first check is."""
    group_of = {name: group for group in assignment.groups for name in group.checks}
    shown: list[Row] = []
    for check in assignment.checks:
        group = group_of.get(check.name)
        if group is None:
            shown.append(check)
        elif group.checks[0] == check.name:
            shown.append(group)
    return shown


def row_name(row: Row, language: str) -> str:
    """A check's name, or for a group how many checks it stands for ("13 checks")."""
    return row.name if isinstance(row, CheckResult) else tr(msg("report.group_checks", count=len(row.checks)), language)


def check_details(check: Row, language: str, with_traceback: bool = True) -> str:
    """What is wrong and what to do about it: message, hint, and for errors the student's traceback."""
    lines = [check.message] if check.message else []
    if check.hint:
        lines.append(tr(msg("report.hint", hint=check.hint), language))
    details = "\n".join(lines)
    # A traceback only helps when the student's code raised; for a wrong answer it is noise.
    if with_traceback and isinstance(check, CheckResult) and check.status == "error" and check.traceback.strip():
        details = f"{details}\n\n{check.traceback.rstrip()}" if details else check.traceback.rstrip()
    return details


def late_note(assignment: AssignmentResult, language: str) -> str:
    """The late penalty in words, or "" when lateness cost nothing."""
    if not assignment.penalty_percent:
        return ""
    late = msg(
        "report.late",
        days=assignment.days_late,
        percent=f"{assignment.penalty_percent:g}",
        raw=points(assignment.raw_score, assignment.max_score),
        final=points(assignment.score, assignment.max_score),
    )
    return tr(late, language)


def assignment_lines(assignment: AssignmentResult, language: str) -> list[str]:
    """One assignment in a few lines: its points, then why it could not be graded and its late penalty."""
    lines = [f"{assignment.id} ({assignment.title}): {points(assignment.score, assignment.max_score)}"]
    if assignment.error:
        lines.append(assignment.error)
    note = late_note(assignment, language)
    if note:
        lines.append(note)
    return lines


def summary_lines(report: GradeReport) -> list[str]:
    """The whole run in a few lines: total, checks passed, each assignment, and whether hidden checks ran."""
    language = report.language
    total = msg("report.summary_total", points=points(report.score, report.max_score), percent=f"{report.percent:.1f}")
    checks = msg(
        "report.summary_checks",
        passed=report.checks_by_status.get("passed", 0),
        total=sum(report.checks_by_status.values()),
    )
    lines = [tr(total, language), tr(checks, language)]
    for assignment in report.assignments:
        lines += assignment_lines(assignment, language)
    if not report.hidden_ran:
        lines.append(tr(msg("report.hidden_later"), language))
    return lines
