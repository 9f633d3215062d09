"""Gradescope's results.json (the autograder specification's "Output format").

One test per check, named "assignment: check" and numbered "assignment.check" (1-based). Scores are
the report's: each test carries its check's points, so the tests add up to the raw score, and the
top-level ``score`` (which, per the specification, overrides the sum of the tests) is the report's
final score after late penalties; the top-level ``output`` says why the two differ.
"""

from __future__ import annotations

import html
import json
from typing import Any

from grader.engine.results import AssignmentResult, CheckResult, GradeReport
from grader.frontends.report.wording import check_details, qualified_name, summary_lines

PUBLIC_VISIBILITY = "visible"
"""Public checks are in the student's hands anyway: always show them."""


def render(report: GradeReport) -> str:
    return json.dumps(results(report), ensure_ascii=False, indent=2) + "\n"


def results(report: GradeReport) -> dict[str, Any]:
    """The results.json document as a dict."""
    return {
        "score": report.score,
        "execution_time": report.duration_s,
        # simple_format (Gradescope's default for this field) renders HTML and turns newlines into
        # line breaks: escaping keeps the line breaks and makes a student's "<script>" mere text.
        "output": html.escape("\n".join(summary_lines(report))),
        "output_format": "simple_format",
        # Names and outputs as plain text (placed in <pre>): nothing a student wrote is rendered.
        "test_name_format": "text",
        "test_output_format": "text",
        "stdout_visibility": report.autograder.stdout_visibility,
        # Which fences the student's code ran behind, kept with the submission for the instructor.
        "extra_data": {"sandbox": report.sandbox.to_dict() if report.sandbox is not None else None},
        "tests": [
            _test(assignment, check, f"{a}.{c}", report)
            for a, assignment in enumerate(report.assignments, start=1)
            for c, check in enumerate(assignment.checks, start=1)
        ],
    }


def _test(assignment: AssignmentResult, check: CheckResult, number: str, report: GradeReport) -> dict[str, Any]:
    return {
        "name": qualified_name(assignment, check),
        "number": number,
        "score": check.score,
        "max_score": check.max_score,
        # Gradescope knows only passed and failed; error, timeout and not_run say what happened in the output.
        "status": "passed" if check.status == "passed" else "failed",
        "output": check_details(check, report.language),
        "tags": [assignment.id, check.visibility],
        "visibility": report.autograder.hidden_visibility if check.visibility == "hidden" else PUBLIC_VISIBILITY,
    }
