"""The command line: a thin click layer over the library; errors are rendered in one place (main).

Each command lives in its own module under :mod:`grader.frontends.commands`. Commands are imported only when
invoked: a student's `grader grade` should not pay for importing batch grading or publishing
(about 0.25 s of imports).
"""

from __future__ import annotations

import importlib
import sys

import click

from grader.errors import GraderError
from grader.safetext import safe_text

# command name -> (module, attribute, one-line help shown by `grader --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "grade": ("grader.frontends.commands.grade", "grade_command", "Grade a submission and show what to fix."),
    "check": ("grader.frontends.commands.check", "check_command", "Self-test the course: references, stubs, mutants."),
    "publish": (
        "grader.frontends.commands.publish",
        "publish_command",
        "Regenerate stubs; write the student release and autograder bundle.",
    ),
    "batch": (
        "grader.frontends.commands.batch",
        "batch_command",
        "Grade a whole class in parallel: gradebook and report.",
    ),
    "merge": (
        "grader.frontends.commands.merge",
        "merge_command",
        "Combine batch outputs of shards into one gradebook.",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # `grader --help` lists commands from the table, without importing every command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, _, summary) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="grader")
def cli() -> None:
    """Grade numpy exercises of deep-learning math with public, hidden and gradient checks."""


def main() -> None:
    """Entry point: run the command, turning user errors into a message and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except GraderError as error:
        # A message may quote a path or a name a student chose (a submission folder, a zip member).
        click.echo(click.style("error: ", fg="red", bold=True) + safe_text(str(error)), err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
