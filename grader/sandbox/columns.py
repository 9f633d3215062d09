"""A batch of calls (or of results) as columns: one stacked array where every item holds an array of
the same dtype and shape, a list of values otherwise.

A numeric gradient check sends dozens of points that differ in one entry of one argument. Sent one
by one, every array of every point is tagged, serialised and parsed on its own (about 90 µs per
point of five small arrays, both ends together); stacked, each argument is one array whatever the
number of points. Used by both ends of ``call_many``: the parent packs calls and unpacks results,
the worker unpacks calls and packs results. Only exact ``np.ndarray`` items are stacked, and each
item comes back as a fresh array of its own dtype and shape, so the receiver sees what the one-by-one
encoding would have given it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

STACK, EACH = "stack", "each"
NUMERIC_KINDS = "biufc"  # what the wire sends as data; anything else stays one handle per item


class ColumnsError(ValueError):
    """A packed batch that does not describe the number of items it claims (a protocol violation)."""


def pack_calls(calls: list[tuple[list[Any], dict[str, Any]]]) -> dict[str, Any]:
    """``calls`` as columns. They must share one shape of arguments (the same number of positional
    arguments and the same keywords), as the calls of one partial function do."""
    first_args, first_kwargs = calls[0] if calls else ([], {})
    if any(len(args) != len(first_args) or kwargs.keys() != first_kwargs.keys() for args, kwargs in calls):
        raise ValueError("the calls of one batch must take the same arguments")
    return {
        "n": len(calls),
        "args": [pack([args[i] for args, _ in calls]) for i in range(len(first_args))],
        "kwargs": [[name, pack([kwargs[name] for _, kwargs in calls])] for name in first_kwargs],
    }


def unpack_calls(packed: dict[str, Any]) -> list[tuple[list[Any], dict[str, Any]]]:
    n = packed["n"]
    if type(n) is not int or n < 0:
        raise ColumnsError("malformed batch size")
    args = [unpack(column, n) for column in packed["args"]]
    kwargs = [(name, unpack(column, n)) for name, column in packed["kwargs"]]
    return [([column[i] for column in args], {name: column[i] for name, column in kwargs}) for i in range(n)]


def pack(values: list[Any]) -> list[Any]:
    """One column: a stacked array when every value is a numeric array of one dtype and shape."""
    first = values[0] if values else None
    if (
        type(first) is np.ndarray
        and first.dtype.kind in NUMERIC_KINDS
        and all(
            type(value) is np.ndarray and value.dtype == first.dtype and value.shape == first.shape for value in values
        )
    ):
        stacked = np.empty((len(values), *first.shape), dtype=first.dtype)  # np.stack would make >i4 native
        for i, value in enumerate(values):
            stacked[i] = value
        return [STACK, stacked]
    return [EACH, list(values)]


def unpack(column: Any, n: int) -> list[Any]:
    """The ``n`` values of a column; a stacked one as fresh, separate arrays."""
    if type(column) is not list or len(column) != 2:
        raise ColumnsError("malformed column")
    kind, body = column
    if kind == STACK and type(body) is np.ndarray and body.ndim >= 1 and body.shape[0] == n:
        return [body[i, ...].copy() for i in range(n)]  # [i, ...]: a 0-d item stays an array, not a scalar
    if kind == EACH and type(body) is list and len(body) == n:
        return body
    raise ColumnsError(f"a column that does not hold {n} values")
