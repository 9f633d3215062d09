"""``grader publish`` as one library call: stubs, release, bundle and the instructor's workflow."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.course import Course
from grader.course.markers import write_stubs
from grader.errors import UsageError
from grader.frontends.publish.bundle import write_bundle
from grader.frontends.publish.files import replaced_directory, write_text
from grader.frontends.publish.leaks import published_on_purpose
from grader.frontends.publish.package import constraints
from grader.frontends.publish.release import write_release
from grader.frontends.publish.templates import template

RELEASE = "release"
BUNDLE = "autograder"
ASSIGNMENT_BUNDLES = "autograders"
INSTRUCTOR_WORKFLOW = Path("instructor/.github/workflows/course.yml")
INSTRUCTOR_CONSTRAINTS = Path("instructor/.github/grader-constraints.txt")


@dataclass(frozen=True, kw_only=True)
class Published:
    """What ``publish`` wrote."""

    stubs_rewritten: tuple[Path, ...]
    """Committed stubs that were stale and have been regenerated."""
    skipped: tuple[Path, ...]
    """Files of assignments/ that are not part of the release (only stubs, READMEs and public checks are)."""
    release: Path
    bundle: Path
    bundle_zip: Path
    instructor_workflow: Path
    assignment_bundles: tuple[Path, ...] = ()
    """One autograder zip per assignment (``autograders/<id>.zip``), in course order."""
    notes: tuple[str, ...] = ()
    """Where the release shows solution lines that course.yaml lists as published on purpose, with the reasons."""


def default_out(course: Course) -> Path:
    return course.root / "dist"


def publish(course: Course, out: Path) -> Published:
    """Regenerate the stubs, then write the release, the bundles (and their zips) and the workflow under ``out``."""
    out = Path(out).resolve()
    _require_outside_course_files(course, out)
    rewritten = write_stubs(course)
    skipped = write_release(course, out / RELEASE)
    archive = write_bundle(course, out / BUNDLE)
    per_assignment = _write_assignment_bundles(course, out / ASSIGNMENT_BUNDLES)
    write_text(out / INSTRUCTOR_WORKFLOW, template("workflows/instructor.yml"))
    write_text(out / INSTRUCTOR_CONSTRAINTS, constraints())
    notes = tuple(published_on_purpose(course, out / RELEASE))
    return Published(
        stubs_rewritten=tuple(rewritten),
        skipped=tuple(skipped),
        release=out / RELEASE,
        bundle=out / BUNDLE,
        bundle_zip=archive,
        instructor_workflow=out / INSTRUCTOR_WORKFLOW,
        assignment_bundles=per_assignment,
        notes=notes,
    )


def _write_assignment_bundles(course: Course, target: Path) -> tuple[Path, ...]:
    """``target/<id>/`` and ``target/<id>.zip`` for every assignment; the folder is replaced whole, so the
    bundle of an assignment removed from the course does not linger."""
    with replaced_directory(target) as staging:
        for assignment in course.assignments:
            write_bundle(course, staging / assignment.id, (assignment,))
    return tuple(target / f"{assignment.id}.zip" for assignment in course.assignments)


def _require_outside_course_files(course: Course, out: Path) -> None:
    """``out`` may be inside the course folder (dist/), but never the folder itself or its content folders."""
    protected = [course.root, course.root / "assignments", course.solutions_dir]
    if out in protected or any(folder in out.parents for folder in protected[1:]):
        raise UsageError(
            f"--out {out}: would write into the course's own files", "choose a separate folder, e.g. --out dist"
        )
