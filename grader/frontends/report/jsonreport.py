"""The JSON report: the stable format that tests, CI jobs and other tools read."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from grader.engine.results import AssignmentResult, CheckResult, GradeReport

FORMAT_VERSION = 1


def to_dict(report: GradeReport) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "score": report.score,
        "max_score": report.max_score,
        "percent": round(report.percent, 2),
        "hidden_checks_ran": report.hidden_ran,
        "language": report.language,
        "duration_s": report.duration_s,
        "sandbox": report.sandbox.to_dict() if report.sandbox is not None else None,
        "assignments": [_assignment(a) for a in report.assignments],
    }


def render(report: GradeReport) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2) + "\n"


def _assignment(result: AssignmentResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "title": result.title,
        "score": result.score,
        "max_score": result.max_score,
        "raw_score": result.raw_score,
        "days_late": result.days_late,
        "penalty_percent": result.penalty_percent,
        "error": result.error,
        "file": result.file,
        "notes": list(result.notes),
        "submitted": result.submitted,
        "checks": [_check(c) for c in result.checks],
        "groups": [dataclasses.asdict(group) for group in result.groups],
    }


def _check(result: CheckResult) -> dict[str, Any]:
    return dataclasses.asdict(result)
