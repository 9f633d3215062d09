"""Small synthetic classes for the batch tests, on the mini course (one assignment: vectors)."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from grader.frontends.batch.options import BatchOptions
from grader.frontends.batch.process import BatchSettings
from grader.frontends.batch.records import StudentRecord
from tests.engine.helpers import REFERENCE, with_function

STUB = (Path(__file__).parents[1] / "fixtures/mini_course/assignments/vectors/vectors.py").read_text()
WRONG_ADD = with_function("add", "def add(a, b):\n    return a - b\n")


def batch_settings(course_dir: Path, subs: Path, out: Path, **options: object) -> BatchSettings:
    """What a batch's grading process is given, for ``subs`` graded into ``out`` (``options``: BatchOptions fields)."""
    return BatchSettings(
        options=BatchOptions(submissions_dir=subs, out_dir=out, **options),
        course_dir=course_dir,  # type: ignore[arg-type]
        course_hash="test",
    )


def write_class(folder: Path, students: dict[str, str]) -> Path:
    """A submissions folder with one sub-folder per student holding ``vectors.py`` with the given source."""
    folder.mkdir(parents=True, exist_ok=True)
    for student, source in students.items():
        (folder / student).mkdir()
        (folder / student / "vectors.py").write_text(source, encoding="utf-8")
    return folder


def write_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def results(out: Path) -> dict[str, dict]:
    """Every student's stored result document, by id."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted((out / "results").glob("*.json"))
    }


def processes_with_tmpdir(tmpdir: Path) -> list[int]:
    """Pids of live processes started with TMPDIR=``tmpdir`` (everything a test's batch started).

    multiprocessing's resource tracker is left out: it is started once for the test process itself
    (by the first spawned child of any test) and exits with it, so it is not something a batch leaves.
    """
    marker = f"TMPDIR={tmpdir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environment = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker in environment and state != "Z" and b"multiprocessing.resource_tracker" not in command:
            found.append(int(entry.name))
    return found


def record(
    student: str,
    percent: float | None,
    checks: dict[str, tuple[str, str]] | None = None,
    title: str = "Vector basics",
    error: str | None = None,
    submitted: bool = True,
) -> StudentRecord:
    """A stored result without grading: ``checks`` maps a check name to (status, message), one point each;
    ``submitted=False`` is a student who handed in nothing of their own (as grading records it)."""
    if percent is None:
        return StudentRecord(
            student=student,
            status="error",
            submission_hash="s",
            course_hash="c",
            report=None,
            error=error or "could not be graded",
            graded_at="2026-01-01T00:00:00+00:00",
        )
    checks = checks or {"add_small": ("passed", "")}
    max_score = float(len(checks))
    score = max_score * percent / 100
    check_list = [
        {
            "name": name,
            "status": status,
            "message": message,
            "visibility": "public",
            "max_score": 1.0,
            "score": 1.0 if status == "passed" else 0.0,
        }
        for name, (status, message) in checks.items()
    ]
    report = {
        "score": score,
        "max_score": max_score,
        "percent": percent,
        "assignments": [
            {
                "id": "vectors",
                "title": title,
                "score": score,
                "max_score": max_score,
                "error": error,
                "submitted": submitted,
                "checks": check_list,
            }
        ],
    }
    return StudentRecord(
        student=student,
        status="graded",
        submission_hash="s",
        course_hash="c",
        report=report,
        graded_at="2026-01-01T00:00:00+00:00",
    )


__all__ = [
    "REFERENCE",
    "STUB",
    "WRONG_ADD",
    "batch_settings",
    "processes_with_tmpdir",
    "record",
    "results",
    "write_class",
    "write_zip",
]
