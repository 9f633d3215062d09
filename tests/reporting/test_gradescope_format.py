"""--format gradescope: results.json as Gradescope's autograder specification describes it."""

from __future__ import annotations

import dataclasses
import html
import json

import jsonschema
import pytest

from grader.course.model import AutograderSettings
from grader.frontends.report import gradescope
from grader.frontends.report.wording import late_note
from tests.reporting.reports import GRADESCOPE_SCHEMA, IMPORT_ERROR, TRACEBACK, all_checks, mixed_report

VALIDATOR = jsonschema.Draft202012Validator(GRADESCOPE_SCHEMA)


def results(**options: object) -> dict:
    return json.loads(gradescope.render(mixed_report(**options)))


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(GRADESCOPE_SCHEMA)


def test_a_mixed_report_validates_against_the_specification_schema() -> None:
    VALIDATOR.validate(results())


@pytest.mark.parametrize(
    "breakage",
    [
        {"tests": [{"name": "no score anywhere", "status": "passed"}]},
        {"score": 1, "tests": [{"score": 0, "status": "error"}]},
        {"score": 1, "tests": [{"score": 0, "visibility": "after_submission"}]},
        {"score": 1, "stdout_visiblity": "visible"},
        {"score": 1, "output_format": "markdown"},
    ],
    ids=["score-nowhere", "unknown-status", "unknown-visibility", "misspelt-key", "unknown-format"],
)
def test_the_schema_rejects_what_the_specification_does_not_allow(breakage: dict) -> None:
    assert not VALIDATOR.is_valid(breakage)


def test_top_level_score_is_the_report_score_after_the_late_penalty() -> None:
    report = mixed_report()
    document = json.loads(gradescope.render(report))
    assert document["score"] == report.score
    # The tests add up to the raw score; the specification says the top-level score overrides them.
    assert sum(t["score"] for t in document["tests"]) == sum(a.raw_score for a in report.assignments) > report.score
    assert document["execution_time"] == report.duration_s


def test_the_late_penalty_and_the_import_error_are_in_the_top_level_output() -> None:
    report = mixed_report()
    output = html.unescape(json.loads(gradescope.render(report))["output"])
    conv = report.assignments[0]
    assert late_note(conv, "en") in output and "Late by 2 day(s): 20% off, 2/9 becomes 1.6/9." in output
    assert IMPORT_ERROR in output
    assert output.startswith(f"Total: {report.score:g}/{report.max_score:g} ({report.percent:.1f}%)")


def test_each_check_is_a_test_named_by_assignment_and_check_and_numbered_in_order() -> None:
    report = mixed_report()
    tests = results()["tests"]
    assert [t["name"] for t in tests] == [f"{a.id}: {c.name}" for a, c in all_checks(report)]
    assert [t["number"] for t in tests] == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2"]
    assert [(t["score"], t["max_score"]) for t in tests] == [(c.score, c.max_score) for _, c in all_checks(report)]
    assert [t["tags"] for t in tests] == [[a.id, c.visibility] for a, c in all_checks(report)]
    assert tests[0]["name"] == "conv: forward_matches_reference"


def test_error_timeout_and_not_run_are_failed_tests() -> None:
    statuses = {t["name"]: t["status"] for t in results()["tests"]}
    assert statuses["conv: forward_matches_reference"] == "passed"
    assert statuses["conv: backward_matches_numeric_gradient"] == "failed"
    assert statuses["conv: handles_stride"] == "failed"
    assert statuses["conv: no_infinite_loop"] == "failed"
    assert statuses["conv: backward_of_own_forward"] == "failed"


def test_output_holds_message_hint_and_for_errors_the_traceback() -> None:
    outputs = {t["name"]: t["output"] for t in results(traceback=TRACEBACK)["tests"]}
    assert outputs["conv: forward_matches_reference"] == ""
    assert (
        outputs["conv: backward_matches_numeric_gradient"]
        == "expected shape (3, 4), got (4, 3)\nHint: Did you transpose dW?"
    )
    assert outputs["conv: handles_stride"].startswith("your code raised ValueError: boom\nHint: The traceback below")
    assert outputs["conv: handles_stride"].endswith(TRACEBACK.rstrip())
    # Every non-passed check here carries a traceback; only the error shows it.
    assert "Traceback" not in outputs["conv: backward_matches_numeric_gradient"] + outputs["conv: no_infinite_loop"]
    assert outputs["conv: no_infinite_loop"].startswith("your code did not finish within 2 s")


def test_what_the_student_printed_is_not_shown() -> None:
    assert not any("debug: stride 2" in t["output"] for t in results()["tests"])


def test_hidden_checks_follow_the_course_visibility_and_public_ones_are_visible() -> None:
    settings = AutograderSettings(hidden_visibility="after_due_date", stdout_visibility="visible")
    document = results(autograder=settings)
    visibility = {tuple(t["tags"]): t["visibility"] for t in document["tests"]}
    assert visibility == {
        ("conv", "public"): "visible",
        ("conv", "hidden"): "after_due_date",
        ("rnn_backward", "public"): "visible",
        ("rnn_backward", "hidden"): "after_due_date",
    }
    assert document["stdout_visibility"] == "visible"


def test_defaults_hide_hidden_checks_until_published_and_stdout_from_students() -> None:
    document = results()
    assert {t["visibility"] for t in document["tests"] if "hidden" in t["tags"]} == {"after_published"}
    assert document["stdout_visibility"] == "hidden"


def test_an_unimportable_assignment_fails_every_test_with_the_import_error() -> None:
    tests = [t for t in results()["tests"] if t["tags"][0] == "rnn_backward"]
    assert len(tests) == 2
    assert all(t["status"] == "failed" and t["score"] == 0 and t["output"].startswith(IMPORT_ERROR) for t in tests)


def test_student_html_in_the_top_level_output_is_text() -> None:
    report = mixed_report()
    hostile = dataclasses.replace(report.assignments[1], error="<script>alert(1)</script>")
    document = json.loads(gradescope.render(dataclasses.replace(report, assignments=(hostile,))))
    assert "<script>" not in document["output"] and "&lt;script&gt;" in document["output"]
    assert document["output_format"] == "simple_format" and document["test_output_format"] == "text"


def test_korean_words() -> None:
    document = results(language="ko")
    assert document["output"].startswith("합계: ")
    assert (
        "힌트: Did you transpose dW?"
        in {t["name"]: t["output"] for t in document["tests"]}["conv: backward_matches_numeric_gradient"]
    )


def test_a_lone_surrogate_from_student_text_still_gives_a_writable_document() -> None:
    text = gradescope.render(mixed_report(message="bad \ud800 text"))
    text.encode("utf-8")  # would raise on a lone surrogate
    assert any(t["output"].startswith("bad \\ud800 text") for t in json.loads(text)["tests"])
