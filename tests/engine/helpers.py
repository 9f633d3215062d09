"""Grading a submission given as source text, for the engine's tests."""

from __future__ import annotations

import contextlib
from pathlib import Path

from grader.course import Course, load_course
from grader.engine.checks.coursecode import CourseCode
from grader.engine.grader import GradeOptions, Grader
from grader.engine.results import AssignmentResult, CheckResult, GradeReport
from grader.frontends.submission import grade_path
from grader.sandbox.launcher import Launcher

REFERENCE = (Path(__file__).parents[1] / "fixtures/mini_course/solutions/vectors/vectors.py").read_text()


def grade_files(
    course: Course,
    submission: Path | None,
    launcher: Launcher | None = None,
    code: CourseCode | None = None,
    **options: object,
) -> GradeReport:
    """Grade the files at ``submission`` as ``grader grade`` does (with a fork server of its own unless given;
    ``code``: the checks and references, as a batch keeps them)."""
    with contextlib.ExitStack() as stack:
        launcher = launcher or stack.enter_context(Launcher(denied_roots=course.instructor_only))
        grader = Grader(course, GradeOptions(**options), launcher=launcher, code=code, parallel=code is None)  # type: ignore[arg-type]
        return grade_path(grader, submission)


def grade_source(course_dir: Path, source: str, **options: object) -> AssignmentResult:
    """Grade ``source`` as the vectors submission of ``course_dir``; returns its assignment result."""
    submission = course_dir.parent / "submission"
    submission.mkdir(exist_ok=True)
    (submission / "vectors.py").write_text(source)
    (result,) = grade_files(load_course(course_dir), submission, **options).assignments
    return result


def with_checks(course_dir: Path, checks: str) -> Path:
    """``course_dir`` with its vectors assignment's public checks replaced by ``checks`` (a check file's text)."""
    (course_dir / "assignments/vectors/checks.py").write_text(checks)
    return course_dir


def by_name(result: AssignmentResult) -> dict[str, CheckResult]:
    return {check.name: check for check in result.checks}


def with_function(name: str, body: str) -> str:
    """The reference with function ``name`` replaced by ``body`` (a complete def)."""
    lines = REFERENCE.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {name}("))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("def ", "class "))), len(lines))
    return "".join(lines[:start]) + body.rstrip() + "\n\n\n" + "".join(lines[end:])
