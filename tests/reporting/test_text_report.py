"""The terminal report: what each check verifies on every row, names never broken inside a word at 80
columns, and -v adding each check's time."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from grader.engine.scoring import grade_report
from grader.frontends.report.text import print_report
from tests.reporting.reports import assignment, check

LONG_NAME = "backward_gradient_numeric_gradient_edge_cases"  # the bundled course's longest check name (45 characters)
DESCRIPTIONS = {
    "update_state_formula": "update_state on a small example: sk * wRec + xk * wx.",
    LONG_NAME: "backward_gradient equals the numeric gradient where the sequence has one step, or wRec is zero.",
    "rnn_forward_recurrence": "rnn_forward: shape (N, T, H), and every step is tanh(x_t W_x + h_{t-1} W_rec + b).",
}
MESSAGE = "result is wrong at [1]: got -2, expected 6 (2 of 2 values off; max abs error 8, max rel error 1.5)"


def _render(width: int, verbose: bool = False) -> str:
    checks = [
        check("update_state_formula", "passed", 1, description=DESCRIPTIONS["update_state_formula"], duration_s=0.012),
        check(
            LONG_NAME,
            "failed",
            2,
            "hidden",
            description=DESCRIPTIONS[LONG_NAME],
            message=MESSAGE,
            hint="Look at the first step.",
            duration_s=1.5,
        ),
        check(
            "rnn_forward_recurrence", "passed", 1, description=DESCRIPTIONS["rnn_forward_recurrence"], duration_s=0.25
        ),
    ]
    report = grade_report([assignment("rnn_backward", checks, title="RNN backward")], True, "en", 1.0)
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    print_report(report, console, verbose=verbose)
    return console.export_text()


def _cells(text: str) -> str:
    """Each column of the table read top to bottom (a wrapped sentence reads as one), columns one after another."""
    rows = [line.strip("│").split("│") for line in text.splitlines() if line.startswith("│")]
    columns = [" ".join(row[index].strip() for row in rows if row[index].strip()) for index in range(len(rows[0]))]
    return " | ".join(columns)


@pytest.mark.parametrize("width", [80, 100, 120, 160])
def test_every_row_shows_what_the_check_verifies_and_no_name_is_broken(width: int) -> None:
    text = _render(width)
    assert max(len(line) for line in text.splitlines()) <= width
    for name, description in DESCRIPTIONS.items():
        assert re.search(rf"(^|\W){name}(\W|$)", text, re.MULTILINE), f"{name} broken at {width} columns:\n{text}"
        assert description in _cells(text), f"{description!r} missing at {width} columns:\n{text}"
    assert MESSAGE in _cells(text) and "→ Look at the first step." in _cells(text)
    assert "hidden" in text


def test_at_80_columns_the_details_go_under_the_name_and_wide_terminals_get_a_details_column() -> None:
    narrow, wide = _render(80), _render(160)
    assert "Details" not in narrow and "Details" in wide
    assert narrow.index(LONG_NAME) < narrow.index("backward_gradient equals")  # under the name
    (long_row,) = [line for line in wide.splitlines() if LONG_NAME in line]
    assert "backward_gradient equals" in long_row  # on the name's own line, in the details column


@pytest.mark.parametrize("width", [80, 160])
def test_verbose_adds_each_checks_time(width: int) -> None:
    plain, verbose = _render(width), _render(width, verbose=True)
    assert "Time" not in plain and "0.01 s" not in plain
    assert "Time" in verbose and all(f"{seconds} s" in verbose for seconds in ("0.01", "1.50", "0.25"))
