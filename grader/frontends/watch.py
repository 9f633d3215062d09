"""``grader grade --watch``: grade again whenever a submission file is saved, and redraw the report.

Fast because nothing is started twice: one :class:`~grader.sandbox.launcher.Launcher` (the fork
server) and the checks and references, loaded once, serve every re-grade; a save costs one worker
fork plus the assignment's checks. Only the assignment whose file changed is graded again; the others
keep their last result in the redrawn report.

Changes are found by polling ``os.stat`` (modification time, size, inode) of the few files each
assignment may be read from, every 50 ms. That is a handful of system calls per tick, needs no
dependency, and works where file-system events do not (network and container mounts, WSL, editors
that replace the file by renaming a new one over it). A change is graded once the files have been
quiet for 40 ms, so an editor's burst of writes (truncate, write, rename, chmod) is graded once, as a
whole; a change made while grading runs is noticed at the next tick and graded in turn.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.text import Text

from grader.course import Assignment, Course
from grader.engine.checks.coursecode import CourseCode
from grader.engine.grader import GradeOptions, Grader, select_assignments
from grader.engine.hidden import runs_hidden_checks
from grader.engine.results import AssignmentResult
from grader.engine.scoring import grade_report
from grader.frontends.report.status import grading_status
from grader.frontends.report.text import print_report
from grader.frontends.stopping import Stopped, stopped_by
from grader.frontends.submission import candidate_paths, locate, read_file
from grader.i18n import msg, render, resolve_language
from grader.sandbox.launcher import Launcher

POLL_S = 0.05
"""Seconds between two looks at the files."""
QUIET_S = 0.04
"""A change is graded once the files have not changed for this long (an editor's save burst)."""
SETTLE_POLL_S = 0.01
"""Seconds between two looks while a change settles."""
MAX_SETTLE_S = 1.0
"""A file written to without pause is graded after this long anyway."""

Signature = tuple[tuple[int, int, int] | None, ...]


@dataclass(frozen=True)
class Watched:
    """An assignment and the files it may be graded from."""

    assignment: Assignment
    """The assignment."""
    paths: tuple[Path, ...]
    """Every file its submission may be read from (a .py and an .ipynb in each place looked at)."""


def watched_files(course: Course, assignments: list[Assignment], submission: Path | None) -> list[Watched]:
    """The files to watch: the one given file, or every candidate path in the submission folder."""
    if submission is not None and Path(submission).is_file():
        return [Watched(assignments[0], (Path(submission),))]
    folder = Path(submission) if submission is not None else course.root / "assignments"
    return [Watched(a, tuple(candidate_paths(folder, a.id))) for a in assignments]


def signature(paths: tuple[Path, ...]) -> Signature:
    """What changes when any of ``paths`` is saved, created, replaced or removed."""
    states: list[tuple[int, int, int] | None] = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            states.append(None)
            continue
        states.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
    return tuple(states)


class WatchSession:
    """Grades on change; owns the fork server until :meth:`close`."""

    def __init__(
        self,
        course: Course,
        options: GradeOptions,
        submission: Path | None,
        console: Console,
        verbose: bool = False,
        workdirs: Path | None = None,
    ) -> None:
        self.course = course
        self.options = options
        self.language = resolve_language(options.language, course.language)
        """The language of its messages (``options.language``, or the course's, or the locale's)."""
        self.submission = submission
        self.console = console
        self.verbose = verbose
        assignments = select_assignments(course, options.assignment_ids)
        locate(course, [a.id for a in assignments], submission)  # the same usage errors as grade
        self.watched = watched_files(course, assignments, submission)
        self.hidden = runs_hidden_checks(course, options.public_only)
        self.code = CourseCode(reuse=True)  # checks and references loaded once for the whole session
        self.launcher = Launcher(denied_roots=course.instructor_only, base_dir=workdirs)
        self.results: dict[str, AssignmentResult] = {}

    def grade(self, watched: Watched) -> float:
        """Grade one assignment now; returns the seconds it took."""
        started = time.perf_counter()
        assignment = watched.assignment
        file = locate(self.course, [assignment.id], self.submission)[assignment.id]
        with grading_status(self.console, self.language) as progress:
            grader = Grader(
                self.course,
                dataclasses.replace(self.options, progress=progress),
                launcher=self.launcher,
                code=self.code,
            )
            self.results[assignment.id] = grader.grade_assignment(assignment, read_file(file))
        return time.perf_counter() - started

    def draw(self, graded: Assignment, seconds: float) -> None:
        """Redraw the report of every watched assignment, then what was just graded."""
        ordered = [self.results[w.assignment.id] for w in self.watched if w.assignment.id in self.results]
        report = grade_report(
            ordered, self.hidden, self.language, round(seconds, 3), self.course.autograder, self.launcher.layers
        )
        self.console.clear()
        print_report(report, self.console, self.verbose)
        result = self.results[graded.id]
        line = msg(
            "watch.graded",
            id=graded.id,
            time=datetime.now().strftime("%H:%M:%S"),
            seconds=f"{seconds:.2f}",
            score=f"{result.score:g}/{result.max_score:g}",
        )
        self.console.print(Text(render(line, self.language), style="bold"))
        count = sum(len(w.paths) for w in self.watched)
        self.console.print(Text(render(msg("watch.waiting", count=count), self.language), style="dim"))
        self.console.file.flush()  # a pipe (an IDE's terminal, a test) sees each result as it comes

    def run(self, keep_going: Callable[[], bool] = lambda: True) -> None:
        """Grade everything once, then again on every change, while ``keep_going()``."""
        seen = {w.assignment.id: signature(w.paths) for w in self.watched}
        for watched in self.watched:
            self.draw(watched.assignment, self.grade(watched))
        while keep_going():
            time.sleep(POLL_S)
            for watched in self.watched:
                if signature(watched.paths) != seen[watched.assignment.id]:
                    seen[watched.assignment.id] = settle(watched.paths)
                    self.draw(watched.assignment, self.grade(watched))

    def close(self) -> None:
        """Stop the fork server (it kills any worker still running)."""
        self.launcher.close()


def settle(paths: tuple[Path, ...]) -> Signature:
    """Wait until ``paths`` stop changing for :data:`QUIET_S` (at most :data:`MAX_SETTLE_S`); their signature then."""
    started = time.monotonic()
    last, quiet_since = signature(paths), time.monotonic()
    while time.monotonic() - quiet_since < QUIET_S and time.monotonic() - started < MAX_SETTLE_S:
        time.sleep(SETTLE_POLL_S)
        current = signature(paths)
        if current != last:
            last, quiet_since = current, time.monotonic()
    return last


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals that stop a watch as Ctrl-C does (a service manager, ``timeout``, a closed terminal)."""


def watch(
    course: Course, options: GradeOptions, submission: Path | None, console: Console, verbose: bool = False
) -> None:
    """Run a watch session until Ctrl-C, SIGTERM or SIGHUP; whichever ends it, the fork server is closed
    and no worker folder is left.

    The workers' folders are made in a folder of the session's own, removed last: a signal sent to the
    whole process group (a terminal closing, ``timeout``, ``kill -- -PGID``) also ends the fork server,
    before it can remove its workers' folders itself.
    """
    workdirs = Path(tempfile.mkdtemp(prefix="grader-watch-"))
    try:
        with stopped_by(*STOP_SIGNALS):
            _watch_until_stopped(course, options, submission, console, verbose, workdirs)
    except BaseException as error:
        if not is_stop(error):
            raise
        console.print(Text(render(msg("watch.stopped"), resolve_language(options.language, course.language))))
    finally:
        shutil.rmtree(workdirs, ignore_errors=True)


def _watch_until_stopped(
    course: Course,
    options: GradeOptions,
    submission: Path | None,
    console: Console,
    verbose: bool,
    workdirs: Path,
) -> None:
    session = WatchSession(course, options, submission, console, verbose, workdirs)
    try:
        session.run()
    finally:
        session.close()


def is_stop(error: BaseException | None) -> bool:
    """Whether ``error`` is Ctrl-C or a stop signal, or was raised while one unwound (its context): such as
    asking the fork server, ended by the same signal sent to the process group, to reap a worker."""
    while error is not None:
        if isinstance(error, (KeyboardInterrupt, Stopped)):
            return True
        error = error.__context__
    return False
