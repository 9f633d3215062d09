"""`grader ARGS` for the tests: in this process through click's test runner, or as a real process.

Most command-line tests are about what a command prints, writes and exits with: ``run_grader`` runs
:func:`grader.cli.main` (its error rendering and exit codes included) in this process, which spares an
interpreter start and the grader's imports (about 0.3 s a call). A test about the process itself (the
``python -m grader`` entry point, signals, a sandboxed worker's fate, another user) uses
``run_grader_process``. Both return a :class:`subprocess.CompletedProcess` with text ``stdout`` and ``stderr``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from grader.cli import main


def run_grader(
    *args: str, cwd: Path | None = None, env: Mapping[str, str | None] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``grader ARGS`` run by :func:`grader.cli.main` in this process, in ``cwd``, with ``env`` laid over
    the environment (None unsets a variable)."""
    runner = CliRunner()  # click >= 8.2 keeps stdout and stderr apart
    with (
        runner.isolation(input=stdin, env=env) as (stdout, stderr, _),
        _working_directory(cwd),
        _argv(["grader", *args]),
    ):
        code = _exit_code(main)
    return subprocess.CompletedProcess(["grader", *args], code, _text(stdout), _text(stderr))


def run_grader_process(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m grader ARGS`` as a user runs it (``env``: the whole environment, default this one's)."""
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=None if env is None else dict(env),
    )


def _exit_code(entry_point: Callable[[], object]) -> int:
    """What the process would exit with: 0 when ``entry_point()`` returns, else its SystemExit's code."""
    try:
        entry_point()
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            return done.code or 0
        print(done.code, file=sys.stderr)  # as the interpreter does with sys.exit("message")
        return 1
    return 0


def _text(stream: io.BytesIO) -> str:
    return stream.getvalue().decode("utf-8", "replace")


@contextmanager
def _working_directory(folder: Path | None) -> Iterator[None]:
    previous = os.getcwd()
    if folder is not None:
        os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


@contextmanager
def _argv(argv: list[str]) -> Iterator[None]:
    """``sys.argv`` as the shell would give it (main() reads the command line from there)."""
    previous = sys.argv
    sys.argv = argv
    try:
        yield
    finally:
        sys.argv = previous
