"""The student release: what students get, and the proof that nothing of solutions/ is in it.

Layout of ``<out>/release``::

    README.md                     how to install and run the grader (Korean, then English)
    course.yaml                   the student part of the instructor's course.yaml
    stubs.json                    each stub's fingerprint: tells a student's answer from the untouched stub
    assignments/<id>/<id>.py      the stub, generated from the reference
    assignments/<id>/<id>.ipynb   the same stub as a notebook, with the README (grader.frontends.notebook.stub)
    assignments/<id>/README*.md   the exercise's README(s)
    assignments/<id>/checks*.py   the public checks, and checks_common.py (what they share with the hidden ones)
    tools/grader-<v>-py3-none-any.whl   the grader (the instructor's version)
    tools/constraints.txt         its dependencies at the versions it was tested with (for the workflow)
    .github/workflows/grader.yml  runs the public checks on every push (advisory)
    .gitignore

Nothing else of assignments/ is copied (other files are reported), and the release is scanned for
leaks before it replaces the previous one (:func:`grader.frontends.publish.leaks.find_leaks`).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from grader.course import COURSE_FILE, Assignment, Course
from grader.course.markers import generate_stub
from grader.course.stubs import STUBS_FILE, manifest_text
from grader.errors import CourseError
from grader.frontends.notebook.stub import write_stub_notebook
from grader.frontends.publish.files import copy_file, publishable_files, replaced_directory, write_text
from grader.frontends.publish.leaks import find_leaks
from grader.frontends.publish.package import CONSTRAINTS, build_wheel, constraints, wheel_name
from grader.frontends.publish.templates import template
from grader.i18n import Msg, msg, render

# Every course.yaml key is either for students or instructor-only; publishing refuses a key that is
# neither, so that a new setting is never published (or dropped) without someone deciding.
STUDENT_KEYS = ("title", "seed", "language", "limits", "assignments")
INSTRUCTOR_ONLY_KEYS = ("autograder",)
STUDENT_ASSIGNMENT_KEYS = ("id", "title", "limits", "due", "late_policy", "submit")
# published_solution_lines names solution lines: publishing it would publish them.
INSTRUCTOR_ONLY_ASSIGNMENT_KEYS: tuple[str, ...] = ("published_solution_lines",)
STUDENT_FILE_PATTERNS = ("README*.md", "checks*.py")
"""Files of assignments/<id>/ that go to students besides the stub."""


def write_release(course: Course, target: Path) -> list[Path]:
    """Write the release to ``target`` (replacing it whole); returns the assignments/ files skipped."""
    skipped: list[Path] = []
    with replaced_directory(target) as staging:
        for assignment in course.assignments:
            folder = staging / "assignments" / assignment.id
            write_text(folder / assignment.stub.name, generate_stub(assignment))
            for path in student_files(assignment):
                copy_file(path, folder / path.name)
            write_stub_notebook(folder / assignment.stub.name, folder / "README.md", assignment.id)
            skipped += [
                path
                for path in publishable_files(assignment.public_dir)
                if path != assignment.stub and path not in student_files(assignment)
            ]
        write_text(staging / COURSE_FILE, public_course_yaml(course))
        write_text(staging / STUBS_FILE, manifest_text(course))
        build_wheel(staging / "tools")
        write_text(staging / "tools" / CONSTRAINTS, constraints())
        write_text(staging / "README.md", student_readme(course))
        write_text(staging / ".github" / "workflows" / "grader.yml", template("workflows/student.yml"))
        write_text(staging / ".gitignore", ".venv/\n__pycache__/\n")
        leaks = find_leaks(course, staging)
        if leaks:
            raise CourseError(
                "the student release would contain solutions: "
                + "; ".join(map(str, leaks[:10]))
                + ("; ..." if len(leaks) > 10 else ""),
                "state the mathematics instead of the code line (README, notebook, public checks and their hints), "
                "or list the line under the assignment's published_solution_lines in course.yaml with the reason",
            )
    return skipped


def student_files(assignment: Assignment) -> list[Path]:
    """The public files of an assignment that students get besides its stub."""
    found = {
        path for pattern in STUDENT_FILE_PATTERNS for path in assignment.public_dir.glob(pattern) if path.is_file()
    }
    return sorted(found - {assignment.stub})


def public_course_yaml(course: Course) -> str:
    """course.yaml without instructor-only settings (and without comments, which may hold notes)."""
    data = yaml.safe_load((course.root / COURSE_FILE).read_text(encoding="utf-8"))
    public = _public_part(data, STUDENT_KEYS, INSTRUCTOR_ONLY_KEYS, "")
    public["assignments"] = [
        _public_part(item, STUDENT_ASSIGNMENT_KEYS, INSTRUCTOR_ONLY_ASSIGNMENT_KEYS, f"assignments[{i}].")
        for i, item in enumerate(data["assignments"])
    ]
    header = "# Written by `grader publish` from the instructor's course.yaml (instructor-only settings removed).\n"
    return header + yaml.safe_dump(public, allow_unicode=True, sort_keys=False, width=100)


def student_readme(course: Course) -> str:
    """The release's README.md: Korean first, then English (as the assignments' READMEs)."""
    parts = []
    for language in ("ko", "en"):
        items = "\n".join(render(_assignment_line(a), language) for a in course.assignments)
        readme = msg(
            "publish.readme",
            title=course.title,
            wheel=wheel_name(),
            assignments=items,
            example=course.assignments[0].id,
        )
        parts.append(render(readme, language))
    return "\n\n".join(parts) + "\n"


def _assignment_line(assignment: Assignment) -> Msg:
    if assignment.due is None:
        return msg("publish.assignment", id=assignment.id, title=assignment.title)
    return msg(
        "publish.assignment_due", id=assignment.id, title=assignment.title, due=assignment.due.isoformat(" ", "minutes")
    )


def _public_part(data: dict, public: tuple[str, ...], private: tuple[str, ...], where: str) -> dict:
    unknown = [key for key in data if key not in public and key not in private]
    if unknown:
        raise CourseError(
            f"{COURSE_FILE}: grader publish does not know whether {where}{unknown[0]} is for students",
            "add the key to STUDENT_KEYS or INSTRUCTOR_ONLY_KEYS (or the assignment lists) in "
            "grader/frontends/publish/release.py",
        )
    return {key: value for key, value in data.items() if key in public}
