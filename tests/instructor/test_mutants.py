"""Mutants: the operators, where they apply, the seeded selection, and grading them in the sandbox."""

from __future__ import annotations

import difflib
import time
from collections import Counter
from pathlib import Path

import pytest

from grader.course import load_course
from grader.engine.grader import GradeOptions, Grader
from grader.engine.source import Source
from grader.frontends.selftest.mutants import generate_mutants, mutation_test, select_mutants
from grader.sandbox.launcher import Launcher
from tests.instructor.helpers import MINI_COURSE, copy_course, replace_in

SOURCE = '''import numpy as np


def f(a, b, X, W, x, c):
    """Every operator has something to change below."""
    # BEGIN SOLUTION
    d = a - b
    s = np.sum(X @ W, axis=0)
    g = -x.T
    h = (1 - a ** 2) * b
    y = np.exp(a + b) * c
    if a > 0:
        a -= b
    return d, s
    # END SOLUTION


def untouched(a, b):
    return a - b
'''
BLOCK = range(7, 15)  # the lines strictly between the markers

EXPECTED = [
    ("sign flip", "    d = a + b"),
    ("swapped operands", "    d = b - a"),
    ("dropped term", "    d = a"),
    ("dropped term", "    d = -b"),
    ("transposed matrix", "    s = np.sum(X.T @ W, axis=0)"),
    ("transposed matrix", "    s = np.sum(X @ W.T, axis=0)"),
    ("changed axis", "    s = np.sum(X @ W, axis=1)"),
    ("changed axis", "    s = np.sum(X @ W, axis=None)"),
    ("changed reduction", "    s = np.mean(X @ W, axis=0)"),
    ("sign flip", "    g = x.T"),
    ("transposed matrix", "    g = -x"),
    ("constant off by one", "    h = (2 - a ** 2) * b"),
    ("constant off by one", "    h = (1 - a ** 3) * b"),
    ("dropped term", "    h = b"),
    ("dropped call", "    y = (a + b) * c"),  # parentheses keep the intended tree
    ("changed comparison", "    if a >= 0:"),
    ("sign flip", "        a += b"),
    ("swapped operands", "    return s, d"),
]


@pytest.fixture(scope="module")
def mutants() -> list:
    return generate_mutants(SOURCE, "ref.py")


@pytest.mark.parametrize("operator, line", EXPECTED, ids=[f"{op}: {line.strip()}" for op, line in EXPECTED])
def test_each_kind_of_mistake_is_generated(mutants: list, operator: str, line: str) -> None:
    assert (operator, line) in {(m.operator, m.mutated) for m in mutants}


def test_only_solution_blocks_are_mutated_and_each_mutant_changes_one_line(mutants: list) -> None:
    original = SOURCE.splitlines()
    assert len(mutants) > len(EXPECTED)
    for mutant in mutants:
        assert mutant.line in BLOCK
        changed = [i + 1 for i, (old, new) in enumerate(zip(original, mutant.source.splitlines())) if old != new]
        assert changed == [mutant.line] and len(mutant.source.splitlines()) == len(original)
        assert mutant.original == original[mutant.line - 1]
        compile(mutant.source, "mutant.py", "exec")
    assert len({m.source for m in mutants}) == len(mutants)  # no duplicates


def test_messages_and_tuples_of_axes_are_left_alone() -> None:
    source = (
        "def f(x, n):\n    # BEGIN SOLUTION\n"
        '    if x.ndim != 4:\n        raise ValueError(f"expected 4 axes, got {x.shape[0]}")\n'
        "    return x.sum(axis=(0, 2, 3))\n    # END SOLUTION\n"
    )
    mutated = {m.mutated.strip() for m in generate_mutants(source, "ref.py")}
    assert "if x.ndim != 5:" in mutated and "return x.mean(axis=(0, 2, 3))" in mutated
    assert not any("raise ValueError" in line for line in mutated)  # only its f-string could change
    assert not any("(2, 0, 3)" in line or "(0, 3, 2)" in line for line in mutated)  # same reduction, reordered
    assert "return x.sum(axis=(1, 2, 3))" in mutated  # a changed axis is still a mutant


def test_a_negative_axis_losing_its_sign_is_a_changed_axis() -> None:
    source = "def f(x):\n    # BEGIN SOLUTION\n    return x.sum(axis=-1) - x\n    # END SOLUTION\n"
    kinds = {m.mutated.strip(): m.operator for m in generate_mutants(source, "ref.py")}
    assert kinds["return x.sum(axis=1) - x"] == "changed axis" and kinds["return x.sum(axis=-1) + x"] == "sign flip"


def test_the_diff_is_the_one_changed_line_with_its_number(mutants: list) -> None:
    mutant = next(m for m in mutants if m.mutated == "    d = b - a")
    assert mutant.diff("solutions/x/x.py").splitlines() == [
        "--- solutions/x/x.py",
        f"+++ solutions/x/x.py (mutant {mutant.number}: swapped operands)",
        "@@ -7 +7 @@",
        "-    d = a - b",
        "+    d = b - a",
    ]


def test_selection_is_seeded_capped_spread_over_operators_and_in_source_order(mutants: list) -> None:
    chosen = select_mutants(mutants, 11, "7:f")
    assert chosen == select_mutants(mutants, 11, "7:f")
    assert len(chosen) == 11 and [m.number for m in chosen] == sorted(m.number for m in chosen)
    operators = {m.operator for m in mutants}
    assert len(operators) <= 11 and {m.operator for m in chosen} == operators
    counts = Counter(m.operator for m in chosen)
    assert max(counts.values()) - min(counts.values()) <= 1 or len(operators) < 11
    seeds = {tuple(m.number for m in select_mutants(mutants, 11, f"7:{seed}")) for seed in range(5)}
    assert len(seeds) > 1  # the seed matters
    assert select_mutants(mutants, 1000, "7:f") == mutants


# -- graded in the sandbox ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("sandbox")
    base.chmod(0o755)
    with Launcher(base_dir=base) as launcher:
        yield launcher


def _mutation_test(course_dir: Path, launcher: Launcher, **options: object):
    course = load_course(course_dir)
    assignment = course.assignment("vectors")
    grader = Grader(course, GradeOptions(), launcher=launcher)
    reference_result = grader.grade_assignment(assignment, Source(assignment.reference.read_text(), "ref"))
    assert reference_result.score == reference_result.max_score
    return mutation_test(course, assignment, reference_result, launcher, **options)


def _diffs(outcomes) -> set[tuple[str, str]]:
    return {(o.mutant.original.strip(), o.mutant.mutated.strip()) for o in outcomes}


def test_the_mini_course_checks_catch_wrong_sums_but_not_an_untested_boundary(
    mini_course: Path, launcher: Launcher
) -> None:
    report = _mutation_test(mini_course, launcher, max_mutants=1000)
    assert (
        report.generated
        == len(report.outcomes)
        == len(generate_mutants((mini_course / "solutions/vectors/vectors.py").read_text(), "v"))
    )
    caught = {o.mutant.mutated.strip(): o.caught_by for o in report.outcomes if o.caught}
    assert caught["return a - b"] in ("add_small", "add_random")
    assert caught["self.count -= 1"] == "counter_counts"
    # No check calls safe_sqrt(0) or safe_sqrt of a positive number: these wrong variants survive.
    assert {("if x < 0:", "if x <= 0:"), ("return float(np.sqrt(x))", "return float(x)")} <= _diffs(report.survivors)
    assert report.caught + len(report.survivors) == len(report.outcomes) and 0 < report.score < 100
    assert report.idle_checks == ()


def test_a_new_check_catches_the_survivors_it_targets(mini_course: Path, launcher: Launcher) -> None:
    with (mini_course / "solutions/vectors/checks_hidden.py").open("a") as checks:
        checks.write(
            "\n\n@check(points=1)\ndef sqrt_values(student):\n"
            "    expect.close(student.safe_sqrt(0.0), 0.0)\n    expect.close(student.safe_sqrt(4.0), 2.0)\n"
        )
    report = _mutation_test(mini_course, launcher, max_mutants=1000)
    by_line = {(o.mutant.original.strip(), o.mutant.mutated.strip()): o for o in report.outcomes}
    assert by_line[("if x < 0:", "if x <= 0:")].caught_by == "sqrt_values"
    assert by_line[("return float(np.sqrt(x))", "return float(x)")].caught_by == "sqrt_values"


def test_a_check_that_no_mutant_fails_is_reported(mini_course: Path, launcher: Launcher) -> None:
    with (mini_course / "solutions/vectors/checks_hidden.py").open("a") as checks:
        checks.write(
            "\n\n@check(points=1)\ndef add_exists(student):\n"
            "    expect.true(student.add is not None, 'add is missing')\n"
        )
    report = _mutation_test(mini_course, launcher, max_mutants=1000)
    assert report.idle_checks == ("add_exists",)


@pytest.mark.slow
def test_a_hanging_mutant_is_caught_by_a_timeout_far_below_the_course_limit(tmp_path: Path, launcher: Launcher) -> None:
    course = copy_course(MINI_COURSE, tmp_path / "course")
    replace_in(course / "course.yaml", "limits: {timeout: 2}", "limits: {timeout: 60}")
    # A counting loop: the mutant that runs the counter backwards never ends.
    replace_in(
        course / "solutions/vectors/vectors.py",
        "    return float(np.sqrt(np.sum(x * x)))\n",
        "    rounds = 0\n    while rounds < 3:\n        rounds += 1\n    return float(np.sqrt(np.sum(x * x)))\n",
    )
    started = time.perf_counter()
    report = _mutation_test(course, launcher, max_mutants=1000)
    hanging = next(o for o in report.outcomes if o.mutant.mutated.strip() == "rounds -= 1")
    assert hanging.status == "timeout" and hanging.caught_by == "norm_345"
    assert time.perf_counter() - started < 45


def test_unified_diff_agrees_with_difflib(mutants: list) -> None:
    mutant = mutants[0]
    lines = list(difflib.unified_diff(SOURCE.splitlines(), mutant.source.splitlines(), n=0, lineterm=""))
    assert lines[2:] == mutant.diff("x").splitlines()[2:]
