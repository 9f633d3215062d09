"""``grader publish`` as one library call: stubs, release, bundle and the instructor's workflow."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.course import Course
from grader.errors import UsageError
from grader.publish.bundle import write_bundle
from grader.publish.files import write_text
from grader.publish.markers import write_stubs
from grader.publish.leaks import published_on_purpose
from grader.publish.release import write_release
from grader.publish.templates import template

RELEASE = "release"
BUNDLE = "autograder"
INSTRUCTOR_WORKFLOW = Path("instructor/.github/workflows/course.yml")


@dataclass(frozen=True)
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
    notes: tuple[str, ...] = ()
    """Where the release shows solution lines that course.yaml lists as published on purpose, with the reasons."""


def default_out(course: Course) -> Path:
    return course.root / "dist"


def publish(course: Course, out: Path) -> Published:
    """Regenerate the stubs, then write the release, the bundle (and its zip) and the workflow under ``out``."""
    out = Path(out).resolve()
    _require_outside_course_files(course, out)
    rewritten = write_stubs(course)
    skipped = write_release(course, out / RELEASE)
    archive = write_bundle(course, out / BUNDLE)
    write_text(out / INSTRUCTOR_WORKFLOW, template("workflows/instructor.yml"))
    notes = tuple(published_on_purpose(course, out / RELEASE))
    return Published(tuple(rewritten), tuple(skipped), out / RELEASE, out / BUNDLE, archive, out / INSTRUCTOR_WORKFLOW, notes)


def _require_outside_course_files(course: Course, out: Path) -> None:
    """``out`` may be inside the course folder (dist/), but never the folder itself or its content folders."""
    protected = [course.root, course.root / "assignments", course.solutions_dir]
    if out in protected or any(folder in out.parents for folder in protected[1:]):
        raise UsageError(f"--out {out}: would write into the course's own files", "choose a separate folder, e.g. --out dist")
