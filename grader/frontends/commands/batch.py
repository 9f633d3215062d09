"""`grader batch`: grade a whole class in parallel, resumably, into a gradebook and a report."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from grader.engine.grader import GradeOptions
from grader.frontends.batch.discover import parse_shard
from grader.frontends.batch.options import BatchOptions, default_jobs
from grader.frontends.batch.runner import BatchSummary, run_batch
from grader.frontends.commands.options import course_option, lang_option, out_dir_option
from grader.i18n import Words

EXIT_INTERRUPTED = 130


@click.command("batch")
@click.argument("submissions_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("students", nargs=-1)
@course_option()
@out_dir_option("results/<student>.json")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=default_jobs,
    show_default="one per core",
    help="Submissions graded in parallel.",
)
@click.option(
    "--shard",
    default="1/1",
    show_default=True,
    help="Grade only shard K of N (a stable split by student id); combine the outputs with `grader merge`.",
)
@lang_option()
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds allowed per check (overrides the course)."
)
@click.option("--public-only", is_flag=True, help="Run only the public checks, even where solutions/ is present.")
@click.option(
    "--submitted-at",
    "submitted_at",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    metavar="FILE.csv",
    help="Each student's submission time, for late penalties: a CSV with the columns student and submitted_at "
    "(ISO 8601 with offset). Default: everyone on time.",
)
@click.option("--force", is_flag=True, help="Grade again even submissions whose stored result is current.")
@click.option(
    "--regrade-identical",
    is_flag=True,
    help="Grade every file, even one identical to a file already graded (by default it gets that file's results).",
)
@click.option(
    "--allow-unconfined",
    is_flag=True,
    help="Run hidden checks even where seccomp and Landlock cannot confine the students' code (refused by default).",
)
def batch_command(
    submissions_dir: Path,
    students: tuple[str, ...],
    course_dir: Path | None,
    out_dir: Path,
    jobs: int,
    shard: str,
    lang: str | None,
    timeout: float | None,
    public_only: bool,
    submitted_at: Path | None,
    force: bool,
    regrade_identical: bool,
    allow_unconfined: bool,
) -> None:
    """Grade every submission in SUBMISSIONS_DIR (a sub-folder or <student>.zip each), or only STUDENTS.

    Re-running skips submissions whose files and course are unchanged; Ctrl-C keeps what is graded.
    """
    options = BatchOptions(
        submissions_dir=submissions_dir,
        course_dir=course_dir,
        out_dir=out_dir,
        jobs=jobs,
        shard=parse_shard(shard),
        students=students,
        grade=GradeOptions(language=lang, timeout=timeout, public_only=public_only),
        submitted_at=submitted_at,
        force=force,
        reuse_identical=not regrade_identical,
        allow_unconfined=allow_unconfined,
    )
    summary = run_batch(options, Console(stderr=True))
    click.echo(summary_line(summary, submitted_at))
    if summary.interrupted:
        sys.exit(EXIT_INTERRUPTED)


def summary_line(summary: BatchSummary, times_file: Path | None = None) -> str:
    """The one line printed at the end, in the run's language (``times_file``: the --submitted-at file,
    named when students lack a time)."""
    words = Words("batch", summary.language)
    seconds = f"{summary.duration_s:.1f}"
    if summary.interrupted:
        return words("summary_interrupted", graded=summary.graded, seconds=seconds)
    parts = [
        words(
            "summary_graded",
            graded=summary.graded,
            submissions=summary.submissions,
            seconds=seconds,
            rate=f"{summary.rate:.1f}",
            jobs=summary.jobs,
        )
    ]
    if summary.skipped:
        parts.append(words("summary_skipped", count=summary.skipped))
    if summary.failed:
        parts.append(words("summary_failed", count=summary.failed))
    if summary.reused_files:
        parts.append(
            words("summary_reused_one")
            if summary.reused_files == 1
            else words("summary_reused", count=summary.reused_files)
        )
    if summary.untimed and times_file is not None:
        key = "summary_untimed_one" if summary.untimed == 1 else "summary_untimed"
        parts.append(words(key, count=summary.untimed, file=times_file))
    stats = summary.outputs.stats if summary.outputs else None
    if stats is not None and stats.not_submitted:
        parts.append(words("summary_not_submitted", count=stats.not_submitted))
    if stats is not None and stats.mean_percent is not None:
        parts.append(words("summary_mean", percent=f"{stats.mean_percent:.1f}"))
    files = f" -> {', '.join(str(path) for path in summary.outputs.files)}" if summary.outputs else ""
    return "; ".join(parts) + "." + files
