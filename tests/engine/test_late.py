"""Due dates and late policies: raw score, penalty and final score."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.course import load_course
from grader.course.model import LatePolicy
from grader.engine.scoring import apply_penalty, lateness
from grader.errors import CourseError
from tests.commandline import run_grader

KST = timezone(timedelta(hours=9))
DUE = datetime(2026, 12, 1, 23, 59, tzinfo=KST)


@pytest.mark.parametrize(
    ("submitted", "policy", "days", "percent"),
    [
        (DUE - timedelta(hours=1), LatePolicy(percent_per_day=10), 0, 0.0),
        (DUE, LatePolicy(percent_per_day=10), 0, 0.0),
        (DUE + timedelta(minutes=1), LatePolicy(percent_per_day=10), 1, 10.0),
        (DUE + timedelta(days=2, seconds=1), LatePolicy(percent_per_day=10), 3, 30.0),
        (DUE + timedelta(days=30), LatePolicy(percent_per_day=10), 30, 100.0),
        (DUE + timedelta(days=3), LatePolicy(), 3, 0.0),
        (DUE + timedelta(hours=1), LatePolicy(zero_after=DUE + timedelta(days=1)), 1, 0.0),
        (DUE + timedelta(days=2), LatePolicy(zero_after=DUE + timedelta(days=1)), 2, 100.0),
        (DUE + timedelta(hours=1), LatePolicy(percent_per_day=20, zero_after=DUE + timedelta(days=1)), 1, 20.0),
    ],
    ids=[
        "early",
        "on-the-dot",
        "one-minute-late",
        "two-days-and-a-second",
        "capped",
        "no-policy",
        "before-cutoff",
        "after-cutoff",
        "percent-then-cutoff",
    ],
)
def test_lateness(submitted: datetime, policy: LatePolicy, days: int, percent: float) -> None:
    late = lateness(policy, DUE, submitted)
    assert (late.days_late, late.penalty_percent) == (days, percent)


def test_another_time_zone_is_the_same_instant() -> None:
    utc_one_minute_late = (DUE + timedelta(minutes=1)).astimezone(timezone.utc)
    assert lateness(LatePolicy(percent_per_day=10), DUE, utc_one_minute_late).days_late == 1


def test_unknown_submission_time_costs_nothing() -> None:
    assert lateness(LatePolicy(percent_per_day=10), DUE, None).penalty_percent == 0


def test_penalty_scales_the_raw_score() -> None:
    assert apply_penalty(20.0, lateness(LatePolicy(percent_per_day=10), DUE, DUE + timedelta(days=2))) == pytest.approx(
        16.0
    )


def _course_with_due(mini_course: Path, extra: str) -> Path:
    text = (
        (mini_course / "course.yaml")
        .read_text()
        .replace("    limits: {timeout: 2}\n", "    limits: {timeout: 2}\n" + extra)
    )
    (mini_course / "course.yaml").write_text(text)
    return mini_course


def test_course_yaml_due_dates_load(mini_course: Path) -> None:
    course = load_course(
        _course_with_due(
            mini_course,
            "    due: 2026-12-01T23:59:00+09:00\n    late_policy: {percent_per_day: 10, zero_after: "
            "'2026-12-08T23:59:00+09:00'}\n",
        )
    )
    assignment = course.assignments[0]
    assert assignment.due == DUE
    assert assignment.late_policy == LatePolicy(10.0, datetime(2026, 12, 8, 23, 59, tzinfo=KST))


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ("    due: 2026-12-01\n", "UTC offset"),
        ("    due: '2026-12-01 23:59'\n", "UTC offset"),
        ("    late_policy: {percent_per_day: 150}\n", "between 0 and 100"),
        ("    late_policy: {per_day: 5}\n", "unknown key 'per_day'"),
    ],
)
def test_bad_due_dates_are_course_errors(mini_course: Path, extra: str, fragment: str) -> None:
    with pytest.raises(CourseError, match=fragment):
        load_course(_course_with_due(mini_course, extra))


def test_the_report_shows_raw_score_penalty_and_final_score(mini_course: Path, tmp_path: Path) -> None:
    _course_with_due(mini_course, "    due: 2026-12-01T23:59:00+09:00\n    late_policy: {percent_per_day: 10}\n")
    metadata = tmp_path / "submission_metadata.json"
    metadata.write_text(json.dumps({"created_at": "2026-12-03T10:00:00.123456+09:00", "id": 1}))
    base = ["grade", "--course", str(mini_course), "--submission", str(mini_course / "solutions")]
    completed = run_grader(*base, "--format", "json", "--submission-metadata", str(metadata))
    assignment = json.loads(completed.stdout)["assignments"][0]
    assert (assignment["raw_score"], assignment["days_late"], assignment["penalty_percent"], assignment["score"]) == (
        6.0,
        2,
        20.0,
        pytest.approx(4.8),
    )
    text = run_grader(*base, "--submitted-at", "2026-12-02T00:30:00+09:00")
    assert "Late by 1 day(s): 10% off, 6/6 becomes 5.4/6." in text.stdout
    bad = run_grader(*base, "--submitted-at", "yesterday")
    assert bad.returncode == 2 and "--submitted-at" in bad.stderr
