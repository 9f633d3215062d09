"""The status line of `grader grade` on a terminal: nothing for a quick grading, then how far each
assignment has got and which check has been waiting for the student's code."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rich.console import Console

from grader.course import load_course
from grader.engine.grader import GradeOptions
from grader.frontends.report.status import SHOW_AFTER_S, WAITING_AFTER_S, GradingStatus, grading_status
from grader.frontends.watch import WatchSession
from tests.engine.helpers import REFERENCE, grade_source, with_function


def test_grading_reports_each_check_before_it_runs_and_the_end(mini_course: Path) -> None:
    events: list[tuple[str, int, int, str | None]] = []
    result = grade_source(mini_course, REFERENCE, progress=lambda *event: events.append(event))
    names = [check.name for check in result.checks]
    total = len(names)
    assert events == [("vectors", done, total, name) for done, name in enumerate(names)] + [
        ("vectors", total, total, None)
    ]


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_is_empty_at_first_then_counts_then_names_a_check_that_waits() -> None:
    clock = _Clock()
    status = GradingStatus("en", clock)
    status.update("conv", 0, 24, "forward_seed")
    assert status.line() == ""  # most gradings are over before anything is shown
    clock.now += SHOW_AFTER_S
    assert status.line() == "Grading: conv: 0 of 24 checks"
    status.update("rnn", 3, 5, "bptt")
    clock.now += WAITING_AFTER_S
    assert status.line() == (
        "Grading: conv: 0 of 24 checks, your code running for 3 s in forward_seed · "
        "rnn: 3 of 5 checks, your code running for 2 s in bptt"
    )
    status.update("conv", 1, 24, "forward_stride")  # the next check: its own clock starts
    status.update("rnn", 5, 5, None)
    assert status.line() == "Grading: conv: 1 of 24 checks · rnn: 5 of 5 checks"


def test_the_line_speaks_korean() -> None:
    clock = _Clock()
    status = GradingStatus("ko", clock)
    status.update("conv", 2, 24, "forward_seed")
    clock.now += SHOW_AFTER_S + WAITING_AFTER_S
    assert status.line() == "채점 중: conv: 검사 24개 중 2개 완료, 코드 실행 3초째: forward_seed"


def test_no_line_is_drawn_where_output_is_not_a_terminal() -> None:
    with grading_status(Console(file=io.StringIO(), force_terminal=False), "en") as progress:
        assert progress is None
    terminal = io.StringIO()
    with grading_status(Console(file=terminal, force_terminal=True, width=100), "en") as progress:
        assert progress is not None
        progress("vectors", 0, 5, "add_small")


def _slow_submission(tmp_path: Path) -> Path:
    """The reference with a norm that takes 2.6 s (one public check calls it)."""
    submission = tmp_path / "sub"
    submission.mkdir()
    slow_norm = "def norm(v):\n    import time\n    time.sleep(2.6)\n    return float(np.sqrt(np.sum(v * v)))\n"
    (submission / "vectors.py").write_text(with_function("norm", slow_norm))
    return submission


@pytest.mark.slow
def test_a_slow_check_is_named_on_the_terminal_and_the_report_on_stdout_stays_clean(
    mini_course: Path, tmp_path: Path
) -> None:
    submission = _slow_submission(tmp_path)
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))  # wide: no line is cut short
    command = [
        sys.executable,
        "-m",
        "grader",
        "grade",
        "--course",
        str(mini_course),
        "--submission",
        str(submission),
        "--format",
        "json",
        "--lang",
        "en",
        "--timeout",
        "10",
    ]
    try:
        process = subprocess.run(command, stdout=subprocess.PIPE, stderr=terminal, stdin=subprocess.DEVNULL, timeout=60)
        os.close(terminal)
        shown = _read_all(controller)
    finally:
        os.close(controller)
    assert process.returncode == 0 and json.loads(process.stdout)["percent"] == 100.0
    assert "Grading: vectors: 1 of" in shown and "your code running for 2 s in norm_345" in shown, shown


def _read_all(controller: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the terminal's other end is closed and everything has been read
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


@pytest.mark.slow
def test_watch_mode_shows_the_line_too(mini_course: Path, tmp_path: Path) -> None:
    submission = _slow_submission(tmp_path)
    screen = io.StringIO()
    options = GradeOptions(language="en", timeout=10)
    session = WatchSession(
        load_course(mini_course), options, submission, Console(file=screen, force_terminal=True, width=200)
    )
    try:
        session.grade(session.watched[0])
    finally:
        session.close()
    assert "your code running for 2 s in norm_345" in screen.getvalue()
