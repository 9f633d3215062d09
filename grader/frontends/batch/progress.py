"""The terminal side of a batch: a progress bar while grading and the one-line summary at the end."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from grader.frontends.batch.process import Outcome
from grader.i18n import msg, render


class ProgressDisplay:
    """A rich progress bar: done/total, failed, rate and time left; does nothing without a console."""

    def __init__(self, console: Console | None, total: int, language: str = "en") -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.reused_files = 0
        self.started = time.perf_counter()
        failed = render(
            msg("batch.progress_failed", count="{task.fields[failed]}"), language
        )  # a template: rich fills it in
        self.progress = Progress(
            TextColumn(f"[bold]{render(msg('batch.progress_grading'), language)}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(f"[red]{failed}"),
            TextColumn("{task.fields[rate]}/s"),
            TimeElapsedColumn(),
            TextColumn(render(msg("batch.progress_left"), language)),
            TimeRemainingColumn(),
            console=console,
            disable=console is None,
            transient=False,
        )
        self.task = self.progress.add_task("grading", total=total, failed=0, rate="0.0")

    def __enter__(self) -> ProgressDisplay:
        self.progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.progress.stop()

    def advance(self, outcome: Outcome) -> None:
        """Count one finished student."""
        self.done += 1
        self.failed += not outcome.graded
        self.reused_files += outcome.reused_files
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        self.progress.update(self.task, advance=1, failed=self.failed, rate=f"{self.done / elapsed:.1f}")

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started
