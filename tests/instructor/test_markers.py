"""Stubs from solution markers: the rule, every way markers can be wrong, and stale stubs."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import load_course
from grader.course.markers import solution_blocks, stale_stubs, strip_solutions, write_stubs
from grader.errors import CourseError
from tests.instructor.helpers import ROOT, replace_in

REFERENCE = '''import numpy as np


def f(x):
    """Doc."""
    # BEGIN SOLUTION
    y = x * 2
    return y
    # END SOLUTION


class C:
    def g(self):
        # BEGIN SOLUTION
        if True:
            return 1
        # END SOLUTION
'''


def test_each_block_becomes_one_raise_at_the_marker_indentation() -> None:
    assert (
        strip_solutions(REFERENCE, "ref.py")
        == '''import numpy as np


def f(x):
    """Doc."""
    raise NotImplementedError


class C:
    def g(self):
        raise NotImplementedError
'''
    )


def test_windows_line_endings_are_kept() -> None:
    stub = strip_solutions(REFERENCE.replace("\n", "\r\n"), "ref.py")
    assert stub == strip_solutions(REFERENCE, "ref.py").replace("\n", "\r\n")


def test_blocks_report_their_lines() -> None:
    blocks = solution_blocks(REFERENCE, "ref.py")
    assert [(b.begin, b.end, b.indent) for b in blocks] == [(6, 9, "    "), (14, 17, "        ")]
    assert blocks[0].contains(6) and blocks[0].contains(9) and not blocks[0].contains(10)


@pytest.mark.parametrize(
    "text, line, words",
    [
        (
            "def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    pass\n    # END SOLUTION\n",
            3,
            "inside the block opened at line 2",
        ),
        ("def f():\n    pass\n    # END SOLUTION\n", 3, "without a BEGIN SOLUTION"),
        ("def f():\n    # BEGIN SOLUTION\n    pass\n", 2, "never closed"),
        ("def f():\n    #BEGIN SOLUTION\n    pass\n    # END SOLUTION\n", 2, "malformed solution marker"),
        ("def f():\n    # BEGIN SOLUTION\n    return 1  # END SOLUTION\n", 3, "malformed solution marker"),
        ("def f():\n    # begin solution\n    return 1\n", 2, "malformed solution marker"),
    ],
    ids=["nested", "end-without-begin", "begin-never-closed", "no-space", "trailing-marker", "lower-case"],
)
def test_bad_markers_are_course_errors_naming_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(CourseError) as error:
        strip_solutions(text, "solutions/x/x.py")
    assert f"solutions/x/x.py:{line}: " in error.value.message and words in error.value.message


def test_a_reference_without_blocks_would_publish_the_solution_and_is_refused() -> None:
    with pytest.raises(CourseError, match="no `# BEGIN SOLUTION` block"):
        strip_solutions("def f(x):\n    return x\n", "ref.py")


def test_markers_that_cut_a_statement_give_an_error_instead_of_a_broken_stub() -> None:
    text = "def f(x):\n    return (\n    # BEGIN SOLUTION\n        x\n    # END SOLUTION\n    )\n"
    with pytest.raises(CourseError, match="not valid Python"):
        strip_solutions(text, "ref.py")


def test_stale_stubs_are_found_and_rewritten(mini_course: Path) -> None:
    course = load_course(mini_course)
    assert stale_stubs(course) == [] and write_stubs(course) == []
    stub = mini_course / "assignments/vectors/vectors.py"
    good = stub.read_text()
    replace_in(stub, "def norm(x):", "def norm(x, y):")
    assert stale_stubs(course) == [stub]
    assert write_stubs(course) == [stub]
    assert stub.read_text() == good and stale_stubs(course) == []


def test_a_broken_reference_stops_before_any_stub_is_written(mini_course: Path) -> None:
    stub = mini_course / "assignments/vectors/vectors.py"
    stub.write_text("stale\n")
    replace_in(mini_course / "solutions/vectors/vectors.py", "    # END SOLUTION\n\n\nclass", "\n\nclass")
    with pytest.raises(CourseError):
        write_stubs(load_course(mini_course))
    assert stub.read_text() == "stale\n"


def test_the_bundled_course_stubs_are_in_step_with_their_solutions() -> None:
    assert stale_stubs(load_course(ROOT)) == []
