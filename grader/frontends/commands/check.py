"""`grader check`: the course self-test for instructors and the course repository's CI."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from rich.console import Console

from grader.course import course_folder, load_course
from grader.engine.hidden import runs_hidden_checks
from grader.frontends.commands.options import course_option, lang_option
from grader.frontends.selftest.mutants import DEFAULT_MAX_MUTANTS, MutationReport, default_jobs, mutation_tests
from grader.frontends.selftest.report import print_mutations, print_self_test
from grader.frontends.selftest.selftest import require_solutions, self_test
from grader.i18n import resolve_language
from grader.sandbox.launcher import Launcher

EXIT_FAILED = 1


@click.command("check")
@click.argument("ids", nargs=-1)
@course_option("The instructor's course folder (holding course.yaml and solutions/)")
@click.option(
    "--mutants", is_flag=True, help="Also measure check strength: grade wrong variants (mutants) of each reference."
)
@click.option(
    "--max-mutants",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_MUTANTS,
    show_default=True,
    help="Mutants tested per assignment (a seeded selection spread over the kinds of mistake).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=default_jobs,
    show_default="one per core, at most 4",
    help="Mutants graded in parallel.",
)
@lang_option()
@click.option(
    "--min-score",
    type=click.FloatRange(0, 100),
    help="With --mutants: exit with code 1 when an assignment's checks catch less than PCT % of its mutants.",
)
def check_command(
    ids: tuple[str, ...],
    course_dir: Path | None,
    mutants: bool,
    max_mutants: int,
    jobs: int,
    min_score: float | None,
    lang: str | None,
) -> None:
    """Self-test the course: every reference scores full marks and every stub zero (exit code 1 if not)."""
    course = load_course(course_folder(course_dir))
    require_solutions(course)
    language = resolve_language(lang, course.language)
    runs_hidden_checks(course, public_only=False)  # the self-test grades with the hidden checks: Linux only
    console = Console()
    with Launcher(denied_roots=course.instructor_only) as launcher:
        report = self_test(course, tuple(ids), launcher, language)
        print_self_test(report, console, language)
        strength: list[MutationReport] = []
        if mutants:
            started = time.perf_counter()
            strength = mutation_tests(course, report, launcher, max_mutants, jobs)
            print_mutations(strength, console, time.perf_counter() - started, language)
    weak = min_score is not None and any(not r.skipped and r.score < min_score for r in strength)
    if not report.ok or weak:
        sys.exit(EXIT_FAILED)
