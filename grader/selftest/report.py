"""Rendering the self-test and the mutation report for the instructor's terminal (English only)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader.results import AssignmentResult
from grader.selftest.mutants import MutationReport
from grader.selftest.selftest import SelfTestReport

EQUIVALENT_NOTE = (
    "Some survivors are equivalent to the reference (a transpose of a vector, max of swapped arguments, "
    "a bound that no valid input reaches): no check can catch those, so a score below 100% is normal. "
    "For the others, add a check that a student making that mistake would fail."
)


def print_self_test(report: SelfTestReport, console: Console) -> None:
    """Per-assignment table, then every problem, then the verdict."""
    table = Table(title="Course self-test: references score full marks, stubs score zero", caption="Checks: public+hidden")
    for column in ("Assignment", "Checks", "Reference", "Stub", "Stub file", "Result"):
        table.add_column(column, no_wrap=True)
    for item in report.assignments:
        table.add_row(
            item.id, f"{item.public_checks}+{item.hidden_checks}", _score(item.reference, full=True),
            _score(item.stub, full=False), _in_step(item.stub_in_step),
            "[green]ok[/green]" if item.ok else "[red bold]FAIL[/red bold]",
        )
    console.print(table)
    for item in report.assignments:
        for problem in item.problems:
            console.print(f"[red]✗[/red] {item.id}: {escape(problem)}", soft_wrap=True)
    verdict = "[green]all references score full marks and all stubs zero[/green]" if report.ok else "[red bold]the self-test failed[/red bold]"
    console.print(f"{verdict} ({report.duration_s:.1f} s)")


def print_mutations(reports: Sequence[MutationReport], console: Console, duration_s: float) -> None:
    """Per-assignment mutation score, the survivors with their diffs, and checks no mutant fails."""
    table = Table(title="Check strength: mutants of each reference (caught = lost at least one point)")
    for column in ("Assignment", "Mutants (tested/generated)", "Caught", "Survived", "Score"):
        table.add_column(column, justify="left" if column == "Assignment" else "right", no_wrap=column == "Assignment")
    for report in reports:
        if report.skipped:
            table.add_row(report.assignment_id, "-", "-", "-", f"[yellow]skipped: {escape(report.skipped)}[/yellow]")
            continue
        table.add_row(report.assignment_id, f"{len(report.outcomes)}/{report.generated}", str(report.caught),
                      str(len(report.survivors)), f"{report.score:.0f}%")
    console.print(table)
    for report in reports:
        _print_survivors(report, console)
    if any(report.survivors for report in reports):
        console.print(EQUIVALENT_NOTE, soft_wrap=True)
    console.print(f"mutation testing took {duration_s:.1f} s")


def _print_survivors(report: MutationReport, console: Console) -> None:
    if report.survivors:
        console.print(f"\n[bold]{report.assignment_id}[/bold]: {len(report.survivors)} surviving mutant(s)")
    for outcome in report.survivors:
        console.print(escape(outcome.mutant.diff(report.reference_file)), highlight=False, soft_wrap=True)
    if report.idle_checks:
        names = ", ".join(report.idle_checks)
        console.print(f"[yellow]{report.assignment_id}: no tested mutant fails {names}[/yellow] "
                      "(such a check tests nothing, or only what the mutants leave alone, such as a "
                      "TypeError every broken variant also raises; more mutants: --max-mutants)", soft_wrap=True)


def _score(result: AssignmentResult | None, full: bool) -> str:
    if result is None:
        return "[red]-[/red]"
    good = result.score == result.max_score > 0 if full else result.score == 0
    colour = "green" if good else "red"
    return f"[{colour}]{result.score:g}/{result.max_score:g}[/{colour}]"


def _in_step(in_step: bool | None) -> str:
    return {True: "[green]in step[/green]", False: "[red]stale[/red]", None: "[red]?[/red]"}[in_step]
