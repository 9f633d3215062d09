"""The autograder bundle, in Gradescope's layout (its zip unpacks into /autograder/source)::

    setup.sh           installs Python and the grader's dependencies (once, when the image is built)
    run_autograder     grades /autograder/submission into /autograder/results/results.json
    requirements.txt   the grader's dependencies
    grader/            the grader package (the instructor's version, run from here)
    course/            course.yaml (complete), assignments/ (stubs, READMEs, public checks) and
                       solutions/ (references, hidden checks): readable by root only

Graded code runs in the grader's sandbox under a uid of its own (the grader runs as root there), behind
seccomp and Landlock; ``run_autograder`` refuses to grade when those cannot be applied (unless
AUTOGRADER_ALLOW_UNCONFINED=1), and the permissions keep solutions/ out of a worker's reach even then.
"""

from __future__ import annotations

from pathlib import Path

from grader.course import COURSE_FILE, Course
from grader.publish.files import copy_file, publishable_files, replaced_directory, write_text, write_zip
from grader.publish.markers import generate_stub
from grader.publish.package import copy_package, requirements
from grader.publish.release import student_files
from grader.publish.templates import template

EXECUTABLE = 0o755
ROOT_ONLY_FILE = 0o600
ROOT_ONLY_DIR = 0o700


def write_bundle(course: Course, target: Path) -> Path:
    """Write the bundle to ``target`` (replacing it whole) and its zip next to it; returns the zip."""
    with replaced_directory(target) as staging:
        write_text(staging / "setup.sh", template("autograder/setup.sh"), EXECUTABLE)
        write_text(staging / "run_autograder", template("autograder/run_autograder.sh"), EXECUTABLE)
        write_text(staging / "requirements.txt", "".join(f"{line}\n" for line in requirements()))
        copy_package(staging)
        _copy_course(course, staging / "course")
    archive = target.with_name(f"{target.name}.zip")
    write_zip(target, archive)
    return archive


def _copy_course(course: Course, target: Path) -> None:
    copy_file(course.root / COURSE_FILE, target / COURSE_FILE)
    for assignment in course.assignments:
        public = target / "assignments" / assignment.id
        write_text(public / assignment.stub.name, generate_stub(assignment))
        for path in student_files(assignment):
            copy_file(path, public / path.name)
        for path in publishable_files(assignment.solution_dir):
            copy_file(path, target / "solutions" / assignment.id / path.relative_to(assignment.solution_dir), ROOT_ONLY_FILE)
    for folder in [target / "solutions", *(p for p in (target / "solutions").rglob("*") if p.is_dir())]:
        folder.chmod(ROOT_ONLY_DIR)
