"""``expect`` names a failing value by the student's call that returned it, and only that value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.engine.checks import calls, expect, mistakes
from grader.engine.checks.calls import MAX_ENTRIES, recording_calls, split_labels
from grader.engine.checks.describe import call_text, value_text
from grader.engine.checks.failure import CheckFailure
from grader.engine.checks.signatures import parameter_names
from grader.i18n import render
from tests.engine.helpers import REFERENCE, by_name, grade_source, with_checks

SIGNATURES = {"conv2d_forward": ("x", "w", "b", "stride", "pad"), "gradients": ("X", "y", "w", "b")}


def message(function, *args, **kwargs) -> str:
    with pytest.raises(CheckFailure) as raised:
        function(*args, **kwargs)
    return render(raised.value.message, "en")


def returned(record: calls.CallRecord, label: str, args: tuple, result: object, **kwargs: object) -> object:
    """What the proxy does after a call of the student's ``label`` came back with ``result``."""
    record.watch(label, args, dict(kwargs), result)
    return result


# ---------------------------------------------------------------------------
# writing out a call
# ---------------------------------------------------------------------------


def test_a_call_is_written_with_parameter_names_shapes_and_short_values() -> None:
    x, w, b = np.zeros((2, 3, 6, 7)), np.ones((4, 3, 3, 2)), np.arange(4.0) + 0.5
    assert (
        call_text("conv2d_forward", (x, w, b, 2, 1), {}, SIGNATURES["conv2d_forward"])
        == "conv2d_forward(x (2, 3, 6, 7), w (4, 3, 3, 2), b=[0.5, 1.5, 2.5, 3.5], stride=2, pad=1)"
    )
    assert call_text("loss", (np.array([0.5, 0.5]), np.array([0, 1])), {}, ("a", "y")) == "loss(a=[0.5, 0.5], y=[0, 1])"
    assert (
        call_text("f", (np.ones((2, 2), dtype=np.float32), np.arange(12)), {"mask": np.ones((5, 5), bool)}, ())
        == "f(float32 [[1.0, 1.0], [1.0, 1.0]], int64 array (12,), mask bool (5, 5))"
    )


def test_values_are_written_as_python_writes_them_and_long_ones_are_summed_up() -> None:
    assert [value_text(v) for v in (2.0, 2, -1e4, 1e-15, None, "abc", (5, 5), [[1, 2], [0, 1]])] == [
        "2.0",
        "2",
        "-10000.0",
        "1e-15",
        "None",
        "'abc'",
        "(5, 5)",
        "[[1, 2], [0, 1]]",
    ]
    assert value_text(0.14548530132714682) == "0.145485"  # six significant digits, as messages write values
    assert value_text(np.array([0.30471707975443135, 1.0])) is None  # an array is written in full or not at all
    assert value_text(list(range(1000))) is None and value_text("x" * 100) is None
    nested: list = [1]
    for _ in range(5000):
        nested = [nested]
    assert value_text(nested) is None  # gives up at once, however deep


def test_parameter_names_come_from_functions_and_methods_of_the_source() -> None:
    source = (
        "def f(a, b=1, *args, c): pass\n"
        "class Neuron:\n"
        "    def __init__(self, n): pass\n"
        "    def fit(self, x, y, epochs=100): pass\n"
        "    @staticmethod\n"
        "    def make(size): pass\n"
    )
    assert parameter_names(source) == {
        "f": ("a", "b"),
        "Neuron": ("n",),
        "Neuron.__init__": ("n",),
        "Neuron.fit": ("x", "y", "epochs"),
        "Neuron.make": ("size",),
    }


def test_labels_split_at_the_top_level_commas() -> None:
    assert split_labels("dx, dw, db") == ["dx", "dw", "db"]
    assert split_labels("(wx_grad, wRec_grad), grad_over_time") == ["wx_grad, wRec_grad", "grad_over_time"]
    assert split_labels("") == []


# ---------------------------------------------------------------------------
# naming by identity
# ---------------------------------------------------------------------------


def test_the_value_a_call_returned_is_named_after_the_call() -> None:
    with recording_calls(SIGNATURES) as record:
        x, w, b = np.zeros((2, 3, 6, 7)), np.ones((4, 3, 3, 2)), np.ones(4) * 0.3
        out = returned(record, "conv2d_forward", (x, w, b, 2, 1), np.zeros((2, 4, 3, 4)))
        assert message(expect.close, out, np.ones((2, 4, 3, 4))).startswith(
            "conv2d_forward(x (2, 3, 6, 7), w (4, 3, 3, 2), b=[0.3, 0.3, 0.3, 0.3], stride=2, pad=1) is wrong at"
        )
        assert message(expect.shape, out, (2, 4, 3, 5)).startswith("conv2d_forward(x (2, 3, 6, 7)")
        assert message(expect.close, out, np.ones((2, 4, 3, 4)), name="mine").startswith("mine is wrong")


def test_a_value_derived_from_a_result_is_not_named_after_the_call() -> None:
    with recording_calls({}) as record:
        out = returned(record, "f", (), np.zeros((2, 3), dtype=np.float32))
        assert message(expect.close, np.asarray(out, dtype=float), np.ones((2, 3))).startswith("result is wrong")
        assert message(expect.close, out[0], np.ones(3)).startswith("result is wrong")
        assert message(expect.close, out.sum(), 1.0).startswith("result is")
        assert message(expect.close, np.asarray(out), np.ones((2, 3))).startswith("f() is wrong")  # the same object


def test_values_python_shares_are_never_named() -> None:
    with recording_calls({}) as record:
        three = returned(record, "f", (1,), 3)
        assert message(expect.equal, three, 4) == "result is 3, expected 4"  # any other 3 is the same object
        assert message(expect.equal, returned(record, "g", (), True), False) == "result is True, expected False"


def test_items_of_a_returned_tuple_are_named_by_position_and_parts_adds_their_labels() -> None:
    with recording_calls(SIGNATURES) as record:
        got = returned(
            record, "gradients", (np.zeros((8, 3)), np.zeros(8, dtype=int), np.zeros(3), 0.2), (np.zeros(3), 1.5)
        )
        assert message(expect.close, got[0], np.ones(3)).startswith(
            "gradients(X (8, 3), y int64 (8,), w=[0.0, 0.0, 0.0], b=0.2)[0] is wrong"
        )
        dw, db = expect.parts(got, 2, labels="dw, db")
        assert message(expect.close, dw, np.ones(3)).startswith(
            "gradients(X (8, 3), y int64 (8,), w=[0.0, 0.0, 0.0], b=0.2)[0] (dw) is wrong"
        )
        assert message(expect.close, db, 2.0).startswith(
            "gradients(X (8, 3), y int64 (8,), w=[0.0, 0.0, 0.0], b=0.2)[1] (db)"
        )
        # a gradient check of several items of one result names that result
        assert calls.common_call([dw, db]) == calls.name_of(got)
        assert calls.common_call([dw, np.zeros(3)]) is None


def test_parts_given_a_name_names_the_items_after_it_in_every_language() -> None:
    with recording_calls({}) as record:
        got = returned(record, "f", (), ((np.zeros(2), np.zeros(2)), np.zeros(3)))
        name = {"en": "f(x with ties)", "ko": "f(동점이 있는 x)"}
        grads, over_time = expect.parts(got, 2, name=name, labels="(wx_grad, wRec_grad), grad_over_time")
        wx, _ = expect.parts(grads, 2, labels="wx_grad, wRec_grad")
        with pytest.raises(CheckFailure) as raised:
            mistakes.close(wx, np.ones(2))
        assert render(raised.value.message, "en").startswith("f(x with ties)[0][0] (wx_grad) is wrong")
        assert render(raised.value.message, "ko").startswith("f(동점이 있는 x)[0][0] (wx_grad)의")
        assert render(calls.name_of(grads), "en") == "f(x with ties)[0] (wx_grad, wRec_grad)"


def test_an_object_at_two_places_of_a_result_has_no_one_name() -> None:
    with recording_calls({}) as record:
        shared = np.zeros(2)
        got = returned(record, "f", (), (shared, shared, np.ones(2)))
        assert calls.name_of(shared) is None and render(calls.name_of(got[2]), "en") == "f()[2]"


def test_the_record_keeps_only_the_newest_values_and_ends_with_the_check() -> None:
    with recording_calls({}) as record:
        first = returned(record, "f", (0,), np.zeros(1))
        for i in range(MAX_ENTRIES):
            returned(record, "f", (i,), np.zeros(1))
        assert calls.name_of(first) is None  # forgotten: not named, never misnamed
    assert calls.name_of(first) is None


def test_a_gradient_check_names_the_call_whose_result_it_checks_however_many_calls_it_makes() -> None:
    with recording_calls({}) as record:
        recorded: list = []

        def loss(w):  # the checker's calls of the student's code are recorded like any other: enough to fill it
            if not recorded:
                recorded.extend(returned(record, "loss", (i,), np.zeros(1)) for i in range(MAX_ENTRIES))
            return float(np.sum(w**2))

        w = np.array([1.0, -2.0])
        wrong = returned(record, "loss_grad", (), np.zeros(2))
        assert message(expect.gradient, loss, {"w": w}, {"w": wrong}).startswith("loss_grad()")
        assert calls.name_of(wrong) is None  # the checker's calls did push it out of the record


# ---------------------------------------------------------------------------
# in a graded check
# ---------------------------------------------------------------------------

CHECKS = '''
import numpy as np
from grader import check, expect


@check(points=1)
def add_named_by_its_call(student):
    """add, named by the call."""
    expect.close(student.add(np.zeros((3, 4)), np.ones((3, 4))), np.zeros((3, 4)))


@check(points=1)
def add_of_a_derived_value(student):
    """add, a derived value."""
    expect.close(np.asarray(student.add(np.zeros((3, 4)), np.ones((3, 4))))[0], np.zeros(4))


@check(points=1)
def tick_of_a_method(student):
    """Counter.tick."""
    counter = student.Counter()
    expect.equal(counter.tick(), 5)
    expect.close(float(counter.tick()), 7.0)
'''


def test_a_graded_check_names_the_students_call_with_the_references_parameter_names(mini_course: Path) -> None:
    checks = by_name(grade_source(with_checks(mini_course, CHECKS), REFERENCE, public_only=True))
    assert checks["add_named_by_its_call"].message.startswith("add(a (3, 4), b (3, 4)) is wrong at")
    assert checks["add_of_a_derived_value"].message.startswith("result is wrong at")
    assert checks["tick_of_a_method"].message == "result is 1, expected 5"  # an int: never named
