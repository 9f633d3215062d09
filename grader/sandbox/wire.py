"""The data-only wire between the trusted parent and the untrusted worker.

A frame is ``[u32 header length][JSON header][u64 length][npy bytes]...``: the header is JSON in
which every value is tagged, and arrays travel as separate npy blobs read back with
``allow_pickle=False``. Nothing on this wire is ever unpickled, evaluated or imported, so whatever
the worker sends can at worst be wrong data, never code that runs in the parent.

What crosses: None, bool, int, float, complex, str, bytes, lists, tuples, dicts with str keys, numpy
arrays of bool or numeric dtype, numpy scalars, and :class:`Handle` references to objects that stay
in the worker. Anything else raises :class:`WireError` on the sending side.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.sandbox import npy

NUMERIC_KINDS = frozenset("biufc")
MAX_DEPTH = 64
_HEADER = struct.Struct("<I")
_BLOB = struct.Struct("<Q")


# Exact numpy scalar types (np.float64, np.int32, np.bool_, ...): a student subclass is not data.
_NUMPY_SCALAR_TYPES = frozenset(np.dtype(code).type for code in "?bhilqpBHILQPefdgFDG")


class WireError(Exception):
    """A value cannot cross the wire, or a frame is malformed."""


@dataclass(frozen=True)
class Handle:
    """A reference to an object that stays in the worker (a student's class instance, a function).

    ``type_name`` and ``is_callable`` describe the object for messages and for the parent's proxy;
    the parent never learns more about it than what it asks for through the handle.
    """

    id: int
    type_name: str
    is_callable: bool


def encode(message: Any, to_handle: Callable[[Any], Handle] | None = None) -> bytes:
    """Serialise ``message``; values that cannot cross become handles via ``to_handle`` if given."""
    blobs: list[bytes] = []
    header = json.dumps(_tag(message, blobs, to_handle, 0), separators=(",", ":")).encode()
    parts = [_HEADER.pack(len(header)), header]
    for blob in blobs:
        parts += [_BLOB.pack(len(blob)), blob]
    return b"".join(parts)


def decode(frame: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Rebuild a message from a frame produced by :func:`encode`; malformed input raises WireError."""
    try:
        (header_len,) = _HEADER.unpack_from(frame, 0)
        header = json.loads(frame[_HEADER.size : _HEADER.size + header_len])
        blobs = _split_blobs(frame, _HEADER.size + header_len)
        return _untag(header, blobs, max_depth)
    except WireError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, struct.error, RecursionError) as exc:
        raise WireError(f"malformed frame: {type(exc).__name__}: {exc}") from None


def _split_blobs(frame: bytes, offset: int) -> list[memoryview]:
    view = memoryview(frame)
    blobs = []
    while offset < len(frame):
        (size,) = _BLOB.unpack_from(frame, offset)
        offset += _BLOB.size
        if offset + size > len(frame):
            raise WireError("malformed frame: truncated array data")
        blobs.append(view[offset : offset + size])
        offset += size
    return blobs


def _tag(value: Any, blobs: list[bytes], to_handle: Callable[[Any], Handle] | None, depth: int) -> Any:
    # Exact type checks, not isinstance: a subclass of int or str could carry behaviour (a lying
    # __eq__) that must not be mistaken for plain data.
    if depth > MAX_DEPTH:
        raise WireError(f"value nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return value if abs(value) < 2**53 else {"int": str(value)}
    if kind is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    if kind is complex:
        return {"complex": [repr(value.real), repr(value.imag)]}
    if kind is bytes:
        return {"bytes": _blob(np.frombuffer(value, dtype=np.uint8), blobs)}
    if kind in (list, tuple):
        items = [_tag(item, blobs, to_handle, depth + 1) for item in value]
        return {"list" if kind is list else "tuple": items}
    if kind is dict:
        return {"dict": _tag_dict(value, blobs, to_handle, depth)}
    if kind is np.ndarray and value.dtype.kind in NUMERIC_KINDS:
        return {"array": _blob(value, blobs)}
    if kind in _NUMPY_SCALAR_TYPES:
        return {"scalar": _blob(np.asarray(value), blobs)}
    if kind is Handle:
        return {"handle": [value.id, value.type_name, value.is_callable]}
    if to_handle is None:
        raise WireError(f"a value of type {kind.__name__} cannot be sent (only plain data and numeric arrays)")
    handle = to_handle(value)
    return {"handle": [handle.id, handle.type_name, handle.is_callable]}


def _tag_dict(
    value: dict[Any, Any],
    blobs: list[bytes],
    to_handle: Callable[[Any], Handle] | None,
    depth: int,
) -> list[list[Any]]:
    items = []
    for key, item in value.items():
        if type(key) is not str:
            raise WireError(f"dict keys must be str, got {type(key).__name__}")
        items.append([key, _tag(item, blobs, to_handle, depth + 1)])
    return items


def _blob(array: np.ndarray, blobs: list[bytes]) -> int:
    blobs.append(npy.dump(array))
    return len(blobs) - 1


def _untag(value: Any, blobs: list[memoryview], depth: int) -> Any:
    if depth < 0:
        raise WireError("value nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is not dict or len(value) != 1:
        raise WireError(f"unexpected value in frame: {type(value).__name__}")
    ((tag, body),) = value.items()
    return _UNTAGGERS[tag](body, blobs, depth)


def _load_array(index: int, blobs: list[memoryview]) -> np.ndarray:
    if type(index) is not int:
        raise WireError("malformed array reference")
    try:
        return npy.load(blobs[index])
    except npy.NpyError as exc:
        raise WireError(str(exc)) from None


def _untag_dict(body: list[Any], blobs: list[memoryview], depth: int) -> dict[str, Any]:
    result = {}
    for key, item in body:
        if type(key) is not str:
            raise WireError("dict key is not a string")
        result[key] = _untag(item, blobs, depth - 1)
    return result


def _untag_handle(body: list[Any], blobs: list[memoryview], depth: int) -> Handle:
    handle_id, type_name, is_callable = body
    if type(handle_id) is not int or type(type_name) is not str or type(is_callable) is not bool:
        raise WireError("malformed handle")
    return Handle(handle_id, type_name, is_callable)


_UNTAGGERS: dict[str, Callable[[Any, list[memoryview], int], Any]] = {
    "int": lambda body, blobs, depth: int(body),
    "float": lambda body, blobs, depth: float(body),
    "complex": lambda body, blobs, depth: complex(float(body[0]), float(body[1])),
    "bytes": lambda body, blobs, depth: _load_array(body, blobs).astype(np.uint8).tobytes(),
    "list": lambda body, blobs, depth: [_untag(item, blobs, depth - 1) for item in body],
    "tuple": lambda body, blobs, depth: tuple(_untag(item, blobs, depth - 1) for item in body),
    "dict": _untag_dict,
    "array": lambda body, blobs, depth: _load_array(body, blobs),
    "scalar": lambda body, blobs, depth: _load_array(body, blobs)[()],
    "handle": _untag_handle,
}


def fresh_copy(value: Any) -> Any:
    """Arrays copied, lists, tuples and dicts rebuilt, anything else (a handle's object) shared: a callee
    that works in place on its arguments cannot reach its caller's values."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if type(value) in (list, tuple):
        return type(value)(fresh_copy(item) for item in value)
    if type(value) is dict:
        return {key: fresh_copy(item) for key, item in value.items()}
    return value
