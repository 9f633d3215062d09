"""One student's result file, ``OUT/results/<student>.json``: the ``grade`` JSON plus what resume needs.

A graded student's file is exactly the document ``grader grade --format json`` writes, with two more
keys: ``student`` and ``batch`` (status, error, the two hashes, the submission time the late
penalties were computed from, when and how long). A student who could not be graded (a rejected
zip, a crash of the grader itself) has ``status: "error"``, a null score and no assignments. Files
are written atomically, so a reader never sees half of one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from grader.atomic import write_atomic

RECORD_VERSION = 1
RESULTS_DIR = "results"
Status = Literal["graded", "error"]


@dataclass(frozen=True, kw_only=True)
class StudentRecord:
    """A student's outcome as stored."""

    student: str
    """The student id."""
    status: Status
    """graded, or error (could not be graded at all)."""
    submission_hash: str
    """Fingerprint of the files graded."""
    course_hash: str
    """Fingerprint of the course, grader and options that graded them."""
    report: dict[str, Any] | None
    """The ``grade`` JSON (None for an error)."""
    error: str | None = None
    """Why the student could not be graded."""
    graded_at: str = ""
    """When, as an ISO 8601 instant in UTC."""
    duration_s: float = 0.0
    """Seconds spent on this student."""
    submitted_at: datetime | None = None
    """The submission time late penalties were computed from; None: graded as on time."""

    @property
    def percent(self) -> float | None:
        return None if self.report is None else float(self.report["percent"])

    def is_current(self, submission_hash: str, course_hash: str, submitted_at: datetime | None) -> bool:
        """Whether this result can stand for a new run: graded, same files, same course, same submission time.

        Times compare as instants (the same moment written with another UTC offset costs the same
        penalty), so only a time that changes the grade's input re-grades.
        """
        same = (self.submission_hash, self.course_hash, self.submitted_at) == (
            submission_hash,
            course_hash,
            submitted_at,
        )
        return self.status == "graded" and same


def result_path(out_dir: Path, student: str) -> Path:
    return out_dir / RESULTS_DIR / f"{student}.json"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_record(out_dir: Path, record: StudentRecord) -> None:
    """Write the record atomically (temp file, fsync, rename): a crash leaves the old file or the new one."""
    document = dict(record.report or {"score": None, "max_score": None, "percent": None, "assignments": []})
    document["student"] = record.student
    document["batch"] = {
        "record_version": RECORD_VERSION,
        "status": record.status,
        "error": record.error,
        "submission_hash": record.submission_hash,
        "course_hash": record.course_hash,
        "submitted_at": record.submitted_at.isoformat() if record.submitted_at is not None else None,
        "graded_at": record.graded_at,
        "duration_s": record.duration_s,
    }
    write_atomic(result_path(out_dir, record.student), json.dumps(document, ensure_ascii=False) + "\n")


def read_record(path: Path, keep_report: bool = True) -> StudentRecord | None:
    """The record in ``path``, or None when it is missing, unreadable or not a record (then re-grade).

    Without ``keep_report`` only the header is kept (resume and merge need no more), so thousands of
    records fit in little memory.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        batch = document.pop("batch")
        student = document.pop("student")
        status = batch["status"]
        if (
            batch.get("record_version") != RECORD_VERSION
            or status not in ("graded", "error")
            or type(student) is not str
        ):
            return None
        return StudentRecord(
            student=student,
            status=status,
            submission_hash=str(batch["submission_hash"]),
            course_hash=str(batch["course_hash"]),
            report=document if status == "graded" and keep_report else None,
            error=batch.get("error"),
            graded_at=str(batch.get("graded_at", "")),
            duration_s=float(batch.get("duration_s", 0.0)),
            submitted_at=_instant_or_none(batch.get("submitted_at")),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _instant_or_none(text: str | None) -> datetime | None:
    """A stored submission time. Records written before times were stored have none, which is right:
    they were graded as on time (so they need no new record version)."""
    return None if text is None else datetime.fromisoformat(text)


def read_records(out_dir: Path, keep_reports: bool = False) -> dict[str, StudentRecord]:
    """Every readable record under ``out_dir/results``, by student id (headers only, unless ``keep_reports``)."""
    records = {}
    for path in sorted((out_dir / RESULTS_DIR).glob("*.json")):
        record = read_record(path, keep_reports)
        if record is not None and path.name == f"{record.student}.json":
            records[record.student] = record
    return records
