"""The class report, ``OUT/report.html``: one page that works offline and shows what the class did.

A histogram of scores (inline SVG), pass rates per assignment and per check (CSS bars), the most
common failure messages, and a table of students that sorts when a header is clicked (a few lines of
inline JS that only reorder rows rendered here). Every string that came from a student or a course
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
from grader.batch.stats import HISTOGRAM_BINS, CheckStat, ClassStats, StudentRow, points
from grader.safetext import safe_text

REPORT_FILE = "report.html"
_WIDTH, _HEIGHT, _TOP, _BOTTOM, _LEFT = 720, 260, 24, 40, 36


def esc(value: object) -> str:
    """Text safe inside an element or a quoted attribute."""
    return html.escape(safe_text(str(value)), quote=True)


def write_report(out_dir: Path, stats: ClassStats, title: str) -> Path:
    path = out_dir / REPORT_FILE
    write_atomic(path, render_report(stats, title))
    return path


def render_report(stats: ClassStats, title: str) -> str:
    template = Template(resources.files("grader").joinpath("templates/batch_report.html").read_text(encoding="utf-8"))
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return template.substitute(
        title=esc(title),
        meta=esc(f"{len(stats.rows)} students, generated {generated}"),
        cards=_cards(stats),
        histogram=_histogram(stats.histogram),
        assignments=_assignments(stats),
        checks=_checks(stats),
        failures=_failures(stats),
        students=_students(stats),
        footer=esc("grader batch: per-student results are in results/<student>.json; grades.csv and checks.csv hold these numbers."),
    )


def _cards(stats: ClassStats) -> str:
    mean, median = stats.mean_percent, stats.median_percent
    cards = [("students", len(stats.rows)), ("graded", len(stats.graded)), ("not graded", stats.errors),
             ("mean", "–" if mean is None else f"{mean:.1f}%"), ("median", "–" if median is None else f"{median:.1f}%")]
    return "".join(f'<div class="card"><div class="number">{esc(v)}</div><div class="label">{esc(k)}</div></div>' for k, v in cards)


def _histogram(bins: list[int]) -> str:
    """An SVG bar chart: one bar per tenth of the percentage scale, its count on top."""
    top = max(bins, default=0) or 1
    slot = (_WIDTH - _LEFT) / HISTOGRAM_BINS
    usable = _HEIGHT - _TOP - _BOTTOM
    parts = [f'<svg class="histogram" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" aria-label="Histogram of scores in percent">',
             f'<line x1="{_LEFT}" y1="{_HEIGHT - _BOTTOM}" x2="{_WIDTH}" y2="{_HEIGHT - _BOTTOM}" stroke="#d0d7de"/>']
    for index, count in enumerate(bins):
        height = usable * count / top
        x, y = _LEFT + index * slot + 4, _HEIGHT - _BOTTOM - height
        low, high = index * 100 // HISTOGRAM_BINS, (index + 1) * 100 // HISTOGRAM_BINS
        label = f"{low}–{high}%"
        parts.append(f'<rect class="bin" data-bin="{low}" data-count="{count}" x="{x:.1f}" y="{y:.1f}" width="{slot - 8:.1f}" '
                     f'height="{height:.1f}"><title>{count} students scored {label}</title></rect>')
        parts.append(f'<text class="count" x="{x + (slot - 8) / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + (slot - 8) / 2:.1f}" y="{_HEIGHT - _BOTTOM + 16}" text-anchor="middle">{label}</text>')
    parts.append(f'<text x="{_WIDTH / 2}" y="{_HEIGHT - 4}" text-anchor="middle">score (percent of the maximum)</text></svg>')
    return "".join(parts)


def _bar(percent: float) -> str:
    level = "low" if percent < 50 else "mid" if percent < 80 else "good"
    return f'<span class="bar"><span class="fill {level}" style="width: {max(0.0, min(100.0, percent)):.1f}%"></span></span>'


def _assignments(stats: ClassStats) -> str:
    if not stats.assignments:
        return '<p class="empty">No student was graded.</p>'
    rows = "".join(
        f'<tr data-assignment="{esc(a.id)}"><td>{esc(a.title)} <span class="hidden-check">({esc(a.id)})</span></td>'
        f'<td class="num">{points(a.max_score)}</td><td>{_bar(a.mean_percent)}</td><td class="num">{a.mean_percent:.1f}%</td>'
        f'<td class="num">{a.full_marks}</td></tr>'
        for a in stats.assignments
    )
    return ('<table><thead><tr><th>Assignment</th><th class="num">Points</th><th>Mean score</th><th class="num">Mean</th>'
            f'<th class="num">Full marks</th></tr></thead><tbody>{rows}</tbody></table>')


def _checks(stats: ClassStats) -> str:
    if not stats.checks:
        return '<p class="empty">No check ran.</p>'
    rows = "".join(_check_row(check) for check in stats.checks)
    return ('<table><thead><tr><th>Assignment</th><th>Check</th><th class="num">Points</th><th>Pass rate</th>'
            f'<th class="num">Passed</th><th class="num">Students</th></tr></thead><tbody>{rows}</tbody></table>')


def _check_row(check: CheckStat) -> str:
    hidden = ' <span class="hidden-check">(hidden)</span>' if check.visibility == "hidden" else ""
    return (f'<tr data-check="{esc(check.assignment)}/{esc(check.name)}"><td>{esc(check.assignment)}</td>'
            f'<td>{esc(check.name)}{hidden}</td><td class="num">{points(check.points)}</td><td>{_bar(check.pass_rate)}</td>'
            f'<td class="num">{check.pass_rate:.1f}%</td><td class="num">{check.counts["passed"]}/{check.runs}</td></tr>')


def _failures(stats: ClassStats) -> str:
    if not stats.failures:
        return '<p class="empty">No check failed.</p>'
    rows = "".join(
        f'<tr><td class="num">{f.count}</td><td>{esc(f.assignment)}</td><td>{esc(f.check)}</td>'
        f'<td class="message">{esc(f.message)}</td></tr>'
        for f in stats.failures
    )
    return ('<p class="meta">Messages that differ only in numbers are counted together; one example is shown. '
            'Checks not run are left out: their message names the failure that stopped them, counted in its own row.</p>'
            '<table><thead><tr><th class="num">Students</th><th>Assignment</th><th>Check</th><th>Message (example)</th></tr>'
            f'</thead><tbody>{rows}</tbody></table>')


def _students(stats: ClassStats) -> str:
    if not stats.rows:
        return '<p class="empty">No submissions.</p>'
    header = ['<th data-key="student" data-type="text">Student</th>']
    header += [f'<th class="num" data-key="a-{esc(a.id)}" data-type="num" title="{esc(a.title)}">{esc(a.id)}</th>' for a in stats.assignments]
    header += ['<th class="num" data-key="total" data-type="num">Total</th>',
               '<th class="num" data-key="percent" data-type="num">%</th>', '<th data-key="note" data-type="text">Note</th>']
    body = "".join(_student_row(row, stats) for row in stats.rows)
    return f'<table id="student-table"><thead><tr>{"".join(header)}</tr></thead><tbody>{body}</tbody></table>'


def _student_row(row: StudentRow, stats: ClassStats) -> str:
    cells = [f'<td data-value="{esc(row.student)}">{esc(row.student)}</td>']
    cells += [_number_cell(row.scores.get(a.id)) for a in stats.assignments]
    cells += [_number_cell(row.total), _number_cell(row.percent, percent=True)]
    note_class = "message error" if row.error else "message"
    cells.append(f'<td class="{note_class}" data-value="{esc(row.error)}">{esc(row.error)}</td>')
    return f'<tr data-student="{esc(row.student)}">{"".join(cells)}</tr>'


def _number_cell(value: float | None, percent: bool = False) -> str:
    if value is None:
        return '<td class="num" data-value="">–</td>'
    shown = f"{value:.1f}" if percent else points(value)
    return f'<td class="num" data-value="{value!r}">{shown}</td>'
