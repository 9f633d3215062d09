"""The status line on a terminal while `grader grade` runs: how far each assignment has got, and which
check has been waiting for the student's code, for how long.

Most gradings finish in about a second and show nothing: the line appears only after SHOW_AFTER_S.
It exists for the slow ones. Code that never finishes makes every check that calls it wait out its time
limit (a looping forward pass costs a minute or more), and a silent minute looks like a hang. It is
written to stderr, only when that is a terminal, so it never mixes with a report on stdout, and it is
cleared when grading ends.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console
from rich.live import Live
from rich.text import Text

from grader.i18n import msg, render

if TYPE_CHECKING:
    from grader.engine.checks.schedule import Progress

SHOW_AFTER_S = 1.0
"""Gradings that finish sooner show no status line at all."""
WAITING_AFTER_S = 2.0
"""A check running this long is named, with the seconds it has waited for the student's code."""


@dataclass(frozen=True)
class _Assignment:
    done: int
    total: int
    running: str | None
    since: float
    """When ``running`` started."""


class GradingStatus:
    """What the status line says; :meth:`update` is a :data:`~grader.engine.grader.Progress` (called from the
    threads grading the assignments)."""

    def __init__(self, language: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.language = language
        self.clock = clock
        self.started = clock()
        self._assignments: dict[str, _Assignment] = {}
        self._lock = threading.Lock()

    def update(self, assignment_id: str, done: int, total: int, running: str | None) -> None:
        with self._lock:
            previous = self._assignments.get(assignment_id)
            still_running = previous is not None and (previous.running, previous.done) == (running, done)
            since = previous.since if previous is not None and still_running else self.clock()
            self._assignments[assignment_id] = _Assignment(done, total, running, since)

    def line(self) -> str:
        """The status line now: empty until SHOW_AFTER_S have passed."""
        now = self.clock()
        if now - self.started < SHOW_AFTER_S:
            return ""
        with self._lock:
            parts = [self._part(assignment_id, state, now) for assignment_id, state in self._assignments.items()]
        return render(msg("progress.grading", assignments=" · ".join(parts)), self.language) if parts else ""

    def __rich__(self) -> Text:
        return Text(self.line(), overflow="ellipsis", no_wrap=True)  # plain text: a check's name is not markup

    def _part(self, assignment_id: str, state: _Assignment, now: float) -> str:
        waited = now - state.since
        if state.running is not None and waited >= WAITING_AFTER_S:
            return render(
                msg(
                    "progress.waiting",
                    id=assignment_id,
                    done=state.done,
                    total=state.total,
                    seconds=int(waited),
                    check=state.running,
                ),
                self.language,
            )
        return render(msg("progress.assignment", id=assignment_id, done=state.done, total=state.total), self.language)


@contextlib.contextmanager
def grading_status(console: Console, language: str) -> Iterator[Progress | None]:
    """The progress callback of a status line on ``console`` while the block runs; None (and no line)
    when ``console`` is not a terminal."""
    if not console.is_terminal:
        yield None
        return
    status = GradingStatus(language)
    # The student's output never reaches this process (workers print into capped buffers), so nothing
    # needs redirecting around the line.
    with Live(
        status, console=console, transient=True, refresh_per_second=4, redirect_stdout=False, redirect_stderr=False
    ):
        yield status.update
