"""Numeric gradient checks through student.f.partial(...): many points per round trip, same verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.sandbox.session import StudentSession
from tests.engine.helpers import REFERENCE, by_name, grade_source, with_checks, with_function

CHECKS = """
import numpy as np
from grader import check, expect


@check(points=1)
def batched(student, rng):
    x, dout = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    f = student.scale.partial(expect.param("x"), 3.0)
    expect.vjp(f, at={"x": x}, dout=dout, got={"x": student.scale_backward(dout, x, 3.0)}, rng=rng)


@check(points=1)
def one_by_one(student, rng):
    x, dout = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    got = {"x": student.scale_backward(dout, x, 3.0)}
    expect.vjp(lambda x: student.scale(x, 3.0), at={"x": x}, dout=dout, got=got, rng=rng)
"""

FORWARD = "\n\ndef scale(x, k):\n    return np.tanh(k * x)\n"
RIGHT = "\n\ndef scale_backward(dout, x, k):\n    return dout * k * (1 - np.tanh(k * x) ** 2)\n"


def _source(backward: str) -> str:
    return REFERENCE + FORWARD + backward


def _count_requests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    requests: list[str] = []
    original = StudentSession.request

    def counting(self, message, during):  # type: ignore[no-untyped-def]
        requests.append(message["op"])
        return original(self, message, during)

    monkeypatch.setattr(StudentSession, "request", counting)
    return requests


def test_batched_and_one_by_one_give_the_same_verdicts(mini_course: Path) -> None:
    checks = by_name(grade_source(with_checks(mini_course, CHECKS), _source(RIGHT), public_only=True))
    assert checks["batched"].status == checks["one_by_one"].status == "passed"
    wrong = RIGHT.replace("dout * k *", "-dout * k *")
    checks = by_name(grade_source(with_checks(mini_course, CHECKS), _source(wrong), public_only=True))
    assert checks["batched"].status == checks["one_by_one"].status == "failed"
    assert checks["batched"].hint == checks["one_by_one"].hint and "opposite sign" in checks["batched"].hint


@pytest.mark.parametrize("check", ["batched", "one_by_one"])
def test_batching_turns_forty_round_trips_into_a_few(
    mini_course: Path, monkeypatch: pytest.MonkeyPatch, check: str
) -> None:
    with_checks(
        mini_course, CHECKS.split("@check")[0] + "@check" + CHECKS.split("@check")[1 if check == "batched" else 2]
    )
    requests = _count_requests(monkeypatch)
    grade_source(mini_course, _source(RIGHT), public_only=True)
    round_trips = len(requests) - requests.count("load")
    # The point, the noise probe (7) and 20 coordinates (two points each): one by one that is 48 round trips.
    assert round_trips >= 48 if check == "one_by_one" else round_trips <= 8


def test_a_student_error_inside_a_batch_surfaces_from_its_own_call(mini_course: Path) -> None:
    source = REFERENCE + (
        "\n\ncalls = 0\n\n\ndef scale(x, k):\n    global calls\n    calls += 1\n"
        "    if calls > 3:\n        raise ValueError(f'call {calls} failed')\n    return np.tanh(k * x)\n"
        "\n\ndef scale_backward(dout, x, k):\n    return dout\n"
    )
    checks = by_name(grade_source(with_checks(mini_course, CHECKS), source, public_only=True))
    check = checks["batched"]
    assert check.status == "error" and "ValueError" in check.message
    assert "raise ValueError" in check.traceback


EACH_CHECKS = """
from grader import check, expect


@check(points=1)
def grid(student):
    points = [{"x": float(x)} for x in range(10)]
    answers = student.scale.partial(expect.param("x"), 2.0).each(points)
    expect.equal(answers, [float(2 * x) for x in range(10)])
"""


def test_each_answers_a_grid_in_one_round_trip(mini_course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_checks(mini_course, EACH_CHECKS)
    requests = _count_requests(monkeypatch)
    result = grade_source(mini_course, REFERENCE + "\n\ndef scale(x, k):\n    return x * k\n", public_only=True)
    assert by_name(result)["grid"].status == "passed"
    assert requests.count("call_many") == 1 and "call" not in requests


def test_each_raises_the_student_error_from_the_call_that_caused_it(mini_course: Path) -> None:
    with_checks(mini_course, EACH_CHECKS)
    source = (
        REFERENCE + "\n\ndef scale(x, k):\n    if x == 7:\n        raise ZeroDivisionError('seven')\n    return x * k\n"
    )
    check = by_name(grade_source(mini_course, source, public_only=True))["grid"]
    assert check.status == "error" and "ZeroDivisionError" in check.message and "seven" in check.message
    assert "raise ZeroDivisionError" in check.traceback


def test_second_looks_at_suspect_entries_are_batched_too(mini_course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_checks(mini_course, CHECKS.split("@check")[0] + "@check" + CHECKS.split("@check")[1])
    requests = _count_requests(monkeypatch)
    wrong = RIGHT.replace("dout * k *", "-dout * k *")  # every entry wrong: every coordinate is a suspect
    check = by_name(grade_source(mini_course, _source(wrong), public_only=True))["batched"]
    assert check.status == "failed" and "opposite sign" in check.hint
    # First look, then the 2h and h/2 steps of the first eight suspects in one more round trip: the
    # eight second looks (four more evaluations each) would cost 32 round trips one by one.
    assert len(requests) - requests.count("load") <= 10


CHAINED_CHECKS = """
import numpy as np
from grader import check, expect


@check(points=1)
def chained(student, rng):
    x, y = rng.normal(size=6), rng.normal(size=6)
    loss = student.scale.partial(expect.param("x"), 3.0).then(student.weighted.partial(expect.param("a"), y))
    got = student.weighted_backward(x, y, 3.0)
    expect.gradient(loss, at={"x": x}, got={"x": got}, rng=rng)


@check(points=1)
def in_the_parent(student, rng):
    x, y = rng.normal(size=6), rng.normal(size=6)
    loss = student.scale.partial(expect.param("x"), 3.0).then(lambda a: student.weighted(a, y))
    got = student.weighted_backward(x, y, 3.0)
    expect.gradient(loss, at={"x": x}, got={"x": got}, rng=rng)
"""

WEIGHTED = (
    "\n\ndef weighted(a, y):\n    return float(np.sum(a * y))\n"
    "\n\ndef weighted_backward(x, y, k):\n    return y * k * (1 - np.tanh(k * x) ** 2)\n"
)


def _chained_course(mini_course: Path, which: str | None = None) -> Path:
    parts = CHAINED_CHECKS.split("@check")
    chosen = parts[1:] if which is None else [parts[1 if which == "chained" else 2]]
    return with_checks(mini_course, parts[0] + "".join("@check" + part for part in chosen))


def test_a_remote_then_runs_in_the_worker_with_the_same_verdicts(mini_course: Path) -> None:
    right = REFERENCE + FORWARD + WEIGHTED
    checks = by_name(grade_source(_chained_course(mini_course), right, public_only=True))
    assert checks["chained"].status == checks["in_the_parent"].status == "passed"
    wrong = right.replace("return y * k *", "return -y * k *")
    checks = by_name(grade_source(_chained_course(mini_course), wrong, public_only=True))
    assert checks["chained"].status == checks["in_the_parent"].status == "failed"
    assert checks["chained"].hint == checks["in_the_parent"].hint and "opposite sign" in checks["chained"].hint


@pytest.mark.parametrize("which", ["chained", "in_the_parent"])
def test_a_remote_then_keeps_a_batch_in_one_round_trip(
    mini_course: Path, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    requests = _count_requests(monkeypatch)
    grade_source(_chained_course(mini_course, which), REFERENCE + FORWARD + WEIGHTED, public_only=True)
    round_trips = len(requests) - requests.count("load")
    assert round_trips <= 8 if which == "chained" else round_trips > 12  # in the parent: one per point


def test_a_second_call_that_changes_its_argument_cannot_change_the_next_points(mini_course: Path) -> None:
    with_checks(
        mini_course,
        CHAINED_CHECKS.split("@check")[0]
        + """
@check(points=1)
def same_values(student, rng):
    y = np.ones(3)
    points = [{"x": np.full(3, float(i))} for i in range(4)]
    weighted = student.weighted.partial(expect.param("a"), y)
    batched = student.scale.partial(expect.param("x"), 1.0).then(weighted).each(points)
    expect.close(batched, [float(np.sum(np.tanh(point["x"]))) for point in points])
""",
    )
    mutating = WEIGHTED.replace(
        "return float(np.sum(a * y))", "total = float(np.sum(a * y))\n    y *= 2\n    return total"
    )
    check = by_name(grade_source(mini_course, REFERENCE + FORWARD + mutating, public_only=True))["same_values"]
    assert check.status == "passed", check.message


def test_an_error_in_the_second_call_is_the_students_with_their_traceback(mini_course: Path) -> None:
    broken = WEIGHTED.replace("return float(np.sum(a * y))", "raise KeyError('weighted is broken')")
    check = by_name(
        grade_source(_chained_course(mini_course, "chained"), REFERENCE + FORWARD + broken, public_only=True)
    )["chained"]
    assert check.status == "error" and "weighted is broken" in check.message and "raise KeyError" in check.traceback


def test_a_remote_then_needs_exactly_one_open_argument_and_comes_first(mini_course: Path) -> None:
    source = REFERENCE + FORWARD + WEIGHTED
    for bad in ('student.weighted.partial(expect.param("a"), expect.param("y"))', "student.weighted.partial(x, y)"):
        checks = CHAINED_CHECKS.split("@check")[0] + (
            "@check(points=1)\ndef chained(student, rng):\n    x, y = rng.normal(size=6), rng.normal(size=6)\n"
            f"    student.scale.partial(expect.param('x'), 3.0).then({bad})\n"
        )
        with_checks(mini_course, checks)
        check = by_name(grade_source(mini_course, source, public_only=True))["chained"]
        assert check.status == "error" and "exactly one expect.param" in check.message


def test_a_function_is_looked_up_once_per_worker_not_once_per_check(
    mini_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = (
        "import numpy as np\nfrom grader import check, expect\n"
        + "".join(
            f"\n\n@check(points=1)\ndef add_{i}(student):\n    expect.close(student.add(np.ones(2), np.ones(2)), "
            f"np.full(2, 2.0))\n"
            for i in range(4)
        )
        + (
            "\n\n@check(points=1, timeout=0.5)\ndef hangs(student):\n    student.norm(np.ones(2))\n"
            "\n\n@check(points=1)\ndef add_after_a_new_worker(student):\n    expect.close(student.add(np.ones(2), "
            "np.ones(2)), np.full(2, 2.0))\n"
        )
    )
    with_checks(mini_course, checks)
    requests = _count_requests(monkeypatch)
    source = with_function("norm", "def norm(x):\n    while True:\n        pass\n")
    result = by_name(grade_source(mini_course, source, public_only=True))
    assert [result[f"add_{i}"].status for i in range(4)] == ["passed"] * 4
    assert result["hangs"].status == "timeout" and result["add_after_a_new_worker"].status == "passed"
    # add: once for the first worker, once again for the worker that replaced the one that hung; norm: once.
    assert requests.count("getattr") == 3 and requests.count("call") == 6
