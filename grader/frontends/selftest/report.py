"""Rendering the self-test and the mutation report for the instructor's terminal, in the run's language."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader.engine.results import AssignmentResult
from grader.frontends.selftest.mutants import MutationReport
from grader.frontends.selftest.selftest import SelfTestReport
from grader.i18n import Text, Words, render


class _Words(Words):
    """The self-test's words (``selftest.*``) in one language, escaped for rich markup."""

    def __init__(self, language: str) -> None:
        super().__init__("selftest", language)

    def __call__(self, key: str, **params: object) -> str:
        return escape(super().__call__(key, **params))

    def text(self, text: Text) -> str:
        """A problem (a catalogue message or a course error's text), escaped."""
        return escape(render(text, self.language))


def print_self_test(report: SelfTestReport, console: Console, language: str = "en") -> None:
    """Per-assignment table, then every problem, then the verdict."""
    words = _Words(language)
    table = Table(title=words("title"), caption=words("caption"))
    for column in ("col_assignment", "col_checks", "col_reference", "col_stub", "col_stub_file", "col_result"):
        table.add_column(words(column), no_wrap=True)
    for item in report.assignments:
        table.add_row(
            item.id,
            f"{item.public_checks}+{item.hidden_checks}",
            _score(item.reference, full=True),
            _score(item.stub, full=False),
            _in_step(item.stub_in_step, words),
            f"[green]{words('ok')}[/green]" if item.ok else f"[red bold]{words('fail')}[/red bold]",
        )
    console.print(table)
    for item in report.assignments:
        for problem in item.problems:
            console.print(f"[red]✗[/red] {item.id}: {words.text(problem)}", soft_wrap=True)
    verdict = (
        f"[green]{words('verdict_ok')}[/green]" if report.ok else f"[red bold]{words('verdict_failed')}[/red bold]"
    )
    console.print(f"{verdict} ({report.duration_s:.1f} s)")


def print_mutations(
    reports: Sequence[MutationReport], console: Console, duration_s: float, language: str = "en"
) -> None:
    """Per-assignment mutation score, the survivors with their diffs, and checks no mutant fails."""
    words = _Words(language)
    table = Table(title=words("mutants_title"))
    for key in ("col_assignment", "col_mutants", "col_caught", "col_survived", "col_score"):
        table.add_column(
            words(key), justify="left" if key == "col_assignment" else "right", no_wrap=key == "col_assignment"
        )
    for report in reports:
        if report.skipped:
            table.add_row(
                report.assignment_id,
                "-",
                "-",
                "-",
                f"[yellow]{words('skipped', reason=render(report.skipped, language))}[/yellow]",
            )
            continue
        table.add_row(
            report.assignment_id,
            f"{len(report.outcomes)}/{report.generated}",
            str(report.caught),
            str(len(report.survivors)),
            f"{report.score:.0f}%",
        )
    console.print(table)
    for report in reports:
        _print_survivors(report, console, words)
    if any(report.survivors for report in reports):
        console.print(words("equivalent_note"), soft_wrap=True)
    console.print(words("took", seconds=f"{duration_s:.1f}"))


def _print_survivors(report: MutationReport, console: Console, words: _Words) -> None:
    if report.survivors:
        console.print(f"\n[bold]{report.assignment_id}[/bold]: {words('survivors', count=len(report.survivors))}")
    for outcome in report.survivors:
        console.print(escape(outcome.mutant.diff(report.reference_file)), highlight=False, soft_wrap=True)
    if report.idle_checks:
        idle = words("idle_checks", id=report.assignment_id, checks=", ".join(report.idle_checks))
        console.print(f"[yellow]{idle}[/yellow] {words('idle_checks_why')}", soft_wrap=True)


def _score(result: AssignmentResult | None, full: bool) -> str:
    if result is None:
        return "[red]-[/red]"
    good = result.score == result.max_score > 0 if full else result.score == 0
    colour = "green" if good else "red"
    return f"[{colour}]{result.score:g}/{result.max_score:g}[/{colour}]"


def _in_step(in_step: bool | None, words: _Words) -> str:
    return {True: f"[green]{words('in_step')}[/green]", False: f"[red]{words('stale')}[/red]", None: "[red]?[/red]"}[
        in_step
    ]
