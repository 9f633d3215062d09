"""Slopes shared across checks of one deterministic function at one point: fewer evaluations, same verdicts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from grader.engine.gradcheck import SharedSlopes, check_gradient, check_vjp


class DictStore:
    """The smallest SlopeStore: a dict."""

    def __init__(self) -> None:
        self.entries: dict[bytes, Any] = {}

    def get(self, key: bytes) -> tuple[bool, Any]:
        return (key in self.entries), self.entries.get(key)

    def put(self, key: bytes, value: Any) -> None:
        self.entries[key] = value


def _problem(seed: int = 3):
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    calls = [0]

    def loss(W, b):
        calls[0] += 1
        return np.sum(np.tanh(X @ W + b - Y) ** 2) / 5

    t = np.tanh(X @ W + b - Y)
    r = 2 * t * (1 - t**2) / 5
    return loss, calls, {"W": W, "b": b}, {"W": X.T @ r, "b": r.sum(axis=0)}


GRADIENTS = {
    "correct": lambda g: g,
    "sign": lambda g: {"W": -g["W"], "b": g["b"]},
    "one entry": lambda g: {"W": g["W"] + np.eye(4, 3)[0] * 0.5, "b": g["b"]},
    "doubled": lambda g: {"W": 2 * g["W"], "b": 2 * g["b"]},
}


def _verdict(report) -> tuple:
    return (report.ok, report.diagnosis.kind if report.diagnosis else None,
            [(p.name, p.ok, p.worst_index, round(p.max_rel_error, 12)) for p in report.params])


@pytest.mark.parametrize("second", list(GRADIENTS))
def test_a_second_student_gets_the_same_verdict_for_a_fraction_of_the_evaluations(second: str) -> None:
    loss, calls, at, grad = _problem()
    store = DictStore()
    shared = SharedSlopes(store, b"loss of _problem(3)")
    # The first student (correct) fills the store; the second is checked against the same slopes.
    check_gradient(loss, at=at, got=grad, rng=np.random.default_rng(7), shared=shared)
    first_calls, calls[0] = calls[0], 0
    with_store = check_gradient(loss, at=at, got=GRADIENTS[second](grad), rng=np.random.default_rng(7), shared=shared)
    second_calls, calls[0] = calls[0], 0
    alone = check_gradient(loss, at=at, got=GRADIENTS[second](grad), rng=np.random.default_rng(7))
    assert _verdict(with_store) == _verdict(alone)
    assert with_store.ok is (second == "correct")
    # Every first-look slope (one evaluation per coordinate of W and b: a one-sided look in float64) came
    # from the store; only the loss at the point, the noise probe and second looks at steps the first
    # student never needed remain.
    assert calls[0] - second_calls == at["W"].size + at["b"].size
    assert second_calls < first_calls if second == "correct" else second_calls < calls[0]


def test_another_point_or_another_dout_is_not_answered_from_the_store() -> None:
    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal(6), rng.standard_normal(6)
    store = DictStore()
    shared = SharedSlopes(store, b"sin")
    check_vjp(lambda x: np.sin(x), at={"x": x}, dout=dout, got={"x": dout * np.cos(x)}, rng=np.random.default_rng(1), shared=shared)
    kept = len(store.entries)
    for other_x, other_dout in ((x + 1.0, dout), (x, 2 * dout)):
        report = check_vjp(lambda x: np.sin(x), at={"x": other_x}, dout=other_dout, got={"x": other_dout * np.cos(other_x)},
                           rng=np.random.default_rng(1), shared=shared)
        assert report.ok
        assert len(store.entries) > kept, "a new point measures (and keeps) its own slopes"
        kept = len(store.entries)
    # A wrong gradient at the second point is still caught with the store warm.
    wrong = check_vjp(lambda x: np.sin(x), at={"x": x + 1.0}, dout=dout, got={"x": -dout * np.cos(x + 1.0)},
                      rng=np.random.default_rng(1), shared=shared)
    assert not wrong.ok and wrong.diagnosis is not None and wrong.diagnosis.kind == "sign"
