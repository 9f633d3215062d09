"""Which call produced a value, so that ``expect`` names a failing value without the author writing the call.

While a check runs, every call of the student's code through the proxy (``student.f(...)``, a method
of a student's object) is recorded with the object it returned, and so is each item of a returned
tuple or list (``f(...)[1]``; :func:`remember_parts` adds the labels ``expect.parts`` is given:
``f(...)[1] (A)``). An ``expect`` helper given no ``name=`` looks its value up **by identity**: only
the very object a call returned is named after the call. A value derived from it (an item of an
array, a sum, ``np.asarray(result, dtype=float)`` when that converts) is a different object and is
called "result", as it always was: a name is never guessed.

Objects that Python shares between unrelated places (ints, bools, None, strings, the empty tuple)
are never recorded, since one of them cannot be told apart from the same value computed elsewhere.
The record keeps what it names alive (so no other object can take its identity) and is dropped when
the check ends; it holds at most :data:`MAX_ENTRIES` values and :data:`MAX_BYTES` of arrays, forgetting
the oldest first (a forgotten value is just not named).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.engine.checks.describe import call_text
from grader.engine.checks.signatures import Signatures
from grader.i18n import Text, msg
from grader.sandbox.proxy import RemoteObject, watching_calls

MAX_ENTRIES = 4096
MAX_BYTES = 64 * 2**20
MAX_ITEMS = 64
"""Items of a longer returned list are not named one by one (a list of 1,000 losses is one value)."""


@dataclass(frozen=True)
class Produced:
    """How a value came about: a call (or what the author called it), and where in its result it is."""

    call: Text
    """The call written out, or the name the author gave it."""
    path: tuple[int, ...] = ()
    """The item's position in the result (``(0, 1)``: ``result[0][1]``); empty for the result itself."""
    label: str | None = None
    """What the item is called (``dx``), from ``expect.parts(..., labels=...)``."""

    def part(self, index: int, label: str | None = None) -> Produced:
        return Produced(self.call, (*self.path, index), label)

    def name(self) -> Text:
        """``call[0][1] (label)``, in whatever languages the call's name is written."""
        text = self.call
        for index in self.path:
            text = msg("expect.item", name=text, index=index)
        return text if self.label is None else msg("expect.labelled", name=text, label=self.label)


class CallRecord:
    """The values the running check got back from the student's code, each with the call that produced it."""

    def __init__(self, signatures: Signatures) -> None:
        self.signatures = signatures
        self._entries: dict[int, tuple[Any, Produced]] = {}  # id → (the object itself, how it came about)
        self._bytes = 0

    def watch(self, label: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
        """Remember ``result`` as produced by this call (the proxy tells every call)."""
        if all(part.isidentifier() for part in label.split(".")):  # not "the result of f": that names no function
            self.remember(result, Produced(call_text(label, args, kwargs, self.signatures.get(label, ()))))

    def remember(self, value: Any, produced: Produced) -> None:
        """Name ``value`` (and each item of it, when it is a tuple or list) after ``produced``."""
        if not _distinct_object(value):
            return
        self._forget(value)
        self._entries[id(value)] = (value, produced)
        self._bytes += _nbytes(value)
        if type(value) in (tuple, list) and len(value) <= MAX_ITEMS:
            for index, item in _single_items(value):
                self.remember(item, produced.part(index))
        while len(self._entries) > MAX_ENTRIES or self._bytes > MAX_BYTES:
            self._forget(next(iter(self._entries.values()))[0])

    def produced(self, value: Any) -> Produced | None:
        """How ``value`` came about, if it is the very object a recorded call returned (or an item of it)."""
        entry = self._entries.get(id(value))
        return entry[1] if entry is not None and entry[0] is value else None

    def _forget(self, value: Any) -> None:
        entry = self._entries.pop(id(value), None)
        if entry is not None:
            self._bytes -= _nbytes(entry[0])


_CURRENT: ContextVar[CallRecord | None] = ContextVar("grader_call_record", default=None)


@contextlib.contextmanager
def recording_calls(signatures: Signatures) -> Iterator[CallRecord]:
    """Record the student's calls made in this context (one check)."""
    record = CallRecord(signatures)
    token = _CURRENT.set(record)
    try:
        with watching_calls(record.watch):
            yield record
    finally:
        _CURRENT.reset(token)


def name_of(value: Any) -> Text | None:
    """The name of the call that produced ``value`` (see the module docstring), or None."""
    record = _CURRENT.get()
    produced = record.produced(value) if record is not None else None
    return produced.name() if produced is not None else None


def common_call(values: Sequence[Any]) -> Text | None:
    """The name of one value's call, or of the one call whose result several values are items of
    (``dw``, ``db`` of ``gradients(...)``: ``gradients(...)``); else None."""
    record = _CURRENT.get()
    produced = [record.produced(value) for value in values] if record is not None else []
    known = [item for item in produced if item is not None]
    if not known or len(known) < len(values):
        return None
    if len(known) == 1:
        return known[0].name()
    parent = Produced(known[0].call, known[0].path[:-1])
    if all(item.path and Produced(item.call, item.path[:-1]) == parent for item in known):
        return parent.name()
    return None


def remember_parts(value: tuple[Any, ...] | list[Any], name: Text | None, labels: str) -> None:
    """Name the items of ``value`` after ``name`` (else after the call that returned ``value``) and ``labels``:
    ``expect.parts(f(...), 2, labels="Z, A")`` makes its item 1 ``f(...)[1] (A)``."""
    record = _CURRENT.get()
    if record is None:
        return
    parent = Produced(name) if name is not None else record.produced(value)
    if parent is None:
        return
    names = split_labels(labels)
    record.remember(value, parent)
    for index, item in _single_items(value):
        record.remember(item, parent.part(index, names[index] if len(names) == len(value) else None))


def split_labels(labels: str) -> list[str]:
    """``"(wx_grad, wRec_grad), grad_over_time"`` → ``["wx_grad, wRec_grad", "grad_over_time"]``: split at
    the commas outside brackets, one pair of enclosing parentheses dropped (the name adds its own)."""
    if not labels.strip():
        return []
    parts, depth, start = [], 0, 0
    for position, char in enumerate(labels):
        depth += (char in "([{") - (char in ")]}")
        if char == "," and depth == 0:
            parts.append(labels[start:position].strip())
            start = position + 1
    parts.append(labels[start:].strip())
    return [part[1:-1] if part[:1] == "(" and part[-1:] == ")" else part for part in parts]


def _single_items(value: tuple[Any, ...] | list[Any]) -> list[tuple[int, Any]]:
    """(index, item) for each item that is at no other place of ``value`` (one object at two places has no one name)."""
    counts = Counter(id(item) for item in value)
    return [(index, item) for index, item in enumerate(value) if counts[id(item)] == 1]


def _distinct_object(value: Any) -> bool:
    """Whether ``value`` is an object of its own (not one Python shares, such as a small int or None)."""
    if type(value) in (tuple, list, dict):
        return len(value) > 0
    if isinstance(value, np.generic):
        return value.dtype.kind in "iufc"  # numpy's True and False are shared
    return type(value) in (np.ndarray, float, complex) or isinstance(value, RemoteObject)


def _nbytes(value: Any) -> int:
    return value.nbytes if type(value) is np.ndarray else 0
