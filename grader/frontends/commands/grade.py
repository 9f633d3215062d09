"""`grader grade`: grade a submission and print the score with what to fix."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from grader.atomic import write_atomic
from grader.course import Course, course_folder, load_course
from grader.engine.hidden import runs_hidden_checks
from grader.engine.results import GradeReport
from grader.errors import UsageError
from grader.frontends.commands.options import course_option, lang_option
from grader.frontends.instants import submission_time
from grader.frontends.report import github
from grader.frontends.report.formats import FORMATS, STDOUT_FORMATS, render_report
from grader.i18n import resolve_language
from grader.sandbox.launcher import Launcher, require_confined

if TYPE_CHECKING:
    from grader.engine.checks.schedule import Progress
    from grader.engine.grader import GradeOptions

EXIT_BELOW_THRESHOLD = 1


@click.command("grade")
@click.argument("ids", nargs=-1)
@course_option()
@click.option(
    "--submission",
    type=click.Path(path_type=Path),
    help="Your folder (<id>/<id>.py or <id>.py files, or .ipynb notebooks) or one such file; "
    "default: the course's assignments/.",
)
@click.option("--public-only", is_flag=True, help="Run only the public checks, even where solutions/ is present.")
@click.option("--format", "output_format", type=click.Choice(["text", *FORMATS]), default="text", show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report (in --format) to this file, atomically; the terminal still gets the summary.",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds allowed per check (overrides the course)."
)
@click.option(
    "--fail-under", type=click.FloatRange(0, 100), help="Exit with code 1 when the score is below this percentage."
)
@lang_option()
@click.option("--submitted-at", help="When the submission was made (ISO 8601 with offset), for late penalties.")
@click.option(
    "--submission-metadata",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Gradescope's submission_metadata.json, to read the submission time from.",
)
@click.option("-v", "--verbose", is_flag=True, help="Also show what your code printed.")
@click.option("--watch", is_flag=True, help="Grade again every time you save a submission file (Ctrl-C stops).")
@click.option(
    "--require-confinement",
    is_flag=True,
    help="Refuse to run hidden checks unless seccomp and Landlock confine the code (official grading).",
)
@click.option(
    "--allow-unconfined", is_flag=True, help="Run hidden checks even where --require-confinement would refuse."
)
def grade_command(
    ids: tuple[str, ...],
    course_dir: Path | None,
    submission: Path | None,
    public_only: bool,
    output_format: str,
    output: Path | None,
    timeout: float | None,
    fail_under: float | None,
    lang: str | None,
    submitted_at: str | None,
    submission_metadata: Path | None,
    verbose: bool,
    watch: bool,
    require_confinement: bool,
    allow_unconfined: bool,
) -> None:
    """Grade IDS (default: every assignment) and print the score with what to fix."""
    course = load_course(course_folder(course_dir))
    language = resolve_language(lang, course.language)
    when = submission_time(submitted_at, submission_metadata)
    hidden = runs_hidden_checks(
        course, public_only
    )  # a clear error now where hidden checks cannot run, not after start-up
    if watch:
        _watch(
            course,
            _options(ids, public_only, timeout, language, when),
            submission,
            output_format,
            output,
            fail_under,
            verbose,
        )
        return
    # The fork server (a fresh interpreter importing numpy, ~0.2 s) boots while this process imports
    # the grading pipeline (~0.2 s) below; started after it, a student would wait for both in turn.
    with Launcher(denied_roots=course.instructor_only) as launcher:
        from rich.console import Console

        from grader.engine.grader import Grader
        from grader.frontends.report.status import grading_status
        from grader.frontends.submission import grade_path

        if require_confinement and not allow_unconfined and hidden:
            require_confined(launcher.layers)
        with grading_status(Console(stderr=True), language) as progress:
            options = _options(ids, public_only, timeout, language, when, progress)
            report = grade_path(Grader(course, options, launcher=launcher), submission)
    _show(report, output_format, output, verbose)
    if fail_under is not None and report.percent < fail_under:
        sys.exit(EXIT_BELOW_THRESHOLD)


def _show(report: GradeReport, output_format: str, output: Path | None, verbose: bool) -> None:
    """Write the report file (if asked) and print the report in its format, or the terminal table."""
    from rich.console import Console

    from grader.frontends.report.text import print_report

    rendered = render_report(output_format, report) if output_format != "text" else None
    if output is not None:
        write_atomic(output, rendered if rendered is not None else _text(report, verbose))
    if output_format == "github":
        _append_step_summary(report)
    if rendered is not None and output_format in STDOUT_FORMATS:
        click.echo(rendered, nl=False)  # its lines are the workflow commands (student text in them escaped)
        return
    with github.commands_paused(click.echo):  # on a runner, no student text in any other report can be one
        if rendered is not None and output is None:
            click.echo(rendered, nl=False)
        else:
            print_report(report, Console(), verbose)


def _options(
    ids: tuple[str, ...],
    public_only: bool,
    timeout: float | None,
    language: str,
    submitted_at: datetime | None,
    progress: Progress | None = None,
) -> GradeOptions:
    from grader.engine.grader import GradeOptions

    return GradeOptions(
        assignment_ids=tuple(ids),
        public_only=public_only,
        timeout=timeout,
        language=language,
        submitted_at=submitted_at,
        progress=progress,
    )


def _watch(
    course: Course,
    options: GradeOptions,
    submission: Path | None,
    output_format: str,
    output: Path | None,
    fail_under: float | None,
    verbose: bool,
) -> None:
    """--watch redraws the terminal report; a report file or an exit code has no "after every save"."""
    if output_format != "text" or output is not None or fail_under is not None:
        raise UsageError(
            "--watch shows the terminal report only", "drop --format, --output and --fail-under, or drop --watch"
        )
    from rich.console import Console

    from grader.frontends.watch import watch  # only this mode needs it

    watch(course, options, submission, Console(), verbose)


def _append_step_summary(report: GradeReport) -> None:
    """GitHub Actions shows on the run's page the Markdown appended to the file $GITHUB_STEP_SUMMARY names."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(github.step_summary(report))


def _text(report: GradeReport, verbose: bool) -> str:
    from rich.console import Console

    from grader.frontends.report.text import print_report

    console = Console(record=True, width=120, file=open(os.devnull, "w"))
    print_report(report, console, verbose)
    return console.export_text()
