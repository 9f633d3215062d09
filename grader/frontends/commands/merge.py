"""`grader merge`: combine the outputs of `grader batch --shard K/N` runs into one gradebook and report."""

from __future__ import annotations

from pathlib import Path

import click

from grader.frontends.batch.outputs import merge
from grader.frontends.commands.options import out_dir_option
from grader.frontends.report.github import commands_paused
from grader.safetext import safe_text


@click.command("merge")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@out_dir_option("the merged results")
def merge_command(sources: tuple[Path, ...], out_dir: Path) -> None:
    """Merge the --out folders SOURCES of sharded `grader batch` runs (no course needed)."""
    outputs, warnings = merge(list(sources), out_dir)
    with commands_paused(lambda line: click.echo(line, err=True)):  # warnings name students (folder names)
        for warning in warnings:
            click.echo(click.style("warning: ", fg="yellow", bold=True) + safe_text(warning), err=True)
    click.echo(
        f"Merged {len(outputs.stats.rows)} students from {len(sources)} outputs -> "
        f"{', '.join(str(path) for path in outputs.files)}"
    )
