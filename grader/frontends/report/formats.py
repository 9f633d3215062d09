"""The machine-readable report formats, by name: each renders a GradeReport to one string."""

from __future__ import annotations

from collections.abc import Callable

from grader.engine.results import GradeReport
from grader.frontends.report import github, gradescope, jsonreport, junit

FORMATS: dict[str, Callable[[GradeReport], str]] = {
    "json": jsonreport.render,
    "gradescope": gradescope.render,
    "junit": junit.render,
    "github": github.render,
}

STDOUT_FORMATS: frozenset[str] = frozenset({"github"})
"""Formats printed to stdout even with --output: GitHub Actions takes annotations from the step's output,
not from a file (and the terminal table, which quotes student text at line starts, could forge one)."""


def render_report(name: str, report: GradeReport) -> str:
    return FORMATS[name](report)
