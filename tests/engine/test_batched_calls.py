"""Numeric gradient checks through student.f.partial(...): many points per round trip, same verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.sandbox.session import StudentSession
from tests.engine.helpers import REFERENCE, by_name, grade_source

CHECKS = '''
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
    expect.vjp(lambda x: student.scale(x, 3.0), at={"x": x}, dout=dout, got={"x": student.scale_backward(dout, x, 3.0)}, rng=rng)
'''

FORWARD = "\n\ndef scale(x, k):\n    return np.tanh(k * x)\n"
RIGHT = "\n\ndef scale_backward(dout, x, k):\n    return dout * k * (1 - np.tanh(k * x) ** 2)\n"


def _course(mini_course: Path) -> Path:
    (mini_course / "assignments/vectors/checks.py").write_text(CHECKS)
    return mini_course


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
    checks = by_name(grade_source(_course(mini_course), _source(RIGHT), public_only=True))
    assert checks["batched"].status == checks["one_by_one"].status == "passed"
    wrong = RIGHT.replace("dout * k *", "-dout * k *")
    checks = by_name(grade_source(_course(mini_course), _source(wrong), public_only=True))
    assert checks["batched"].status == checks["one_by_one"].status == "failed"
    assert checks["batched"].hint == checks["one_by_one"].hint and "opposite sign" in checks["batched"].hint


@pytest.mark.parametrize("check", ["batched", "one_by_one"])
def test_batching_turns_forty_round_trips_into_a_few(mini_course: Path, monkeypatch: pytest.MonkeyPatch, check: str) -> None:
    (mini_course / "assignments/vectors/checks.py").write_text(CHECKS.split("@check")[0] + "@check" + CHECKS.split("@check")[1 if check == "batched" else 2])
    requests = _count_requests(monkeypatch)
    grade_source(mini_course, _source(RIGHT), public_only=True)
    round_trips = len(requests) - requests.count("load")
    # 20 coordinates, two points each, plus the noise probe: one by one that is over 40 round trips.
    assert round_trips > 40 if check == "one_by_one" else round_trips <= 8


def test_a_student_error_inside_a_batch_surfaces_from_its_own_call(mini_course: Path) -> None:
    source = REFERENCE + (
        "\n\ncalls = 0\n\n\ndef scale(x, k):\n    global calls\n    calls += 1\n"
        "    if calls > 3:\n        raise ValueError(f'call {calls} failed')\n    return np.tanh(k * x)\n"
        "\n\ndef scale_backward(dout, x, k):\n    return dout\n"
    )
    checks = by_name(grade_source(_course(mini_course), source, public_only=True))
    check = checks["batched"]
    assert check.status == "error" and "ValueError" in check.message
    assert "raise ValueError" in check.traceback


EACH_CHECKS = '''
from grader import check, expect


@check(points=1)
def grid(student):
    points = [{"x": float(x)} for x in range(10)]
    answers = student.scale.partial(expect.param("x"), 2.0).each(points)
    expect.equal(answers, [float(2 * x) for x in range(10)])
'''


def test_each_answers_a_grid_in_one_round_trip(mini_course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (mini_course / "assignments/vectors/checks.py").write_text(EACH_CHECKS)
    requests = _count_requests(monkeypatch)
    result = grade_source(mini_course, REFERENCE + "\n\ndef scale(x, k):\n    return x * k\n", public_only=True)
    assert by_name(result)["grid"].status == "passed"
    assert requests.count("call_many") == 1 and "call" not in requests


def test_each_raises_the_student_error_from_the_call_that_caused_it(mini_course: Path) -> None:
    (mini_course / "assignments/vectors/checks.py").write_text(EACH_CHECKS)
    source = REFERENCE + "\n\ndef scale(x, k):\n    if x == 7:\n        raise ZeroDivisionError('seven')\n    return x * k\n"
    check = by_name(grade_source(mini_course, source, public_only=True))["grid"]
    assert check.status == "error" and "ZeroDivisionError" in check.message and "seven" in check.message
    assert "raise ZeroDivisionError" in check.traceback


def test_second_looks_at_suspect_entries_are_batched_too(mini_course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (mini_course / "assignments/vectors/checks.py").write_text(CHECKS.split("@check")[0] + "@check" + CHECKS.split("@check")[1])
    requests = _count_requests(monkeypatch)
    wrong = RIGHT.replace("dout * k *", "-dout * k *")  # every entry wrong: every coordinate is a suspect
    check = by_name(grade_source(mini_course, _source(wrong), public_only=True))["batched"]
    assert check.status == "failed" and "opposite sign" in check.hint
    # First look, then the 2h and h/2 steps of the first eight suspects in one more round trip: the
    # eight second looks (four evaluations each) used to cost 32 round trips.
    assert len(requests) - requests.count("load") <= 10
