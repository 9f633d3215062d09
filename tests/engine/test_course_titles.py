"""Titles in course.yaml: one string for every language, or one per language, shown in the run's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import load_course
from grader.errors import CourseError
from grader.i18n import render
from tests.engine.helpers import REFERENCE, grade_files

TWO_LANGUAGES = (
    "title: {en: Mini course, ko: 미니 코스}\nassignments:\n  - id: vectors\n    title: {en: Vectors, ko: 벡터}\n"
)


def test_a_title_per_language_is_rendered_in_each(mini_course: Path) -> None:
    (mini_course / "course.yaml").write_text(TWO_LANGUAGES, encoding="utf-8")
    course = load_course(mini_course)
    assert render(course.title, "en") == "Mini course" and render(course.title, "ko") == "미니 코스"
    assert render(course.assignment("vectors").title, "ko") == "벡터"
    assert hash(course) == hash(load_course(mini_course)), "a course stays usable as a cache key"


@pytest.mark.parametrize("language, title", [("en", "Vectors"), ("ko", "벡터")])
def test_the_report_carries_the_title_in_the_runs_language(
    mini_course: Path, tmp_path: Path, language: str, title: str
) -> None:
    (mini_course / "course.yaml").write_text(TWO_LANGUAGES, encoding="utf-8")
    (tmp_path / "vectors.py").write_text(REFERENCE, encoding="utf-8")
    report = grade_files(load_course(mini_course), tmp_path, language=language)
    assert [result.title for result in report.assignments] == [title]


def test_a_missing_language_falls_back_to_english(mini_course: Path) -> None:
    (mini_course / "course.yaml").write_text(
        "title: {en: Only English}\nassignments:\n  - id: vectors\n", encoding="utf-8"
    )
    assert render(load_course(mini_course).title, "ko") == "Only English"


@pytest.mark.parametrize(
    "title, expected",
    [
        ("{fr: Cours}", ["course.yaml", "title", "has languages ['fr']", "allowed: en, ko"]),
        ("{}", ["course.yaml", "title", "has languages none"]),
        ("{en: ''}", ["course.yaml", "title.en", "must be a non-empty string"]),
        ("{en: [a, b]}", ["course.yaml", "title.en", "must be a non-empty string"]),
    ],
)
def test_a_bad_title_mapping_names_the_field_and_the_fix(mini_course: Path, title: str, expected: list[str]) -> None:
    (mini_course / "course.yaml").write_text(f"title: {title}\nassignments:\n  - id: vectors\n", encoding="utf-8")
    with pytest.raises(CourseError) as raised:
        load_course(mini_course)
    message = str(raised.value)
    assert all(fragment in message for fragment in expected), message
    assert "fix:" in message
