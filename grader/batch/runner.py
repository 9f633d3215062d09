"""`grader batch` as a library call: discover, skip what is unchanged, grade the rest in parallel, write the outputs.

Steps: validate the folders, and load the course and the students' submission times once here (a
broken course or times file stops the batch before any process starts); fingerprint every submission
and the course; keep each stored result whose fingerprints and submission time match (resume); grade
the others on a :class:`~grader.batch.pool.Pool`; rebuild the gradebook and report from the results.
Ctrl-C stops the pool cleanly: every result already written stays, and the next run resumes from there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.text import Text

from grader.batch.discover import Shard, Submission, discover
from grader.batch.hashing import course_hash, submission_hash
from grader.batch.outputs import Manifest, Outputs, write_outputs
from grader.batch.pool import Pool
from grader.batch.process import STAGING_DIR, BatchSettings, Outcome, Task, preload
from grader.batch.progress import ProgressDisplay
from grader.batch.records import StudentRecord, read_records
from grader.batch.times import read_submission_times, times_digest
from grader.checks.coursecode import CourseCode
from grader.course import Course, course_folder, load_course
from grader.errors import UsageError
from grader.grading import GradeOptions, runs_hidden_checks
from grader.i18n import Msg, msg, render, resolve_language
from grader.sandbox.launcher import Launcher, require_confined
from grader.sandbox.layers import SandboxLayers



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
    course_dir: Path | None = None
    """The course folder (holding course.yaml); None: the nearest one from the current folder upwards."""
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
    public_only: bool = False
    """Run only the public checks, even where solutions/ is present."""
    submitted_at: Path | None = None
    """A CSV file of each student's submission time (see :mod:`grader.batch.times`); without it, all are on time."""
    force: bool = False
    """Grade again even where a stored result is current."""
    memoize: bool = True
    """Memoize reference calls across students (off only to measure what it saves)."""
    reuse_identical: bool = True
    """Give a file identical to one already graded (same assignment, same text) that file's results."""
    allow_unconfined: bool = False
    """Grade hidden checks even where seccomp and Landlock cannot confine the students' code."""


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
    untimed: int = 0
    """Submissions with no time in the ``submitted_at`` file, graded as on time (0 without the file)."""
    reused_files: int = 0
    """Files identical to one graded before in the same process, given that file's results."""
    language: str = "en"
    """The run's language (its messages, report and summary)."""

    @property
    def rate(self) -> float:
        """Students graded per second."""
        return self.graded / self.duration_s if self.duration_s > 0 else 0.0


def run_batch(options: BatchOptions, console: Console | None = None) -> BatchSummary:
    """Grade a class; progress and warnings go to ``console`` when given. Raises GraderError for unusable input."""
    course = load_course(course_folder(options.course_dir))
    times = read_submission_times(options.submitted_at) if options.submitted_at is not None else None
    submissions_dir, out_dir = _folders(options)
    grade_options = GradeOptions(language=resolve_language(options.language, course.language), timeout=options.timeout,
                                 public_only=options.public_only)
    preload(course, CourseCode(), grade_options)  # a broken check file stops us here, before any process starts
    fingerprint = course_hash(course, _graded_with(course, grade_options))
    everyone = discover(submissions_dir, options.shard)  # the gradebook answers for the whole shard
    submissions = discover(submissions_dir, options.shard, options.students) if options.students else everyone
    if times is None and console is not None and _has_deadline(course):
        warning = Text(render(msg("batch.warning"), grade_options.language), style="bold yellow")
        console.print(warning + Text(render(msg("batch.no_times"), grade_options.language)), soft_wrap=True)  # one line in a CI log
    sandbox = _fences(course, grade_options, submissions_dir, out_dir, options.allow_unconfined)
    tasks, skipped = plan(submissions, read_records(out_dir), fingerprint, options.force, times)
    settings = BatchSettings(course.root, submissions_dir, out_dir, fingerprint, grade_options.language, options.timeout,
                             options.public_only, options.memoize, options.reuse_identical)
    jobs = max(1, min(options.jobs, len(tasks)))
    display = ProgressDisplay(console, len(tasks), grade_options.language)
    interrupted = False
    try:
        with display:
            Pool(settings, jobs, display.advance).run(tasks)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        shutil.rmtree(out_dir / STAGING_DIR, ignore_errors=True)
    duration = display.elapsed
    manifest = _manifest(course, fingerprint, options.shard, everyone, times, sandbox, grade_options.language)
    outputs = None if interrupted else write_outputs(out_dir, manifest)
    untimed = sum(submission.student not in times for submission in submissions) if times is not None else 0
    return BatchSummary(len(submissions), display.done, display.failed, skipped, duration, jobs, interrupted, outputs, untimed,
                        display.reused_files, grade_options.language)


def plan(
    submissions: list[Submission], stored: dict[str, StudentRecord], fingerprint: str, force: bool,
    times: Mapping[str, datetime] | None = None,
) -> tuple[list[Task], int]:
    """The tasks still to grade, and how many submissions are skipped because their result is current.

    ``times`` holds each student's submission time (a student not in it is graded as on time).
    """
    tasks, skipped, times = [], 0, times or {}
    for submission in submissions:
        task = _task(submission, times.get(submission.student))
        record = stored.get(submission.student)
        current = record is not None and record.is_current(task.submission_hash, fingerprint, task.submitted_at)
        if not force and task.problem is None and current:
            skipped += 1
        else:
            tasks.append(task)
    return tasks, skipped


def _task(submission: Submission, submitted_at: datetime | None) -> Task:
    def task(digest: str, problem: Msg | None = None) -> Task:
        return Task(submission.student, submission.path, submission.kind, digest, problem, submitted_at)

    if submission.problem is not None:
        return task("", submission.problem)
    try:
        return task(submission_hash(submission))
    except OSError as exc:
        return task("", msg("batch.unreadable", error=str(exc)))


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
    """The options that change a grade, part of the course fingerprint (``--public-only`` through ``hidden``).

    Submission times are not: they differ per student, so each result stores its own (see ``plan``).
    """
    return {"language": options.language, "timeout": options.timeout, "hidden": runs_hidden_checks(course, options)}


def _has_deadline(course: Course) -> bool:
    """Whether lateness can cost points in ``course`` (a due date, or a date after which a submission scores zero)."""
    return any(a.due is not None or a.late_policy.zero_after is not None for a in course.assignments)


def _manifest(course: Course, fingerprint: str, shard: Shard, submissions: list[Submission],
              times: dict[str, datetime] | None, sandbox: SandboxLayers, language: str) -> Manifest:
    students = tuple(submission.student for submission in submissions)
    return Manifest(course.title, fingerprint, str(shard), students, times_digest(times), sandbox, language)


def _fences(course: Course, options: GradeOptions, submissions_dir: Path, out_dir: Path, allow_unconfined: bool) -> SandboxLayers:
    """The fences this machine puts around workers (a fork server is started to find out), checked before
    anyone is graded: hidden checks run confined, or not at all without ``allow_unconfined``."""
    with Launcher(denied_roots=[*course.instructor_only, submissions_dir, out_dir]) as probe:
        layers = probe.layers
    if runs_hidden_checks(course, options) and not allow_unconfined:
        require_confined(layers)
    return layers


__all__ = ["BatchOptions", "BatchSummary", "Outcome", "default_jobs", "plan", "run_batch"]
