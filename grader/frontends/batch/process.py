"""One grading process of a batch: the course loaded once, one fork server, many students in turn.

Each student is graded exactly as ``grader grade`` would (every assignment in its own sandboxed
worker), with two additions that make a class fast and safe: the checks and references stay loaded
and the reference's answers are memoized across students (see :mod:`grader.engine.checks.refcache`), and
the fork server denies its workers the submissions folder and the output folder, so one student's
code cannot read another's files or results. Whatever goes wrong with one student is written down as
that student's error; nothing short of a course error stops the process.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import tempfile
import time
import traceback
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from grader.course import Course, load_course
from grader.engine.checks.coursecode import CourseCode
from grader.engine.grader import GradeOptions, Grader
from grader.errors import GraderError
from grader.frontends.batch.discover import Kind
from grader.frontends.batch.identical import IdenticalFiles
from grader.frontends.batch.options import BatchOptions
from grader.frontends.batch.records import StudentRecord, now, write_record
from grader.frontends.batch.zips import ZipRejected, extract_python_files
from grader.frontends.report.jsonreport import to_dict
from grader.frontends.stopping import Stopped, raise_stopped
from grader.frontends.submission import display_path, grade_path, locate
from grader.i18n import Msg, msg, render
from grader.safetext import safe_line
from grader.sandbox.launcher import Launcher

STAGING_DIR = ".staging"


@dataclass(frozen=True, kw_only=True)
class BatchSettings:
    """What every grading process of one batch needs to know (sent to each process once)."""

    options: BatchOptions
    """The batch's options, its folders resolved and its language decided."""
    course_dir: Path
    """The course folder (found by the runner)."""
    course_hash: str
    """Fingerprint of course, grader and options, stored with every result."""

    @property
    def language(self) -> str:
        return self.options.grade.language or "en"


@dataclass(frozen=True, kw_only=True)
class Task:
    """One student to grade."""

    student: str
    """The student id."""
    path: Path
    """Their folder or zip."""
    kind: Kind
    """folder or zip."""
    submission_hash: str
    """Fingerprint of their files."""
    problem: Msg | None = None
    """Why they cannot be graded, when already known (recorded without grading)."""
    submitted_at: datetime | None = None
    """When they submitted, for late penalties; None grades them as on time."""


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What the runner learns about one student (the full result is in their file)."""

    student: str
    """The student id."""
    graded: bool
    """False when the student could not be graded."""
    percent: float | None
    """Their score in percent, when graded."""
    error: str | None
    """Why not, otherwise."""
    duration_s: float
    """Seconds spent."""
    reused_files: int = 0
    """Of their files, those identical to one graded before, which got that file's results."""


class ProcessGrader:
    """Grades students one after another with one fork server; close it to stop the server."""

    def __init__(self, settings: BatchSettings) -> None:
        self.batch = settings
        options = settings.options
        self.course = load_course(settings.course_dir)
        self.code = CourseCode(reuse=True, memoize=options.memoize)
        self.identical = IdenticalFiles() if options.reuse_identical else None
        self.staging = private_folder(private_folder(options.out_dir / STAGING_DIR) / str(os.getpid()))
        self.launcher = Launcher(denied_roots=[self.course.solutions_dir, options.submissions_dir, options.out_dir])
        preload(self._grader(options.grade))  # a broken check file fails here, not once per student

    def grade(self, task: Task) -> Outcome:
        """Grade ``task``'s student and write their result file; never raises for a bad submission."""
        started = time.perf_counter()
        reused_before = self.identical.reused if self.identical else 0
        try:
            record = self._record(task, started)
        except GraderError as error:  # e.g. the submission folder vanished: that student's problem
            record = self._error(task, str(error), started)
        except Exception as exc:  # the grader itself failed on this submission: record it, go on
            record = self._error(task, crash_message(exc), started)
        reused = (self.identical.reused if self.identical else 0) - reused_before
        return save_record(self.batch.options.out_dir, record, reused, self.batch.language)

    def close(self) -> None:
        self.launcher.close()
        shutil.rmtree(self.staging, ignore_errors=True)

    def _grader(self, options: GradeOptions) -> Grader:
        """A grader of one student: every assignment in turn (the batch's processes are its parallelism), the
        course's code loaded once for all students, identical files' results reused."""
        return Grader(
            self.course, options, launcher=self.launcher, code=self.code, cache=self.identical, parallel=False
        )

    def _record(self, task: Task, started: float) -> StudentRecord:
        if task.problem is not None:
            return self._error(task, task.problem, started)
        with tempfile.TemporaryDirectory(prefix="zip-", dir=self.staging) as scratch:
            try:
                folder = _folder_to_grade(task, Path(scratch))
            except ZipRejected as rejected:
                return self._error(task, rejected.problem, started)
            escape = _link_out_of(self.course, folder)
            if escape is not None:
                return self._error(task, escape, started)
            options = dataclasses.replace(self.batch.options.grade, submitted_at=task.submitted_at)
            report = grade_path(self._grader(options), folder)
            document = to_dict(report)
            if task.kind == "zip":  # name files as the student knows them: alice.zip/conv.py, not a temporary path
                document = _renamed(document, display_path(Path(scratch)), safe_line(task.path.name))
        return self._stored(task, started, report=document)

    def _error(self, task: Task, message: str | Msg, started: float) -> StudentRecord:
        """The record of a student who could not be graded; ``message`` (rendered in the run's language) says why."""
        return self._stored(task, started, error=render(message, self.batch.language))

    def _stored(
        self, task: Task, started: float, report: dict[str, Any] | None = None, error: str | None = None
    ) -> StudentRecord:
        """The record of ``task``: graded with ``report``, or an error with ``error``."""
        return StudentRecord(
            student=task.student,
            status="graded" if error is None else "error",
            submission_hash=task.submission_hash,
            course_hash=self.batch.course_hash,
            report=report,
            error=error,
            graded_at=now(),
            duration_s=round(time.perf_counter() - started, 3),
            submitted_at=task.submitted_at,
        )


def private_folder(path: Path) -> Path:
    """``path`` as a folder only this user may enter: unzipped submissions are staged where no worker
    (another uid, as root) can read them, even on a machine without Landlock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    return path


def preload(grader: Grader) -> None:
    """Load every check file and reference of ``grader``'s assignments now: a broken course fails at once,
    not once per student."""
    for assignment in grader.assignments:
        grader.loaded(assignment)


def crash_message(exc: BaseException) -> Msg:
    """How a failure of the grader's own code on one submission is reported (where, so it can be fixed)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return msg("batch.grader_failed", error=f"{type(exc).__name__}: {exc}", where=where)


def _renamed(value: Any, old: str, new: str) -> Any:
    """``value`` (JSON data) with every occurrence of the path ``old`` in its strings replaced by ``new``."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_renamed(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: _renamed(item, old, new) for key, item in value.items()}
    return value


def _folder_to_grade(task: Task, scratch: Path) -> Path:
    return extract_python_files(task.path, scratch) if task.kind == "zip" else task.path


def _link_out_of(course: Course, folder: Path) -> Msg | None:
    """A submission file that resolves outside the student's folder (a link to someone else's), if any."""
    root = os.path.realpath(folder)
    for file in locate(course, [a.id for a in course.assignments], folder).values():
        if file.path is not None and not os.path.realpath(file.path).startswith(root + os.sep):
            return msg("batch.links_outside", name=file.path.name)
    return None


def save_record(out_dir: Path, record: StudentRecord, reused_files: int = 0, language: str = "en") -> Outcome:
    """Write ``record`` and sum it up for the runner; a failed write makes it an error, never a crash."""
    try:
        write_record(out_dir, record)
    except OSError as exc:  # e.g. a full disk: the student is reported as not graded, the batch goes on
        error = render(msg("batch.unwritable", error=str(exc)), language)
        record = dataclasses.replace(record, status="error", report=None, error=error)
    return Outcome(
        student=record.student,
        graded=record.status == "graded",
        percent=record.percent,
        error=record.error,
        duration_s=record.duration_s,
        reused_files=reused_files,
    )


def serve(settings: BatchSettings, conn: Connection) -> None:
    """A grading process's life: grade each Task the runner sends, answer with its Outcome, until None.

    Ctrl-C belongs to the runner (it stops the pool with SIGTERM), so SIGINT is ignored here. A
    failure to start (say, the fork server cannot start) is sent back as a one-line string.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, raise_stopped)  # unwinds through every cleanup (workers, fork server, temp files)
    grader: ProcessGrader | None = None
    try:
        try:
            grader = ProcessGrader(settings)
        except Exception as exc:
            conn.send(f"a grading process could not start: {type(exc).__name__}: {exc}")
            return
        while (task := conn.recv()) is not None:
            conn.send(grader.grade(task))
    except (Stopped, EOFError, BrokenPipeError):
        pass  # the runner stopped us, or went away: clean up and exit
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut the cleanup short
        if grader is not None:
            grader.close()
