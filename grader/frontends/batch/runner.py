"""`grader batch` as a library call: discover, skip what is unchanged, grade the rest in parallel, write the outputs.

Steps: validate the folders, and load the course and the students' submission times once here (a
broken course or times file stops the batch before any process starts); fingerprint every submission
and the course; keep each stored result whose fingerprints and submission time match (resume); grade
the others on a :class:`~grader.frontends.batch.pool.Pool`; rebuild the gradebook and report from the results.
Ctrl-C stops the pool cleanly: every result already written stays, and the next run resumes from there.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.text import Text

from grader.course import Course, course_folder, load_course
from grader.engine.grader import GradeOptions, Grader
from grader.engine.hidden import runs_hidden_checks
from grader.errors import UsageError
from grader.frontends.batch.discover import Shard, Submission, discover
from grader.frontends.batch.hashing import course_hash, submission_hash
from grader.frontends.batch.options import BatchOptions
from grader.frontends.batch.outputs import Manifest, Outputs, write_outputs
from grader.frontends.batch.pool import Pool
from grader.frontends.batch.process import STAGING_DIR, BatchSettings, Outcome, Task, preload
from grader.frontends.batch.progress import ProgressDisplay
from grader.frontends.batch.records import StudentRecord, read_records
from grader.frontends.batch.times import read_submission_times, times_digest
from grader.i18n import Msg, msg, render, resolve_language
from grader.sandbox.launcher import Launcher, require_confined
from grader.sandbox.layers import SandboxLayers


@dataclass(frozen=True, kw_only=True)
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
    language = resolve_language(options.grade.language, course.language)
    grade_options = dataclasses.replace(options.grade, language=language)
    options = dataclasses.replace(options, submissions_dir=submissions_dir, out_dir=out_dir, grade=grade_options)
    sandbox = _fences(course, options)  # a broken check file, or unconfined hidden checks, stop us here
    fingerprint = course_hash(course, _graded_with(course, grade_options))
    everyone = discover(submissions_dir, options.shard)  # the gradebook answers for the whole shard
    submissions = discover(submissions_dir, options.shard, options.students) if options.students else everyone
    if times is None and console is not None and _has_deadline(course):
        warning = Text(render(msg("batch.warning"), language), style="bold yellow")
        console.print(warning + Text(render(msg("batch.no_times"), language)), soft_wrap=True)  # one line in a CI log
    tasks, skipped = plan(submissions, read_records(out_dir), fingerprint, options.force, times)
    settings = BatchSettings(options=options, course_dir=course.root, course_hash=fingerprint)
    jobs = max(1, min(options.jobs, len(tasks)))
    display = ProgressDisplay(console, len(tasks), language)
    interrupted = False
    try:
        with display:
            Pool(settings, jobs, display.advance).run(tasks)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        shutil.rmtree(out_dir / STAGING_DIR, ignore_errors=True)
    duration = display.elapsed
    manifest = _manifest(course, fingerprint, options.shard, everyone, times, sandbox, language)
    outputs = None if interrupted else write_outputs(out_dir, manifest)
    untimed = sum(submission.student not in times for submission in submissions) if times is not None else 0
    return BatchSummary(
        submissions=len(submissions),
        graded=display.done,
        failed=display.failed,
        skipped=skipped,
        duration_s=duration,
        jobs=jobs,
        interrupted=interrupted,
        outputs=outputs,
        untimed=untimed,
        reused_files=display.reused_files,
        language=language,
    )


def plan(
    submissions: list[Submission],
    stored: dict[str, StudentRecord],
    fingerprint: str,
    force: bool,
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
        return Task(
            student=submission.student,
            path=submission.path,
            kind=submission.kind,
            submission_hash=digest,
            problem=problem,
            submitted_at=submitted_at,
        )

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
        raise UsageError(
            f"{options.submissions_dir}: no such folder",
            "pass the folder holding one sub-folder or <student>.zip per student",
        )
    if out == submissions or submissions in out.parents or out in submissions.parents:
        raise UsageError(
            f"--out {options.out_dir} and {options.submissions_dir} overlap",
            "write the outputs next to the submissions, e.g. --out grades",
        )
    out.mkdir(parents=True, exist_ok=True)
    return submissions, out


def _graded_with(course: Course, options: GradeOptions) -> dict[str, object]:
    """The options that change a grade, part of the course fingerprint (``--public-only`` through ``hidden``).

    Submission times are not: they differ per student, so each result stores its own (see ``plan``).
    """
    return {
        "language": options.language,
        "timeout": options.timeout,
        "hidden": runs_hidden_checks(course, options.public_only),
    }


def _has_deadline(course: Course) -> bool:
    """Whether lateness can cost points in ``course`` (a due date, or a date after which a submission scores zero)."""
    return any(a.due is not None or a.late_policy.zero_after is not None for a in course.assignments)


def _manifest(
    course: Course,
    fingerprint: str,
    shard: Shard,
    submissions: list[Submission],
    times: dict[str, datetime] | None,
    sandbox: SandboxLayers,
    language: str,
) -> Manifest:
    students = tuple(submission.student for submission in submissions)
    return Manifest(
        course_title=render(course.title, language),
        course_hash=fingerprint,
        shard=str(shard),
        students=students,
        submission_times=times_digest(times),
        sandbox=sandbox,
        language=language,
    )


def _fences(course: Course, options: BatchOptions) -> SandboxLayers:
    """The fences this machine puts around workers, checked before any process starts: hidden checks run
    confined, or not at all without ``allow_unconfined``. The course's code is loaded meanwhile (while the
    fork server probes the fences), so a broken check file stops the batch here too."""
    with Launcher(denied_roots=[*course.instructor_only, options.submissions_dir, options.out_dir]) as probe:
        grader = Grader(course, options.grade, launcher=probe)
        preload(grader)
        layers = probe.layers
    if grader.hidden and not options.allow_unconfined:
        require_confined(layers)
    return layers


__all__ = ["BatchSummary", "Outcome", "plan", "run_batch"]
