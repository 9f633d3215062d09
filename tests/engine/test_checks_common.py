"""assignments/<id>/checks_common.py: what the public and the hidden check files of an assignment share."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.course import load_course
from grader.engine.checks.loader import load_checks
from grader.errors import CourseError
from tests.engine.helpers import REFERENCE, grade_source

COMMON = '''
import numpy as np

SHAPE = (3, 4)


def pair(rng):
    """Two arrays of SHAPE."""
    return rng.normal(size=SHAPE), rng.normal(size=SHAPE)
'''

PUBLIC = '''
from grader import check, expect

from .checks_common import pair


@check(points=1)
def add_public(student, rng):
    """add on a shared pair."""
    a, b = pair(rng)
    expect.close(student.add(a, b), a + b)
'''

HIDDEN = '''
from grader import check, expect

from .checks_common import SHAPE, pair


@check(points=1)
def add_hidden(student, reference, rng):
    """add on a shared pair, against the reference."""
    a, b = pair(rng)
    expect.shape(student.add(a, b), SHAPE)
    expect.close(student.add(a, b), reference.add(a, b))
'''


def _share(course: Path, common: str = COMMON) -> Path:
    (course / "assignments/vectors/checks_common.py").write_text(common)
    (course / "assignments/vectors/checks.py").write_text(PUBLIC)
    (course / "solutions/vectors/checks_hidden.py").write_text(HIDDEN)
    return course


def _load(course: Path, include_hidden: bool = True) -> list:
    return load_checks(load_course(course).assignment("vectors"), include_hidden=include_hidden)


def test_public_and_hidden_checks_import_one_shared_module(mini_course: Path) -> None:
    public, hidden = _load(_share(mini_course))
    assert (public.name, hidden.name) == ("add_public", "add_hidden")
    assert public.function.__globals__["pair"] is hidden.function.__globals__["pair"]  # one module, loaded once
    assignment = load_course(mini_course).assignment("vectors")
    assert [path.name for path in assignment.public_check_files] == ["checks.py"]  # not a check file itself
    assert [path.name for path in assignment.public_check_code] == ["checks.py", "checks_common.py"]


def test_a_submission_is_graded_with_the_shared_module(mini_course: Path) -> None:
    result = grade_source(_share(mini_course), REFERENCE)
    assert [check.status for check in result.checks] == ["passed", "passed"]
    assert grade_source(mini_course, REFERENCE, public_only=True).score == 1


def test_a_module_that_is_not_beside_the_public_checks_is_named_with_the_fix(mini_course: Path) -> None:
    _share(mini_course)
    (mini_course / "assignments/vectors/checks.py").write_text(PUBLIC.replace(".checks_common", ".helpers"))
    with pytest.raises(CourseError) as raised:
        _load(mini_course)
    assert "assignments/vectors/checks.py:4: there is no helpers.py in " in raised.value.message
    assert raised.value.message.endswith("assignments/vectors")
    assert "checks_common.py" in raised.value.fix


def test_the_hidden_checks_share_nothing_from_solutions(mini_course: Path) -> None:
    _share(mini_course)
    (mini_course / "solutions/vectors/checks_common.py").write_text(COMMON.replace("(3, 4)", "(9, 9)"))
    _, hidden = _load(mini_course)
    assert hidden.function.__globals__["SHAPE"] == (3, 4)  # from assignments/, which students have too


def test_an_error_in_the_shared_module_names_its_own_line(mini_course: Path) -> None:
    _share(mini_course, COMMON.replace("SHAPE = (3, 4)", "SHAPE = (3, 4)\nBROKEN = 1 / 0"))
    with pytest.raises(CourseError) as raised:
        _load(mini_course, include_hidden=False)
    assert "assignments/vectors/checks_common.py:5: ZeroDivisionError" in raised.value.message
    _share(mini_course, COMMON + "\ndef broken(:\n")
    with pytest.raises(CourseError) as raised:
        _load(mini_course, include_hidden=False)
    assert "assignments/vectors/checks_common.py:11: SyntaxError" in raised.value.message


def test_two_copies_of_a_course_in_one_process_each_use_their_own_shared_module(
    mini_course: Path, tmp_path: Path
) -> None:
    _share(mini_course)
    other = shutil.copytree(mini_course, tmp_path / "other")
    (other / "assignments/vectors/checks_common.py").write_text(COMMON.replace("(3, 4)", "(2, 2)"))
    first, second = _load(mini_course), _load(other)
    assert first[1].function.__globals__["SHAPE"] == (3, 4) and second[1].function.__globals__["SHAPE"] == (2, 2)
