"""The data-only wire: what crosses, what is refused, and that malformed frames never become objects."""

from __future__ import annotations

import io
import json
import pickle
import struct

import numpy as np
import pytest

from grader.sandbox import npy
from grader.sandbox.wire import Handle, WireError, decode, encode


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -7,
        2**80,
        1.5,
        float("inf"),
        "héllo",
        b"\x00\xff",
        (1, "a"),
        [1, [2, [3]]],
        {"a": 1, "b": (2.0, None)},
        3 + 4j,
        np.float32(2.5),
        np.int64(-3),
        np.bool_(True),
    ],
)
def test_plain_values_round_trip(value: object) -> None:
    result = decode(encode({"v": value}))["v"]
    assert result == value and type(result) is type(value)


def test_nan_round_trips() -> None:
    assert np.isnan(decode(encode(float("nan"))))


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12.0).reshape(3, 4),
        np.zeros((0, 3)),
        np.array(5.0),
        np.ones((2, 2), dtype=">f4"),
        np.arange(10)[::3],
        np.asfortranarray(np.ones((3, 2))),
        np.array([True, False]),
        np.ones(3, dtype=np.complex64),
    ],
)
def test_numeric_arrays_round_trip_exactly(array: np.ndarray) -> None:
    result = decode(encode(array))
    assert type(result) is np.ndarray and result.dtype == array.dtype and result.shape == array.shape
    assert np.array_equal(result, array)
    result[...] = 0  # a fresh, writable array, not a view of the frame


@pytest.mark.parametrize(
    "value",
    [object(), np.array(["a"]), np.array([object()]), {1: "int key"}, lambda: 0, {1, 2}],
    ids=["object", "str-array", "object-array", "int-key", "function", "set"],
)
def test_values_that_are_not_data_are_refused_without_a_handle_maker(value: object) -> None:
    with pytest.raises(WireError):
        encode(value)


def test_subclasses_of_plain_types_are_not_mistaken_for_data() -> None:
    class Liar(float):
        def __eq__(self, other: object) -> bool:
            return True

    made = []
    encoded = encode([Liar(1.0), 2.0], to_handle=lambda obj: made.append(obj) or Handle(9, type(obj).__name__, False))
    assert decode(encoded) == [Handle(9, "Liar", False), 2.0]
    assert len(made) == 1


def test_a_pickle_in_a_frame_is_never_unpickled() -> None:
    payload = pickle.dumps(object())
    header = json.dumps({"array": 0}).encode()
    frame = struct.pack("<I", len(header)) + header + struct.pack("<Q", len(payload)) + payload
    with pytest.raises(WireError):
        decode(frame)


def test_an_npy_header_describing_objects_is_refused() -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(npy.NpyError):
        npy.load(buffer.getvalue())


@pytest.mark.parametrize(
    "frame",
    [
        b"",
        b"\x05\x00\x00\x00{",
        b"\x02\x00\x00\x00[]",
        struct.pack("<I", 12) + b'{"bogus": 1}',
        struct.pack("<I", 11) + b'{"array":0}' + struct.pack("<Q", 999) + b"short",
    ],
)
def test_malformed_frames_raise_wire_error(frame: bytes) -> None:
    with pytest.raises(WireError):
        decode(frame)


def test_deep_nesting_is_refused_on_both_sides() -> None:
    deep: list = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(WireError):
        encode(deep)
    header = ('{"list":[' * 100 + "]}" * 100).encode()
    with pytest.raises(WireError):
        decode(struct.pack("<I", len(header)) + header)


def test_npy_files_written_by_the_wire_are_ordinary_npy() -> None:
    array = np.arange(6, dtype=np.int16).reshape(2, 3)
    assert np.array_equal(np.load(io.BytesIO(npy.dump(array)), allow_pickle=False), array)
