"""`grader publish`: stubs from the solutions, the student release and the autograder bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.course import Course, course_folder, load_course
from grader.course.markers import stale_stubs
from grader.frontends.commands.options import course_option
from grader.frontends.publish.pipeline import default_out, publish
from grader.frontends.selftest.selftest import require_solutions
from grader.frontends.submission import display_path

EXIT_STALE = 1


@click.command("publish")
@course_option("The instructor's course folder (holding course.yaml and solutions/)")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write release/, autograder/ and autograder.zip  [default: <course>/dist]",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit with code 1 when a committed stub differs from its regeneration.",
)
def publish_command(course_dir: Path | None, out: Path | None, check_only: bool) -> None:
    """Regenerate the stubs from the solutions, then write the student release and the autograder bundle."""
    course = load_course(course_folder(course_dir))
    require_solutions(course)
    if check_only:
        _check(course)
        return
    published = publish(course, out or default_out(course))
    for path in published.stubs_rewritten:
        click.echo(f"regenerated {display_path(path)}")
    for path in published.skipped:
        click.echo(f"not released (only stubs, README*.md and checks*.py are): {display_path(path)}")
    for note in published.notes:
        click.echo(f"note: published on purpose (course.yaml published_solution_lines): {note}")
    click.echo(f"student release:    {display_path(published.release)} (checked: nothing of solutions/ in it)")
    click.echo(
        f"autograder bundle:  {display_path(published.bundle_zip)} (the whole course, one Gradescope assignment)"
    )
    for archive in published.assignment_bundles:
        click.echo(f"                    {display_path(archive)} (upload to the Gradescope assignment {archive.stem})")
    click.echo(f"instructor CI:      {display_path(published.instructor_workflow)} (copy into your course repository)")


def _check(course: Course) -> None:
    stale = stale_stubs(course)
    for path in stale:
        click.echo(f"stale stub: {display_path(path)} differs from the stub generated from its solution", err=True)
    if stale:
        click.echo("run `grader publish` to regenerate the stubs", err=True)
        sys.exit(EXIT_STALE)
    click.echo(f"all {len(course.assignments)} stubs are generated from their solutions")
