"""What ``grader batch`` is asked to do: how each student is graded, and what the batch adds to that."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from grader.engine.grader import GradeOptions
from grader.frontends.batch.discover import Shard


def default_jobs() -> int:
    """One grading process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True, kw_only=True)
class BatchOptions:
    """What to grade and how: ``grade`` says how each student is graded (the options of every front end);
    the rest is the batch's own. The command line fills it, library users may too."""

    submissions_dir: Path
    """One sub-folder or <student>.zip per student."""
    course_dir: Path | None = None
    """The course folder (holding course.yaml); None: the nearest one from the current folder upwards."""
    out_dir: Path = Path("grades")
    """Where results, gradebook and report go."""
    jobs: int = field(default_factory=default_jobs)
    """Grading processes to run in parallel."""
    shard: Shard = Shard()
    """This run's share of the class."""
    students: tuple[str, ...] = ()
    """Only these students (default: everyone in the shard)."""
    grade: GradeOptions = GradeOptions(language=None)
    """How each student is graded (language None: the course's, then the locale's)."""
    submitted_at: Path | None = None
    """A CSV file of each student's submission time (see :mod:`grader.frontends.batch.times`); without it, all are on
    time."""
    force: bool = False
    """Grade again even where a stored result is current."""
    memoize: bool = True
    """Memoize reference calls across students (off only to measure what it saves)."""
    reuse_identical: bool = True
    """Give a file identical to one already graded (same assignment, same text) that file's results."""
    allow_unconfined: bool = False
    """Grade hidden checks even where seccomp and Landlock cannot confine the students' code."""
