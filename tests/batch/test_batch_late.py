"""Late penalties in a batch (each student's time from ``--submitted-at times.csv``) and ``--public-only``."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.engine.grader import GradeOptions
from grader.errors import UsageError
from grader.frontends.batch.discover import Shard
from grader.frontends.batch.options import BatchOptions
from grader.frontends.batch.outputs import merge, read_manifest
from grader.frontends.batch.records import StudentRecord, read_record, result_path, write_record
from grader.frontends.batch.runner import run_batch
from grader.frontends.batch.times import read_submission_times, times_digest
from tests.batch.helpers import REFERENCE, results, write_class
from tests.commandline import run_grader

KST = timezone(timedelta(hours=9))
DUE = "2026-12-01T23:59:00+09:00"
ON_TIME, TWO_DAYS_LATE = "2026-12-01T20:00:00+09:00", "2026-12-03T10:00:00+09:00"
FULL_MARKS = 6.0  # the mini course: 2 public points and 4 hidden ones


def with_late_policy(course: Path) -> Path:
    """The mini course with a due date and 10% off per started day late."""
    yaml = (course / "course.yaml").read_text()
    extra = f"    due: {DUE}\n    late_policy: {{percent_per_day: 10}}\n"
    (course / "course.yaml").write_text(
        yaml.replace("    limits: {timeout: 2}\n", "    limits: {timeout: 2}\n" + extra)
    )
    return course


def write_times(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def assignment_of(document: dict) -> dict:
    (assignment,) = document["assignments"]
    return assignment


def grades_by_student(out: Path) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8-sig"), newline="")))
    return {row[0]: row for row in rows[1:]}


def test_each_student_is_penalised_by_their_own_time_and_a_student_without_one_is_on_time(
    mini_course: Path, tmp_path: Path
) -> None:
    with_late_policy(mini_course)
    # One file handed in three times: bob's check results are reused from alice's, his penalty is still his own.
    subs = write_class(tmp_path / "subs", {"alice": REFERENCE, "bob": REFERENCE, "carol": REFERENCE})
    # What an LMS exports: a byte-order mark, headers in its own case and spacing, columns the grader ignores.
    times = write_times(
        tmp_path / "times.csv",
        f"\ufeffName, Student ,Submitted_At\r\nAlice A,alice,{ON_TIME}\r\nBob B,bob,{TWO_DAYS_LATE}\r\n\r\n",
    )
    out = tmp_path / "out"
    summary = run_batch(
        BatchOptions(submissions_dir=subs, course_dir=mini_course, out_dir=out, jobs=1, submitted_at=times)
    )
    assert (summary.graded, summary.failed, summary.untimed) == (3, 0, 1)
    stored = results(out)
    alice, bob, carol = (assignment_of(stored[student]) for student in ("alice", "bob", "carol"))
    assert (alice["days_late"], alice["penalty_percent"], alice["score"]) == (0, 0.0, FULL_MARKS)
    assert (bob["raw_score"], bob["days_late"], bob["penalty_percent"]) == (FULL_MARKS, 2, 20.0)
    assert bob["score"] == pytest.approx(4.8) and stored["bob"]["percent"] == 80.0
    assert (carol["days_late"], carol["score"]) == (0, FULL_MARKS), "no row: graded as on time"
    assert stored["bob"]["batch"]["submitted_at"] == TWO_DAYS_LATE and stored["carol"]["batch"]["submitted_at"] is None
    rows = grades_by_student(out)
    assert rows["bob"][1:5] == ["4.8", "4.8", "6", "80"] and rows["alice"][1:5] == ["6", "6", "6", "100"]


@pytest.mark.slow
def test_a_changed_time_regrades_only_that_student(mini_course: Path, tmp_path: Path) -> None:
    with_late_policy(mini_course)
    subs = write_class(tmp_path / "subs", {"alice": REFERENCE, "bob": REFERENCE})
    times = tmp_path / "times.csv"
    options = BatchOptions(
        submissions_dir=subs, course_dir=mini_course, out_dir=tmp_path / "out", jobs=1, submitted_at=times
    )
    write_times(times, f"student,submitted_at\nalice,{ON_TIME}\nbob,{ON_TIME}\n")
    assert run_batch(options).graded == 2
    alice_graded_at = results(options.out_dir)["alice"]["batch"]["graded_at"]
    write_times(times, f"student,submitted_at\nalice,{ON_TIME}\nbob,{TWO_DAYS_LATE}\n")
    again = run_batch(options)
    assert (again.graded, again.skipped) == (1, 1)
    stored = results(options.out_dir)
    assert stored["bob"]["percent"] == 80.0 and stored["alice"]["batch"]["graded_at"] == alice_graded_at
    same_instant_in_utc = datetime.fromisoformat(TWO_DAYS_LATE).astimezone(timezone.utc).isoformat()
    write_times(times, f"student,submitted_at\nalice,{ON_TIME}\nbob,{same_instant_in_utc}\n")
    assert run_batch(options).graded == 0, "the same moment written in another time zone changes nothing"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("name,submitted_at\nalice,2026-12-01T20:00:00+09:00\n", "times.csv:1: the header row has no column 'student'"),
        ("", "times.csv:1: the header row has no column 'student' (it reads: nothing)"),
        ("student,student,submitted_at\n", "times.csv:1: the header row has the column 'student' twice"),
        (
            "student,submitted_at\nalice,2026-12-01T20:00:00+09:00\nbob,yesterday\n",
            "times.csv:3: submitted_at: 'yesterday' is not a date",
        ),
        (
            "student,submitted_at\nalice,2026-12-01 20:00\n",
            "times.csv:2: submitted_at: '2026-12-01 20:00' is not a date and time with a UTC offset",
        ),
        (
            "student,submitted_at\nalice,2026-12-01T20:00:00+09:00\n\nalice,2026-12-02T20:00:00+09:00\n",
            "times.csv:4: student 'alice' is listed twice (first on line 2)",
        ),
        ("student,submitted_at\n,2026-12-01T20:00:00+09:00\n", "times.csv:2: no student id"),
        (b"student,submitted_at\nb\xe9atrice,2026-12-01T20:00:00+09:00\n", "cannot be read as a CSV file"),
    ],
    ids=[
        "no-student-column",
        "empty-file",
        "column-twice",
        "bad-time",
        "no-offset",
        "student-twice",
        "no-student",
        "not-utf8",
    ],
)
def test_a_bad_times_file_is_refused_with_its_file_line_and_fix(
    tmp_path: Path, text: str | bytes, fragment: str
) -> None:
    path = tmp_path / "times.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(UsageError) as refused:
        read_submission_times(path)
    assert fragment in str(refused.value) and refused.value.fix


def test_an_empty_time_is_no_time_and_times_keep_their_offset(tmp_path: Path) -> None:
    path = write_times(
        tmp_path / "times.csv", 'student,submitted_at,grade\nalice,,A\n"bob",2026-12-03T10:00:00+09:00\n'
    )
    assert read_submission_times(path) == {"bob": datetime(2026, 12, 3, 10, tzinfo=KST)}


def test_a_bad_times_file_stops_the_batch_before_anything_is_graded(mini_course: Path, tmp_path: Path) -> None:
    subs = write_class(tmp_path / "subs", {"alice": REFERENCE})
    times = write_times(tmp_path / "times.csv", "student,submitted_at\nalice,tomorrow\n")
    with pytest.raises(UsageError, match="times.csv:2"):
        run_batch(
            BatchOptions(submissions_dir=subs, course_dir=mini_course, out_dir=tmp_path / "out", submitted_at=times)
        )
    assert not (tmp_path / "out").exists()


def test_the_stored_time_decides_whether_a_result_is_current(tmp_path: Path) -> None:
    late = datetime.fromisoformat(TWO_DAYS_LATE)
    write_record(
        tmp_path,
        StudentRecord(
            student="bob",
            status="graded",
            submission_hash="s",
            course_hash="c",
            report={"percent": 80.0},
            submitted_at=late,
        ),
    )
    stored = read_record(result_path(tmp_path, "bob"))
    assert stored is not None and stored.submitted_at == late
    assert stored.is_current("s", "c", late.astimezone(timezone.utc))
    assert not stored.is_current("s", "c", None) and not stored.is_current("s", "c", late + timedelta(seconds=1))
    document = json.loads(result_path(tmp_path, "bob").read_text())
    del document["batch"]["submitted_at"]  # a result written before times were stored: it was graded as on time
    result_path(tmp_path, "bob").write_text(json.dumps(document))
    older = read_record(result_path(tmp_path, "bob"))
    assert older is not None and older.is_current("s", "c", None) and not older.is_current("s", "c", late)


@pytest.mark.slow
def test_public_only_runs_only_the_public_checks_and_switching_it_regrades(mini_course: Path, tmp_path: Path) -> None:
    subs = write_class(tmp_path / "subs", {"alice": REFERENCE})
    out = tmp_path / "out"
    public = BatchOptions(
        submissions_dir=subs, course_dir=mini_course, out_dir=out, jobs=1, grade=GradeOptions(public_only=True)
    )
    assert run_batch(public).graded == 1
    document = results(out)["alice"]
    assert document["hidden_checks_ran"] is False and document["max_score"] == 2.0
    assert {check["visibility"] for check in assignment_of(document)["checks"]} == {"public"}
    public_fingerprint = json.loads((out / "batch.json").read_text())["course_hash"]
    assert run_batch(public).graded == 0
    everything = run_batch(BatchOptions(submissions_dir=subs, course_dir=mini_course, out_dir=out, jobs=1))
    assert everything.graded == 1 and results(out)["alice"]["max_score"] == FULL_MARKS
    assert json.loads((out / "batch.json").read_text())["course_hash"] != public_fingerprint


@pytest.mark.slow
def test_the_command_warns_without_times_and_counts_students_missing_from_them(
    mini_course: Path, tmp_path: Path
) -> None:
    with_late_policy(mini_course)
    write_class(tmp_path / "subs", {"alice": REFERENCE, "bob": REFERENCE})
    batch = ("batch", "subs", "--course", str(mini_course), "--out", "out", "--jobs", "1")
    untimed = run_grader(*batch, cwd=tmp_path)
    assert untimed.returncode == 0, untimed.stderr
    assert untimed.stderr.count("warning:") == 1 and "graded as on time" in untimed.stderr, untimed.stderr
    write_times(tmp_path / "times.csv", f"student,submitted_at\nbob,{TWO_DAYS_LATE}\n")
    timed = run_grader(*batch, "--submitted-at", "times.csv", cwd=tmp_path)
    assert timed.returncode == 0 and "warning:" not in timed.stderr, timed.stderr
    assert "Graded 1 of 2 submissions" in timed.stdout and "1 unchanged" in timed.stdout, timed.stdout
    assert "1 student had no time in times.csv: graded as on time" in timed.stdout, timed.stdout
    assert grades_by_student(tmp_path / "out")["bob"][4] == "80"  # student, vectors, total, max_score, percent
    write_times(tmp_path / "times.csv", f"student,submitted_at\nbob,{TWO_DAYS_LATE}\nbob,{ON_TIME}\n")
    refused = run_grader(*batch, "--submitted-at", "times.csv", cwd=tmp_path)
    assert refused.returncode == 2 and "times.csv:3: student 'bob' is listed twice" in refused.stderr, refused.stderr
    assert "fix:" in refused.stderr and "Traceback" not in refused.stderr


def test_the_times_digest_ignores_how_the_file_writes_them(tmp_path: Path) -> None:
    same = read_submission_times(
        write_times(tmp_path / "a.csv", f"student,submitted_at\nalice,{ON_TIME}\nbob,{TWO_DAYS_LATE}\n")
    )
    # The same instants in UTC, in the other order, with another column.
    in_utc = read_submission_times(
        write_times(
            tmp_path / "b.csv",
            "submitted_at,note,student\n2026-12-03T01:00:00+00:00,x,bob\n2026-12-01T11:00:00Z,,alice\n",
        )
    )
    later = read_submission_times(
        write_times(tmp_path / "c.csv", f"student,submitted_at\nalice,{TWO_DAYS_LATE}\nbob,{TWO_DAYS_LATE}\n")
    )
    assert times_digest(same) == times_digest(in_utc) != times_digest(later)
    assert times_digest(None) == "" != times_digest({})


@pytest.mark.slow
def test_merging_shards_graded_with_different_times_warns(mini_course: Path, tmp_path: Path) -> None:
    with_late_policy(mini_course)
    subs = write_class(tmp_path / "subs", {f"s{i}": REFERENCE for i in range(4)})
    first = write_times(
        tmp_path / "first.csv", "student,submitted_at\n" + "".join(f"s{i},{ON_TIME}\n" for i in range(4))
    )
    second = write_times(
        tmp_path / "second.csv", "student,submitted_at\n" + "".join(f"s{i},{TWO_DAYS_LATE}\n" for i in range(4))
    )
    parts = [tmp_path / f"part{k}" for k in (1, 2)]

    def shards(times_of_second: Path) -> None:
        for k, (part, times) in enumerate(zip(parts, (first, times_of_second)), start=1):
            run_batch(
                BatchOptions(
                    submissions_dir=subs,
                    course_dir=mini_course,
                    out_dir=part,
                    jobs=1,
                    shard=Shard(k, 2),
                    submitted_at=times,
                )
            )

    shards(first)
    assert merge(parts, tmp_path / "same")[1] == []
    assert read_manifest(tmp_path / "same").submission_times == times_digest(read_submission_times(first))
    shards(second)
    (warning,) = merge(parts, tmp_path / "mixed")[1]
    assert "different submission times" in warning and str(parts[0]) in warning and str(parts[1]) in warning
    assert read_manifest(tmp_path / "mixed").submission_times == "mixed"
