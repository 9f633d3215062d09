"""Batches as columns: what arrives is what one-by-one encoding would deliver; malformed batches are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import wire
from grader.sandbox.columns import ColumnsError, pack, pack_calls, unpack, unpack_calls
from tests.engine.helpers import REFERENCE, by_name, grade_source, with_checks


def _through_the_wire(value: object) -> object:
    return wire.decode(wire.encode(value))


def test_arrays_of_one_dtype_and_shape_are_stacked_and_come_back_as_separate_fresh_arrays() -> None:
    rng = np.random.default_rng(0)
    calls = [
        ([rng.normal(size=(2, 3)), np.float32(i), np.arange(3, dtype=">i4")], {"k": np.array(i * 1.5)})
        for i in range(4)
    ]
    packed = _through_the_wire(pack_calls(calls))
    assert packed["args"][0][0] == "stack" and packed["args"][2][0] == "stack" and packed["kwargs"][0][1][0] == "stack"
    assert packed["args"][1][0] == "each"  # numpy scalars are not arrays: sent as they are
    received = unpack_calls(packed)
    for (sent_args, sent_kwargs), (args, kwargs) in zip(calls, received):
        for sent, got in zip([*sent_args, sent_kwargs["k"]], [*args, kwargs["k"]]):
            assert type(got) is type(sent) and np.asarray(got).dtype == np.asarray(sent).dtype
            assert np.shape(got) == np.shape(sent) and np.array_equal(got, sent)
    args = [args for args, _ in received]
    args[0][0][0, 0] = 99.0  # each call's array is its own: changing one changes no other
    assert all(other[0][0, 0] != 99.0 for other in args[1:])


@pytest.mark.parametrize(
    "values",
    [
        [np.zeros(3), np.zeros(4)],  # shapes differ
        [np.zeros(3), np.zeros(3, dtype=np.float32)],  # dtypes differ
        [np.zeros(3), [0.0, 0.0, 0.0]],  # not all arrays
        [np.array(["a", "b"]), np.array(["c", "d"])],  # not numeric: never stacked
    ],
    ids=["shapes", "dtypes", "list", "strings"],
)
def test_anything_else_goes_as_it_is(values: list) -> None:
    assert pack(values)[0] == "each" and pack(values)[1] == values


def test_calls_of_different_shapes_are_refused_and_no_calls_are_an_empty_batch() -> None:
    for calls in ([([1], {}), ([1, 2], {})], [([1], {"a": 1}), ([1], {"b": 1})]):
        with pytest.raises(ValueError, match="same arguments"):
            pack_calls(calls)
    assert unpack_calls(_through_the_wire(pack_calls([]))) == []


@pytest.mark.parametrize(
    "column",
    [
        ["stack", np.zeros((2, 3))],  # two rows for three items
        ["each", [1, 2]],
        ["stack", np.float64(1.0)],
        ["pickle", b"..."],
        "stack",
    ],
    ids=["short-stack", "short-list", "scalar-stack", "unknown-kind", "not-a-column"],
)
def test_a_column_that_does_not_hold_the_items_it_claims_is_refused(column: object) -> None:
    with pytest.raises(ColumnsError):
        unpack(column, 3)


def test_a_worker_answering_a_batch_with_a_forged_column_fails_only_that_check(mini_course: Path) -> None:
    with_checks(
        mini_course,
        """
import numpy as np
from grader import check, expect


@check(points=1)
def batched(student):
    points = [{"x": np.full(3, float(i))} for i in range(5)]
    expect.close(student.add.partial(expect.param("x"), np.ones(3)).each(points), [p["x"] + 1 for p in points])


@check(points=1)
def single(student):
    expect.close(student.add(np.ones(2), np.ones(2)), np.full(2, 2.0))
""",
    )
    forged = REFERENCE + (
        "\n\nimport sys\n_columns = sys.modules['grader.sandbox.columns']\n"
        "_columns.pack = lambda values: ['stack', np.zeros((1, 3))]  # one row for five answers\n"
    )
    checks = by_name(grade_source(mini_course, forged, public_only=True))
    assert checks["batched"].status == "error" and "invalid answer" in checks["batched"].message
    assert checks["single"].status == "passed"
