"""The pool of grading processes: hand out tasks, collect outcomes, survive deaths, stop cleanly.

Grading is CPU-bound Python in the trusted parent (checks, references, gradient checks), so the pool
uses processes, each a :func:`grader.frontends.batch.process.serve` loop with its own fork server. Each process
has its own pipe and gets its next task only when it answers, so there is no shared queue whose lock
a dying process could take with it. A process that dies mid-task is replaced and its student tried
again; a student on whom two processes die is recorded as an error, and the batch goes on. On any exit from
:meth:`Pool.run` (Ctrl-C included) every process is
asked to stop with SIGTERM, which unwinds its cleanup (workers killed, fork server closed, temporary
files removed), and is killed if it has not exited within a grace period.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from grader.errors import GraderError
from grader.frontends.batch.process import BatchSettings, Outcome, Task, save_record, serve
from grader.frontends.batch.records import StudentRecord, now
from grader.i18n import msg, render

STOP_GRACE_S = 10.0
"""How long a process asked to stop may take to clean up before it is killed."""
MAX_FAILED_STARTS = 3
"""Processes dying before their first answer, after which the batch gives up (something is broken)."""
MAX_DEATHS_PER_STUDENT = 2
"""Grading processes that may die on one student before that student is recorded as an error."""
_POLL_S = 0.25


class PoolError(GraderError):
    """The grading processes cannot run at all (not one student's problem)."""


@dataclass
class _Slot:
    """One grading process and the task it is on."""

    process: BaseProcess
    conn: Connection
    task: Task | None = None
    answered: bool = False


class Pool:
    """Runs tasks on ``jobs`` grading processes; ``on_outcome`` hears about every student as they finish."""

    def __init__(self, settings: BatchSettings, jobs: int, on_outcome: Callable[[Outcome], None]) -> None:
        self.settings = settings
        self.jobs = jobs
        self.on_outcome = on_outcome
        self.context = multiprocessing.get_context("spawn")  # fresh interpreters: nothing inherited from the CLI
        self.slots: list[_Slot] = []
        """Processes that may still answer."""
        self.retired: list[_Slot] = []
        """Processes told to finish (or found dead), still to be joined."""
        self.failed_starts = 0
        self.deaths: Counter[str] = Counter()
        """Grading processes that died on each student."""

    def run(self, tasks: list[Task]) -> None:
        """Grade every task; returns when all are done, raises on Ctrl-C after stopping the processes."""
        pending = deque(tasks)
        try:
            for _ in range(min(self.jobs, len(pending))):
                self._feed(self._start(), pending)
            while self.slots:
                self._step(pending)
        finally:
            self._stop_all()

    # -- the loop ------------------------------------------------------------------------------------
    def _step(self, pending: deque[Task]) -> None:
        by_conn = {id(slot.conn): slot for slot in self.slots}
        by_sentinel = {slot.process.sentinel: slot for slot in self.slots}
        for ready in wait([s.conn for s in self.slots] + list(by_sentinel), timeout=_POLL_S):
            slot = by_sentinel.get(ready) if isinstance(ready, int) else by_conn.get(id(ready))
            if slot is not None and slot in self.slots and not self._serve(slot, pending):
                self._lost(slot, pending)

    def _serve(self, slot: _Slot, pending: deque[Task]) -> bool:
        """Take what ``slot`` has sent (an answer may be waiting even if it has just died); False once it is gone."""
        while slot in self.slots and slot.conn.poll():
            try:
                answer = slot.conn.recv()
            except (EOFError, OSError):
                return False
            if isinstance(answer, str):  # it could not start: the same would happen to every process
                raise PoolError(
                    answer, "check that the course loads (`grader grade --course DIR`) and that /tmp is writable"
                )
            slot.answered, slot.task = True, None
            self.on_outcome(answer)
            if not self._feed(slot, pending):
                return False
        return slot not in self.slots or slot.process.is_alive()

    def _feed(self, slot: _Slot, pending: deque[Task]) -> bool:
        """Send ``slot`` its next task, or None to finish; False when its process is gone (the task goes back)."""
        task = pending.popleft() if pending else None
        try:
            slot.conn.send(task)
        except OSError:  # it died in between: the task was never started
            if task is not None:
                pending.appendleft(task)
            return False
        slot.task = task
        if task is None:
            self._retire(slot)  # it finishes and exits by itself
        return True

    def _lost(self, slot: _Slot, pending: deque[Task]) -> None:
        """The process died. Student code never runs here, so it was killed from outside (the OOM killer, a
        person): its student is tried once more, and recorded as an error if a second process dies on it."""
        self._retire(slot)
        slot.process.join(STOP_GRACE_S)  # its sentinel fired or its pipe closed: it is exiting, collect the code
        code = slot.process.exitcode
        if not slot.answered:
            self.failed_starts += 1
        if slot.task is not None:
            self.deaths[slot.task.student] += 1
            if self.deaths[slot.task.student] >= MAX_DEATHS_PER_STUDENT:
                self.on_outcome(_died(self.settings, slot.task, code))
            else:
                pending.appendleft(slot.task)
        if self.failed_starts >= MAX_FAILED_STARTS:
            raise PoolError(
                f"grading processes keep dying before grading anyone (exit code {code})",
                "run `grader grade --course DIR --submission ONE_STUDENT` to see the error",
            )
        if pending:
            self._feed(self._start(), pending)

    # -- processes -----------------------------------------------------------------------------------
    def _start(self) -> _Slot:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=serve, args=(self.settings, theirs), name="grader-batch", daemon=True)
        with _ignoring_sigint():  # a terminal's Ctrl-C reaches the whole process group: it is ours to handle
            process.start()
        theirs.close()
        slot = _Slot(process, ours)
        self.slots.append(slot)
        return slot

    def _retire(self, slot: _Slot) -> None:
        """Forget ``slot`` as a source of answers (its process exits by itself, or has already)."""
        if slot in self.slots:
            self.slots.remove(slot)
            self.retired.append(slot)

    def _stop_all(self) -> None:
        """Every process ends: asked with SIGTERM if still busy, killed after the grace period."""
        everyone = self.slots + self.retired
        for slot in self.slots:
            _signal(slot.process, signal.SIGTERM)
        for slot in everyone:
            slot.process.join(STOP_GRACE_S)
            if slot.process.is_alive():
                slot.process.kill()  # its fork server sees the pipe close and cleans up after itself
                slot.process.join()
            slot.conn.close()
        self.slots, self.retired = [], []


def _died(settings: BatchSettings, task: Task, exit_code: int | None) -> Outcome:
    """Record a student whose grading process died (the record is written here, by the runner)."""
    killed = exit_code is not None and exit_code < 0
    how = msg("batch.process_killed", signal=-exit_code) if killed else msg("batch.process_exited", code=exit_code)  # type: ignore[operator]
    record = StudentRecord(
        student=task.student,
        status="error",
        submission_hash=task.submission_hash,
        course_hash=settings.course_hash,
        report=None,
        error=render(how, settings.language),
        graded_at=now(),
        submitted_at=task.submitted_at,
    )
    return save_record(settings.options.out_dir, record, language=settings.language)


def _signal(process: BaseProcess, signum: int) -> None:
    if process.pid is not None and process.is_alive():
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signum)


@contextlib.contextmanager
def _ignoring_sigint() -> Iterator[None]:
    """Children started inside inherit SIGINT ignored from their first instruction (across exec too)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
