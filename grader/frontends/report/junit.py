"""JUnit XML, the test-report format GitLab, Jenkins and GitHub test reporters read.

One ``testsuite`` per assignment (its properties carry the title, points and late penalty), one
``testcase`` per check: ``failure`` for a wrong answer, ``error`` for an error or timeout (its type
says which), with the message as attribute and message, hint and traceback as text. What the
student's code printed goes to the case's ``system-out``, which reporters show only when asked.

Nothing is ever ``skipped``: a check reported ``not_run`` (a dependency failed, a function it needs
hung before, the assignment's time budget ran out) is a ``failure`` of type ``not_run``. It lost its
points, and CI gates and reporters treat ``skipped`` as harmless.

XML 1.0 forbids most control characters, lone surrogates and U+FFFE/U+FFFF, and student output may
hold any of them. The result model never does: :mod:`grader.safetext` shows each as ``\\xNN`` or
``\\uNNNN`` when a result is made, so every document written here parses.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from grader.engine.results import AssignmentResult, CheckResult, GradeReport
from grader.frontends.report.wording import check_details, points

_FAILURES = ("failed", "not_run")
"""Statuses reported as ``failure`` (the rest of the lost ones, error and timeout, are ``error``)."""


def render(report: GradeReport) -> str:
    root = ET.Element(
        "testsuites",
        {
            "name": "grader",
            "tests": str(sum(len(a.checks) for a in report.assignments)),
            "failures": str(_count(report.assignments, _FAILURES)),
            "errors": str(_count(report.assignments, ("error", "timeout"))),
            "skipped": "0",
            "time": _seconds(report.duration_s),
        },
    )
    for assignment in report.assignments:
        root.append(_suite(assignment, report.language))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(assignment: AssignmentResult, language: str) -> ET.Element:
    suite = ET.Element(
        "testsuite",
        {
            "name": assignment.id,
            "tests": str(len(assignment.checks)),
            "failures": str(_count([assignment], _FAILURES)),
            "errors": str(_count([assignment], ("error", "timeout"))),
            "skipped": "0",
            "time": _seconds(sum(c.duration_s for c in assignment.checks)),
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in _properties(assignment):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    for check in assignment.checks:
        suite.append(_case(assignment, check, language))
    return suite


def _properties(assignment: AssignmentResult) -> list[tuple[str, str]]:
    pairs = [
        ("title", assignment.title),
        ("score", points(assignment.score, assignment.max_score)),
        ("raw_score", points(assignment.raw_score, assignment.max_score)),
        ("days_late", str(assignment.days_late)),
        ("penalty_percent", f"{assignment.penalty_percent:g}"),
    ]
    return pairs + ([("error", assignment.error)] if assignment.error else [])


def _case(assignment: AssignmentResult, check: CheckResult, language: str) -> ET.Element:
    attributes = {"classname": assignment.id, "name": check.name, "time": _seconds(check.duration_s)}
    # file and line are not in the Ant schema, but GitLab and the GitHub reporters use them to
    # point at the code; strict readers ignore unknown attributes.
    if assignment.file:
        attributes["file"] = assignment.file
    if check.line is not None:
        attributes["line"] = str(check.line)
    case = ET.Element("testcase", attributes)
    if check.status != "passed":
        tag = "failure" if check.status in _FAILURES else "error"
        problem = ET.SubElement(case, tag, {"message": check.message, "type": check.status})
        problem.text = check_details(check, language)
    if check.output:
        ET.SubElement(case, "system-out").text = check.output
    return case


def _count(assignments: Sequence[AssignmentResult], statuses: tuple[str, ...]) -> int:
    return sum(1 for a in assignments for c in a.checks if c.status in statuses)


def _seconds(value: float) -> str:
    return f"{value:.3f}"
