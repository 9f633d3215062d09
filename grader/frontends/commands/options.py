"""Options several commands share, declared once so they read and behave the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from grader.i18n import LANGUAGES

F = TypeVar("F", bound=Callable)


def course_option(what: str = "The course folder (holding course.yaml)") -> Callable[[F], F]:
    """``--course DIR``; without it, the nearest course.yaml from the current folder upwards is used."""
    return click.option(
        "--course",
        "course_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"{what}. Default: the nearest folder holding course.yaml, from the current folder up.",
    )


def lang_option() -> Callable[[F], F]:
    """``--lang en|ko``: the language of everything the run prints and writes."""
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        help="Language of every message and report (default: the course's, then your locale).",
    )


def out_dir_option(what: str) -> Callable[[F], F]:
    """``--out DIR`` (default ``grades``): where a batch or a merge writes the class's results."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default="grades",
        show_default=True,
        help=f"Where {what}, grades.csv, assignments.csv, checks.csv and report.html go.",
    )
