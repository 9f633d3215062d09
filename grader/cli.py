"""The command line: a thin click layer over the library; errors are rendered in one place (main).

Each command lives in its own module under :mod:`grader.commands` and is registered here.
"""

from __future__ import annotations

import sys

import click

from grader.commands.batch import batch_command
from grader.commands.check import check_command
from grader.commands.grade import grade_command
from grader.commands.merge import merge_command
from grader.commands.publish import publish_command
from grader.errors import GraderError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="grader")
def cli() -> None:
    """Grade numpy exercises of deep-learning math with public, hidden and gradient checks."""


cli.add_command(grade_command)
cli.add_command(check_command)
cli.add_command(publish_command)
cli.add_command(batch_command)
cli.add_command(merge_command)


def main() -> None:
    """Entry point: run the command, turning user errors into a message and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except GraderError as error:
        click.echo(click.style("error: ", fg="red", bold=True) + str(error), err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
