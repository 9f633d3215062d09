"""The autograder bundles, in Gradescope's layout (a zip unpacks into /autograder/source)::

    setup.sh           installs Python and the grader's dependencies, pinned (once, when the image is built)
    run_autograder     grades /autograder/submission into /autograder/results/results.json
    requirements.txt   the grader's dependencies, at the versions its tests ran with
    grader/            the grader package (the instructor's version, run from here)
    course/            course.yaml, stubs.json, assignments/ (stubs, READMEs, public checks) and
                       solutions/ (references, hidden checks): readable by root only

Gradescope wants one autograder per assignment, so ``grader publish`` writes one bundle per assignment
(its course/ holds only that assignment: a student who submits only ``conv.py`` is graded on conv
alone) and one for the whole course (a course that collects every assignment in one submission).

Graded code runs in the grader's sandbox under a uid of its own (the grader runs as root there), behind
seccomp and Landlock; ``run_autograder`` refuses to grade when those cannot be applied (unless
AUTOGRADER_ALLOW_UNCONFINED=1), and the permissions keep solutions/ out of a worker's reach even then.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from grader.course import COURSE_FILE, Assignment, Course
from grader.course.markers import generate_stub
from grader.course.stubs import STUBS_FILE, manifest_text
from grader.frontends.publish.files import copy_file, publishable_files, replaced_directory, write_text, write_zip
from grader.frontends.publish.package import copy_package, pinned_requirements
from grader.frontends.publish.release import student_files
from grader.frontends.publish.templates import template

EXECUTABLE = 0o755
ROOT_ONLY_FILE = 0o600
ROOT_ONLY_DIR = 0o700


def write_bundle(course: Course, target: Path, assignments: Sequence[Assignment] | None = None) -> Path:
    """Write the bundle grading ``assignments`` (default: all of the course's) to ``target``, replacing it
    whole, and its zip next to it; returns the zip."""
    chosen = tuple(assignments) if assignments is not None else course.assignments
    with replaced_directory(target) as staging:
        write_text(staging / "setup.sh", template("autograder/setup.sh"), EXECUTABLE)
        write_text(staging / "run_autograder", template("autograder/run_autograder.sh"), EXECUTABLE)
        write_text(staging / "requirements.txt", "".join(f"{line}\n" for line in pinned_requirements()))
        copy_package(staging)
        _copy_course(course, chosen, staging / "course")
    archive = target.with_name(f"{target.name}.zip")
    write_zip(target, archive)
    return archive


def _copy_course(course: Course, assignments: Sequence[Assignment], target: Path) -> None:
    write_text(target / COURSE_FILE, _course_yaml(course, assignments))
    write_text(target / STUBS_FILE, manifest_text(course, assignments))
    for assignment in assignments:
        public = target / "assignments" / assignment.id
        write_text(public / assignment.stub.name, generate_stub(assignment))
        for path in student_files(assignment):
            copy_file(path, public / path.name)
        for path in publishable_files(assignment.solution_dir):
            copy_file(
                path, target / "solutions" / assignment.id / path.relative_to(assignment.solution_dir), ROOT_ONLY_FILE
            )
    for folder in [target / "solutions", *(p for p in (target / "solutions").rglob("*") if p.is_dir())]:
        folder.chmod(ROOT_ONLY_DIR)


def _course_yaml(course: Course, assignments: Sequence[Assignment]) -> str:
    """The instructor's course.yaml as it is for the whole course; for some assignments, with only their entries."""
    text = (course.root / COURSE_FILE).read_text(encoding="utf-8")
    if tuple(assignments) == course.assignments:
        return text
    data = yaml.safe_load(text)
    ids = {assignment.id for assignment in assignments}
    data["assignments"] = [item for item in data["assignments"] if item["id"] in ids]
    header = (
        f"# Written by `grader publish`: the instructor's course.yaml for the autograder of {', '.join(sorted(ids))}.\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
