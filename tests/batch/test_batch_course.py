"""The bundled course graded as a class: a batch (parallel, memoized reference) agrees with `grade` on every check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.course import load_course
from grader.frontends.batch.options import BatchOptions
from grader.frontends.batch.runner import run_batch
from grader.frontends.report.jsonreport import to_dict
from tests.batch.helpers import results
from tests.course.variants import variants
from tests.engine.helpers import grade_files

ROOT = Path(__file__).resolve().parents[2]


def outcome(document: dict) -> list[tuple[str, str, str, float]]:
    return [(a["id"], c["name"], c["status"], c["score"]) for a in document["assignments"] for c in a["checks"]]


@pytest.mark.slow
def test_a_small_class_of_the_bundled_course_is_graded_as_grade_grades_each_student(tmp_path: Path) -> None:
    course = load_course(ROOT)
    subs = tmp_path / "subs"
    buggy = {a.id: [v.write(tmp_path / "variants" / a.id) for v in variants(a.id)] for a in course.assignments}
    students = {
        "reference": {a.id: a.reference for a in course.assignments},
        "stubs": {a.id: a.stub for a in course.assignments},
        "buggy": {a.id: buggy[a.id][0] for a in course.assignments},
        "mixed": {a.id: (a.reference if i % 2 else buggy[a.id][-1]) for i, a in enumerate(course.assignments)},
    }
    for student, files in students.items():
        (subs / student).mkdir(parents=True)
        for assignment_id, source in files.items():
            shutil.copyfile(source, subs / student / f"{assignment_id}.py")
    summary = run_batch(BatchOptions(submissions_dir=subs, course_dir=ROOT, out_dir=tmp_path / "out", jobs=2))
    assert (summary.graded, summary.failed) == (4, 0)
    stored = results(tmp_path / "out")
    for student in students:
        expected = to_dict(grade_files(course, subs / student, language=stored[student]["language"]))
        assert outcome(stored[student]) == outcome(expected), student
    assert stored["reference"]["score"] > stored["buggy"]["score"] and stored["stubs"]["score"] == 0
