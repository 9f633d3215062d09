"""The machine-readable report formats, by name: each renders a GradeReport to one string."""

from __future__ import annotations

from collections.abc import Callable

from grader.report import jsonreport
from grader.results import GradeReport

FORMATS: dict[str, Callable[[GradeReport], str]] = {
    "json": jsonreport.render,
}


def render_report(name: str, report: GradeReport) -> str:
    return FORMATS[name](report)
