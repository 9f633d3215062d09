"""`grader batch` as a library call: discover, skip what is unchanged, grade the rest in parallel, write the outputs.

Steps: validate the folders and load the course once here (a broken course stops the batch before any
process starts); fingerprint every submission and the course; keep each stored result whose
fingerprints match (resume); grade the others on a :class:`~grader.batch.pool.Pool`; rebuild the
gradebook and report from the results. Ctrl-C stops the pool cleanly: every result already written
stays, and the next run resumes from there.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from grader.batch.discover import Shard, Submission, discover
from grader.batch.hashing import course_hash, submission_hash
from grader.batch.outputs import Manifest, Outputs, write_outputs
from grader.batch.pool import Pool
from grader.batch.process import STAGING_DIR, BatchSettings, Outcome, Task, preload
from grader.batch.progress import ProgressDisplay
from grader.batch.records import StudentRecord, read_records
from grader.checks.coursecode import CourseCode
from grader.course import Course, load_course
from grader.errors import UsageError
from grader.grading import GradeOptions, runs_hidden_checks
from grader.i18n import resolve_language


def default_jobs() -> int:
    """One grading process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class BatchOptions:
    """What to grade and how; the command line fills it, library users may too."""

    submissions_dir: Path
    """One sub-folder or <student>.zip per student."""
    course_dir: Path = Path(".")
    """The course folder (holding course.yaml)."""
    out_dir: Path = Path("grades")
    """Where results, gradebook and report go."""
    jobs: int = field(default_factory=default_jobs)
    """Grading processes to run in parallel."""
    shard: Shard = Shard()
    """This run's share of the class."""
    students: tuple[str, ...] = ()
    """Only these students (default: everyone in the shard)."""
    language: str | None = None
    """Language of the messages (default: the course's)."""
    timeout: float | None = None
    """Override of every check's time limit, in seconds."""
    force: bool = False
    """Grade again even where a stored result is current."""
    memoize: bool = True
    """Memoize reference calls across students (off only to measure what it saves)."""
    reuse_identical: bool = True
    """Give a file identical to one already graded (same assignment, same text) that file's results."""


@dataclass(frozen=True)
class BatchSummary:
    """How a batch went."""

    submissions: int
    """Submissions in this shard (and selection)."""
    graded: int
    """Students graded in this run."""
    failed: int
    """Of those, students who could not be graded (rejected zip, crash)."""
    skipped: int
    """Students whose stored result was current."""
    duration_s: float
    """Wall-clock seconds of the grading (discovery to the last result)."""
    jobs: int
    """Grading processes used."""
    interrupted: bool
    """Stopped by Ctrl-C (no gradebook written then)."""
    outputs: Outputs | None
    """The gradebook and report, when written."""

    @property
    def rate(self) -> float:
        """Students graded per second."""
        return self.graded / self.duration_s if self.duration_s > 0 else 0.0


def run_batch(options: BatchOptions, console: Console | None = None) -> BatchSummary:
    """Grade a class; progress goes to ``console`` when given. Raises GraderError for unusable input."""
    course = load_course(options.course_dir)
    submissions_dir, out_dir = _folders(options)
    grade_options = GradeOptions(language=resolve_language(options.language, course.language), timeout=options.timeout)
    preload(course, CourseCode(), grade_options)  # a broken check file stops us here, before any process starts
    fingerprint = course_hash(course, _graded_with(course, grade_options))
    everyone = discover(submissions_dir, options.shard)  # the gradebook answers for the whole shard
    submissions = discover(submissions_dir, options.shard, options.students) if options.students else everyone
    tasks, skipped = plan(submissions, read_records(out_dir), fingerprint, options.force)
    settings = BatchSettings(course.root, submissions_dir, out_dir, fingerprint, grade_options.language, options.timeout,
                             options.memoize, options.reuse_identical)
    jobs = max(1, min(options.jobs, len(tasks)))
    display = ProgressDisplay(console, len(tasks))
    interrupted = False
    try:
        with display:
            Pool(settings, jobs, display.advance).run(tasks)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        shutil.rmtree(out_dir / STAGING_DIR, ignore_errors=True)
    duration = display.elapsed
    outputs = None if interrupted else write_outputs(out_dir, _manifest(course, fingerprint, options.shard, everyone))
    return BatchSummary(len(submissions), display.done, display.failed, skipped, duration, jobs, interrupted, outputs)


def plan(submissions: list[Submission], stored: dict[str, StudentRecord], fingerprint: str, force: bool) -> tuple[list[Task], int]:
    """The tasks still to grade, and how many submissions are skipped because their result is current."""
    tasks, skipped = [], 0
    for submission in submissions:
        task = _task(submission)
        record = stored.get(submission.student)
        if not force and task.problem is None and record is not None and record.is_current(task.submission_hash, fingerprint):
            skipped += 1
        else:
            tasks.append(task)
    return tasks, skipped


def _task(submission: Submission) -> Task:
    if submission.problem is not None:
        return Task(submission.student, submission.path, submission.kind, "", submission.problem)
    try:
        digest = submission_hash(submission)
    except OSError as exc:
        return Task(submission.student, submission.path, submission.kind, "", f"the submission cannot be read: {exc}")
    return Task(submission.student, submission.path, submission.kind, digest)


def _folders(options: BatchOptions) -> tuple[Path, Path]:
    """The submissions and output folders, resolved; neither may hold the other."""
    submissions, out = options.submissions_dir.resolve(), options.out_dir.resolve()
    if not submissions.is_dir():
        raise UsageError(f"{options.submissions_dir}: no such folder", "pass the folder holding one sub-folder or <student>.zip per student")
    if out == submissions or submissions in out.parents or out in submissions.parents:
        raise UsageError(f"--out {options.out_dir} and {options.submissions_dir} overlap",
                         "write the outputs next to the submissions, e.g. --out grades")
    out.mkdir(parents=True, exist_ok=True)
    return submissions, out


def _graded_with(course: Course, options: GradeOptions) -> dict[str, object]:
    """The options that change a grade, part of the course fingerprint."""
    return {"language": options.language, "timeout": options.timeout, "hidden": runs_hidden_checks(course, options)}


def _manifest(course: Course, fingerprint: str, shard: Shard, submissions: list[Submission]) -> Manifest:
    return Manifest(course.title, fingerprint, str(shard), tuple(submission.student for submission in submissions))


__all__ = ["BatchOptions", "BatchSummary", "Outcome", "default_jobs", "plan", "run_batch"]
