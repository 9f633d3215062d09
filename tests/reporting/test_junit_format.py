"""--format junit: JUnit XML read back with junitparser, the reader CI tools' conventions follow."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from junitparser import Error, Failure, JUnitXml

from grader.engine.results import GradeReport
from grader.frontends.report import junit
from tests.reporting.reports import all_checks, mixed_report

HOSTILE = 'NUL\x00 BEL\x07 \x1b[31mred\x1b[0m VT\x0b FFFE\ufffe lone\ud800 ]]> <tag> & "quoted" 한글 🙂'


def read(report: GradeReport) -> JUnitXml:
    return JUnitXml.fromstring(junit.render(report))


def count(checks: list, *statuses: str) -> int:
    return sum(1 for c in checks if c.status in statuses)


def test_one_suite_per_assignment_with_the_right_counts() -> None:
    report = mixed_report()
    document = read(report)
    suites = list(document)
    assert [s.name for s in suites] == [a.id for a in report.assignments]
    for suite, assignment in zip(suites, report.assignments):
        checks = list(assignment.checks)
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (
            len(checks),
            count(checks, "failed", "not_run"),
            count(checks, "error", "timeout"),
            0,
        )
        assert suite.time == pytest.approx(sum(c.duration_s for c in checks), abs=1e-3)
    all_ = [c for _, c in all_checks(report)]
    assert (document.tests, document.failures, document.errors) == (
        len(all_),
        count(all_, "failed", "not_run"),
        count(all_, "error", "timeout"),
    )
    assert count(all_, "not_run") > 0
    assert document.time == pytest.approx(report.duration_s)


def test_every_case_reads_back_with_its_name_time_and_result() -> None:
    report = mixed_report()
    cases = [(suite.name, case) for suite in read(report) for case in suite]
    assert len(cases) == len(all_checks(report))
    for (suite_name, case), (assignment, check) in zip(cases, all_checks(report)):
        assert (suite_name, case.classname, case.name) == (assignment.id, assignment.id, check.name)
        assert case.time == pytest.approx(check.duration_s, abs=1e-3)
        expected_kind = {"passed": None, "failed": Failure, "error": Error, "timeout": Error, "not_run": Failure}[
            check.status
        ]
        assert [type(r) for r in case.result] == ([] if expected_kind is None else [expected_kind])
        if expected_kind is not None:
            (problem,) = case.result
            assert problem.message == check.message and problem.type == check.status
            assert problem.text.startswith(check.message) and (f"Hint: {check.hint}" in problem.text) == bool(
                check.hint
            )


def test_only_errors_carry_the_traceback() -> None:
    cases = {
        case.name: case
        for suite in read(mixed_report(traceback="Traceback (most recent call last):\nX"))
        for case in suite
    }
    assert "Traceback (most recent call last)" in cases["handles_stride"].result[0].text
    assert "Traceback" not in cases["backward_matches_numeric_gradient"].result[0].text


def test_suite_properties_show_title_points_and_late_penalty() -> None:
    suite = next(iter(read(mixed_report())))
    properties = {p.name: p.value for p in suite.properties()}
    assert properties == {
        "title": "Convolution",
        "score": "1.6/9",
        "raw_score": "2/9",
        "days_late": "2",
        "penalty_percent": "20",
    }


def test_the_import_error_is_a_property_of_its_suite() -> None:
    suite = list(read(mixed_report()))[1]
    assert {p.name: p.value for p in suite.properties()}["error"].startswith("your module could not be imported")


def test_cases_point_at_the_students_file_and_line_when_known() -> None:
    root = ET.fromstring(junit.render(mixed_report()))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert cases["handles_stride"].get("file") == "conv.py" and cases["handles_stride"].get("line") == "12"
    assert cases["no_infinite_loop"].get("line") is None


def test_what_the_student_printed_goes_to_system_out() -> None:
    cases = {case.name: case for suite in read(mixed_report()) for case in suite}
    assert cases["handles_stride"].system_out == "debug: stride 2\n"
    assert cases["no_infinite_loop"].system_out is None


def test_control_characters_in_student_text_leave_the_xml_well_formed() -> None:
    text = junit.render(mixed_report(message=HOSTILE, output=HOSTILE, hint=HOSTILE))
    root = ET.fromstring(text.encode("utf-8"))  # a strict XML 1.0 parser: raises on any forbidden character
    failure = next(root.iter("failure"))
    message = failure.get("message")
    assert message.startswith(
        'NUL\\x00 BEL\\x07 \\x1b[31mred\\x1b[0m VT\\x0b FFFE\\ufffe lone\\ud800 ]]> <tag> & "quoted" 한글 🙂'
    )
    assert "\x1b" not in text  # colour codes are shown, as every escape sequence is (grader/safetext.py)
    read(mixed_report(output=HOSTILE))  # and junitparser reads it
