"""The class report, ``OUT/report.html``: one page that works offline and shows what the class did.

A histogram of scores (inline SVG), pass rates per assignment and per check (CSS bars), the most
common failure messages with links to the rows of the students who got them, and a table of students
that sorts when a header is clicked (a few lines of inline JS that only reorder rows rendered here).
Every word is in the run's language, as its messages are. Every string that came from a student or a course
(ids, titles, messages) is made inert (:mod:`grader.safetext`: control characters and bidi overrides
shown as ``\x1b``, ``\u202e``) and HTML-escaped; the page loads nothing from the network.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from string import Template

from grader.atomic import write_atomic
from grader.frontends.batch.stats import HISTOGRAM_BINS, CheckStat, ClassStats, StudentRow, points
from grader.i18n import Words
from grader.safetext import safe_text

REPORT_FILE = "report.html"
_WIDTH, _HEIGHT, _TOP, _BOTTOM, _LEFT = 720, 260, 24, 40, 36
_SHOWN_NAMES = 8
"""Up to this many students are listed under a common failure as they are; more are folded away."""


def esc(value: object) -> str:
    """Text safe inside an element or a quoted attribute."""
    return html.escape(safe_text(str(value)), quote=True)


def write_report(out_dir: Path, stats: ClassStats, title: str, language: str = "en") -> Path:
    path = out_dir / REPORT_FILE
    write_atomic(path, render_report(stats, title, language))
    return path


def render_report(stats: ClassStats, title: str, language: str = "en") -> str:
    """The page, every word in ``language`` (the run's: the same as its messages and grades.csv)."""
    words = Words("batch", language)
    template = Template(resources.files("grader").joinpath("templates/batch_report.html").read_text(encoding="utf-8"))
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return template.substitute(
        lang=esc(language),
        title=esc(title),
        meta=esc(words("meta", students=len(stats.rows), generated=generated)),
        cards=_cards(stats, words),
        histogram=_histogram(stats.histogram, words),
        assignments=_assignments(stats, words),
        checks=_checks(stats, words),
        failures=_failures(stats, words),
        students=_students(stats, words),
        footer=esc(words("footer")),
        **{
            key: esc(words(key))
            for key in ("h_distribution", "h_assignments", "h_checks", "h_failures", "h_students", "sort_note")
        },
    )


def _cards(stats: ClassStats, words: Words) -> str:
    mean, median = stats.mean_percent, stats.median_percent
    cards = [
        ("card_students", len(stats.rows)),
        ("card_graded", len(stats.graded)),
        ("card_not_submitted", stats.not_submitted),
        ("card_errors", stats.errors),
        ("card_mean", "–" if mean is None else f"{mean:.1f}%"),
        ("card_median", "–" if median is None else f"{median:.1f}%"),
    ]
    return "".join(
        f'<div class="card" data-card="{key[5:]}"><div class="number">{esc(value)}</div><div '
        f'class="label">{esc(words(key))}</div></div>'
        for key, value in cards
    )


def _histogram(bins: list[int], words: Words) -> str:
    """An SVG bar chart: one bar per tenth of the percentage scale, its count on top."""
    top = max(bins, default=0) or 1
    slot = (_WIDTH - _LEFT) / HISTOGRAM_BINS
    usable = _HEIGHT - _TOP - _BOTTOM
    parts = [
        f'<svg class="histogram" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-label="{esc(words("histogram_aria"))}">',
        f'<line x1="{_LEFT}" y1="{_HEIGHT - _BOTTOM}" x2="{_WIDTH}" y2="{_HEIGHT - _BOTTOM}" stroke="#d0d7de"/>',
    ]
    for index, count in enumerate(bins):
        height = usable * count / top
        x, y = _LEFT + index * slot + 4, _HEIGHT - _BOTTOM - height
        low, high = index * 100 // HISTOGRAM_BINS, (index + 1) * 100 // HISTOGRAM_BINS
        label = f"{low}–{high}%"
        parts.append(
            f'<rect class="bin" data-bin="{low}" data-count="{count}" x="{x:.1f}" y="{y:.1f}" width="{slot - 8:.1f}" '
            f'height="{height:.1f}"><title>{esc(words("histogram_bin", count=count, range=label))}</title></rect>'
        )
        parts.append(
            f'<text class="count" x="{x + (slot - 8) / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle">{count}</text>'
        )
        parts.append(
            f'<text x="{x + (slot - 8) / 2:.1f}" y="{_HEIGHT - _BOTTOM + 16}" text-anchor="middle">{label}</text>'
        )
    parts.append(
        f'<text x="{_WIDTH / 2}" y="{_HEIGHT - 4}" text-anchor="middle">{esc(words("histogram_label"))}</text></svg>'
    )
    return "".join(parts)


def _bar(percent: float) -> str:
    level = "low" if percent < 50 else "mid" if percent < 80 else "good"
    width = max(0.0, min(100.0, percent))
    return f'<span class="bar"><span class="fill {level}" style="width: {width:.1f}%"></span></span>'


def _header(words: Words, *columns: str) -> str:
    """A table head; a column key ending in ``:num`` is right-aligned."""
    cells = []
    for column in columns:
        key, _, kind = column.partition(":")
        cells.append(f'<th class="num">{esc(words(key))}</th>' if kind == "num" else f"<th>{esc(words(key))}</th>")
    return f"<thead><tr>{''.join(cells)}</tr></thead>"


def _assignments(stats: ClassStats, words: Words) -> str:
    """Each assignment's title with its id (the column of grades.csv), points, who submitted it, and how they did."""
    if not stats.assignments:
        return f'<p class="empty">{esc(words("no_assignments"))}</p>'
    rows = "".join(
        f'<tr data-assignment="{esc(a.id)}"><td>{esc(a.title)} <span class="hidden-check">({esc(a.id)})</span></td>'
        f'<td class="num">{points(a.max_score)}</td><td class="num">{a.submitted}</td><td>{_bar(a.mean_percent)}</td>'
        f'<td class="num">{a.mean_percent:.1f}%</td><td class="num">{a.full_marks}</td></tr>'
        for a in stats.assignments
    )
    head = _header(
        words,
        "col_assignment",
        "col_points:num",
        "col_submitted:num",
        "col_mean_score",
        "col_mean:num",
        "col_full_marks:num",
    )
    return f"<table>{head}<tbody>{rows}</tbody></table>"


def _checks(stats: ClassStats, words: Words) -> str:
    if not stats.checks:
        return f'<p class="empty">{esc(words("no_checks"))}</p>'
    rows = "".join(_check_row(check, words) for check in stats.checks)
    head = _header(
        words, "col_assignment", "col_check", "col_points:num", "col_pass_rate", "col_passed:num", "col_students:num"
    )
    return f"<table>{head}<tbody>{rows}</tbody></table>"


def _check_row(check: CheckStat, words: Words) -> str:
    hidden = f' <span class="hidden-check">({esc(words("hidden"))})</span>' if check.visibility == "hidden" else ""
    return (
        f'<tr data-check="{esc(check.assignment)}/{esc(check.name)}"><td>{esc(check.assignment)}</td>'
        f'<td>{esc(check.name)}{hidden}</td><td class="num">{points(check.points)}</td><td>{_bar(check.pass_rate)}</td>'
        f'<td class="num">{check.pass_rate:.1f}%</td><td class="num">{check.counts["passed"]}/{check.runs}</td></tr>'
    )


def _failures(stats: ClassStats, words: Words) -> str:
    if not stats.failures:
        return f'<p class="empty">{esc(words("no_failures"))}</p>'
    anchors = _anchors(stats)
    rows = "".join(
        f'<tr><td class="num">{f.count}</td><td>{esc(f.assignment)}</td><td>{esc(f.check)}</td>'
        f'<td class="message">{esc(f.message)}</td><td class="who">{_who(f.students, anchors, words)}</td></tr>'
        for f in stats.failures
    )
    head = _header(words, "col_students:num", "col_assignment", "col_check", "col_message", "col_who")
    return f'<p class="meta">{esc(words("failures_note"))}</p><table>{head}<tbody>{rows}</tbody></table>'


def _who(students: tuple[str, ...], anchors: dict[str, str], words: Words) -> str:
    """Links to the rows of ``students`` in the table below; folded away when there are many."""
    links = " ".join(f'<a href="#{anchors[student]}">{esc(student)}</a>' for student in students if student in anchors)
    if len(students) <= _SHOWN_NAMES:
        return links
    return f"<details><summary>{esc(words('failure_students', count=len(students)))}</summary>{links}</details>"


def _anchors(stats: ClassStats) -> dict[str, str]:
    """Each student's row id: by position, since a student id may hold any character (it is shown escaped)."""
    return {row.student: f"student-{index}" for index, row in enumerate(stats.rows, start=1)}


def _students(stats: ClassStats, words: Words) -> str:
    if not stats.rows:
        return f'<p class="empty">{esc(words("no_students"))}</p>'
    header = [f'<th data-key="student" data-type="text">{esc(words("col_student"))}</th>']
    header += [
        f'<th class="num" data-key="a-{esc(a.id)}" data-type="num" title="{esc(a.title)}">{esc(a.id)}</th>'
        for a in stats.assignments
    ]
    header += [
        f'<th class="num" data-key="total" data-type="num">{esc(words("col_total"))}</th>',
        '<th class="num" data-key="percent" data-type="num">%</th>',
        f'<th data-key="note" data-type="text">{esc(words("col_note"))}</th>',
    ]
    anchors = _anchors(stats)
    body = "".join(_student_row(row, stats, anchors[row.student], words) for row in stats.rows)
    return f'<table id="student-table"><thead><tr>{"".join(header)}</tr></thead><tbody>{body}</tbody></table>'


def _student_row(row: StudentRow, stats: ClassStats, anchor: str, words: Words) -> str:
    cells = [f'<td data-value="{esc(row.student)}">{esc(row.student)}</td>']
    cells += [_score_cell(row, a.id, words) for a in stats.assignments]
    cells += [_number_cell(row.total), _number_cell(row.percent, percent=True)]
    note = words("not_submitted") if row.status == "not_submitted" else row.error
    note_class = "message error" if row.status == "error" or row.error else "message"
    cells.append(f'<td class="{note_class}" data-value="{esc(note)}">{esc(note)}</td>')
    return f'<tr id="{anchor}" data-student="{esc(row.student)}" data-status="{row.status}">{"".join(cells)}</tr>'


def _score_cell(row: StudentRow, assignment_id: str, words: Words) -> str:
    """The score; for an assignment the student did not submit, marked (and explained on hover)."""
    cell = _number_cell(row.scores.get(assignment_id))
    if assignment_id in row.scores and assignment_id not in row.submitted:
        return cell.replace(
            '<td class="num"', f'<td class="num unsubmitted" title="{esc(words("not_submitted_title"))}"', 1
        )
    return cell


def _number_cell(value: float | None, percent: bool = False) -> str:
    if value is None:
        return '<td class="num" data-value="">–</td>'
    shown = f"{value:.1f}" if percent else points(value)
    return f'<td class="num" data-value="{value!r}">{shown}</td>'
