"""The words shared by the CI formats, and the report catalogue they come from."""

from __future__ import annotations

import dataclasses
import string

import yaml

from grader.frontends.report.wording import check_details, late_note, summary_lines
from grader.i18n.text import CATALOG_DIR
from tests.reporting.reports import TRACEBACK, check, mixed_report


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_report_catalogues_have_the_same_keys_and_placeholders_in_every_language() -> None:
    english = yaml.safe_load((CATALOG_DIR / "en/report.yaml").read_text(encoding="utf-8"))
    korean = yaml.safe_load((CATALOG_DIR / "ko/report.yaml").read_text(encoding="utf-8"))
    assert english.keys() == korean.keys()
    assert {k: placeholders(v) for k, v in english.items()} == {k: placeholders(v) for k, v in korean.items()}
    assert {"hint", "summary_title", "summary_total", "summary_checks"} <= english.keys()


def test_details_are_message_then_hint_then_traceback_for_errors_only() -> None:
    error = check("c", "error", 1, message="M", hint="H", traceback=TRACEBACK)
    assert check_details(error, "en") == f"M\nHint: H\n\n{TRACEBACK.rstrip()}"
    assert check_details(error, "en", with_traceback=False) == "M\nHint: H"
    assert check_details(dataclasses.replace(error, status="failed"), "en") == "M\nHint: H"
    assert check_details(check("c", "error", 1, traceback=TRACEBACK), "en") == TRACEBACK.rstrip()
    assert check_details(check("c", "passed", 1), "ko") == ""


def test_late_note_only_when_lateness_cost_points() -> None:
    conv, on_time = mixed_report().assignments
    assert late_note(conv, "en") == "Late by 2 day(s): 20% off, 2/9 becomes 1.6/9."
    assert late_note(on_time, "en") == ""


def test_summary_says_when_hidden_checks_did_not_run() -> None:
    report = mixed_report()
    assert not any("Hidden checks will run" in line for line in summary_lines(report))
    assert "Hidden checks will run" in summary_lines(dataclasses.replace(report, hidden_ran=False))[-1]
    passed = report.checks_by_status["passed"]
    assert summary_lines(report)[1] == f"{passed} of {sum(report.checks_by_status.values())} checks passed"
