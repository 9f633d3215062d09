"""A call written out for a message: ``conv2d_forward(x (2, 3, 6, 7), w (4, 3, 3, 2), b (4,), stride=2, pad=1)``.

Each argument is named by its parameter where the function's signature is known (positional ones
too), and shown by value when the value is short (numbers, ``None``, short strings, tuples and lists,
arrays of at most six short numbers: ``a=[0.5, 0.5]``), else by what it is: an array by its dtype
(when not float64) and shape, a long sequence by its length, anything else by its type. A float is
written as Python writes it (``2.0`` is not ``2``), to six significant digits when that is longer
(``b=0.145485``). The text is the same in every language.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from grader.sandbox.proxy import RemoteObject

MAX_VALUE_CHARS = 40
"""The longest value (a tuple, a list, a string) written out in full."""
MAX_ARRAY_ITEMS = 6
MAX_ITEM_CHARS = 8
"""An array is written out when it has at most this many items, each at most this long (``0.75``, ``-1e-15``)."""
MAX_FLOAT_CHARS = 10
"""A float longer than this as Python writes it is rounded to six significant digits."""
_PLAIN_DTYPES = ("float64", "int64", "bool")
"""Dtypes an array written out by value leaves unsaid (its numbers show them well enough)."""


def call_text(label: str, args: Sequence[Any], kwargs: dict[str, Any], parameters: Sequence[str] = ()) -> str:
    """``label(arguments)``, positional arguments named by ``parameters`` (as far as it goes)."""
    named = [(parameters[i] if i < len(parameters) else None, value) for i, value in enumerate(args)]
    named += list(kwargs.items())
    return f"{label}({', '.join(argument_text(name, value) for name, value in named)})"


def argument_text(name: str | None, value: Any) -> str:
    """One argument: ``name=value`` when short, else ``name`` and what the value is."""
    shown = value_text(value)
    if shown is not None:
        return f"{name}={shown}" if name else shown
    return f"{name} {summary_text(value)}" if name else summary_text(value, unnamed=True)


def value_text(value: Any, depth: int = 0) -> str | None:
    """The value written out, or None when it would be too long to read in a message (``depth``: how deep
    in a sequence it is)."""
    if value is None or type(value) in (bool, complex):
        return repr(value)
    if type(value) is float:
        return repr(value) if len(repr(value)) <= MAX_FLOAT_CHARS else f"{value:.6g}"
    if type(value) is int:
        return repr(value) if abs(value) < 10**15 else None
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return value_text(value.item())
    if type(value) is str:
        return repr(value) if len(value) <= MAX_VALUE_CHARS else None
    if type(value) in (tuple, list):
        return _sequence_text(value, depth)
    if type(value) is np.ndarray:
        return _small_array_text(value)
    return None


def summary_text(value: Any, unnamed: bool = False) -> str:
    """What a value too long to write out is: ``int64 (2, 3)``, ``list of 12``, a class name."""
    if type(value) is np.ndarray:
        dtype = "" if value.dtype == np.float64 else f"{value.dtype} "
        return f"{dtype}array {shape_text(value.shape)}" if unnamed else f"{dtype}{shape_text(value.shape)}"
    if type(value) in (tuple, list, dict):
        return f"{type(value).__name__} of {len(value)}"
    if isinstance(value, RemoteObject):
        return value.remote_type  # known in the parent: asks the worker nothing
    return type(value).__name__


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as Python writes a tuple: ``(2, 3)``, ``(4,)``, ``()``."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _sequence_text(value: tuple[Any, ...] | list[Any], depth: int) -> str | None:
    # Each item and each level of brackets takes at least 2 characters: looking further is wasted (or endless).
    if 2 * (len(value) + depth) > MAX_VALUE_CHARS:
        return None
    items = [text for item in value if (text := value_text(item, depth + 1)) is not None]
    if len(items) < len(value):
        return None
    inner = ", ".join(items)
    if type(value) is list:
        text = f"[{inner}]"
    else:
        text = f"({inner},)" if len(items) == 1 else f"({inner})"
    return text if len(text) <= MAX_VALUE_CHARS else None


def _small_array_text(array: np.ndarray) -> str | None:
    if not 0 < array.size <= MAX_ARRAY_ITEMS or array.dtype.kind not in "biuf":
        return None
    items = [repr(item) for item in array.ravel().tolist()]  # in full: a rounded item would not be the array
    if any(len(item) > MAX_ITEM_CHARS for item in items):
        return None
    text = _nested(iter(items), array.shape)
    return text if array.dtype.name in _PLAIN_DTYPES else f"{array.dtype} {text}"


def _nested(items: Iterator[str], shape: tuple[int, ...]) -> str:
    if not shape:
        return next(items)
    return "[" + ", ".join(_nested(items, shape[1:]) for _ in range(shape[0])) + "]"
