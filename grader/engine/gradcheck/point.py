"""The point ``at``: held privately, handed to ``f`` as fresh copies on every call.

A student's function may write into its inputs (``x += 1``, ``W[0] = 0``). If ``f`` ever received our
own arrays, one such call would silently move the point for every later evaluation and the numeric
gradient would be computed somewhere else. So the point keeps private copies, never hands them out,
and every call of ``f`` gets new copies of every value.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterable, Mapping

import numpy as np

# How a checked parameter was given, so that f receives the same kind of value back.
_ARRAY, _PY_SCALAR, _NP_SCALAR = "array", "python scalar", "numpy scalar"


class Point:
    """Private copies of ``at``; the checked parameters also as flat float64 vectors."""

    def __init__(self, at: Mapping[str, object], checked: Iterable[str]) -> None:
        self._fixed: dict[str, object] = {}
        self._stored: dict[str, np.ndarray] = {}
        self._form: dict[str, str] = {}
        self._order = list(at)
        for name in checked:
            if name not in at:
                raise ValueError(f"got names {name!r}, which is not a parameter in `at`")
        checked = set(checked)
        for name, value in at.items():
            if name in checked:
                self._stored[name], self._form[name] = _storage(name, value)
            else:
                self._fixed[name] = value if _immutable(value) else copy.deepcopy(value)

    def shape(self, name: str) -> tuple[int, ...]:
        """The shape of a checked parameter (``()`` for a scalar)."""
        return self._stored[name].shape

    def size(self, name: str) -> int:
        """The number of entries of a checked parameter."""
        return self._stored[name].size

    def eps(self, name: str) -> float:
        """Machine epsilon of the dtype the parameter is stored in (its perturbations are rounded to it)."""
        return float(np.finfo(self._stored[name].dtype).eps)

    def flat64(self, name: str) -> np.ndarray:
        """A float64 copy of the parameter's values, flattened (C order)."""
        return self._stored[name].astype(np.float64).reshape(-1)

    def kwargs(self) -> dict[str, object]:
        """Arguments for ``f`` at the point itself."""
        return {name: self._fresh(name) for name in self._order}

    def with_coordinate(self, name: str, index: int, value: float) -> tuple[dict[str, object], float]:
        """Arguments with one coordinate of ``name`` set to ``value``; also the value f actually sees.

        The value is rounded to the parameter's dtype (float32 storage), so callers divide by the step
        actually taken, not the one asked for.
        """
        array = self._stored[name].copy()
        array.reshape(-1)[index] = value
        return self._with(name, array), float(array.reshape(-1)[index])

    def with_values(self, name: str, flat: np.ndarray) -> tuple[dict[str, object], np.ndarray]:
        """Arguments with all of ``name`` replaced by ``flat``; also the values f actually sees (float64)."""
        arguments, seen = self.with_changes({name: flat})
        return arguments, seen[name]

    def with_changes(self, changes: dict[str, np.ndarray]) -> tuple[dict[str, object], dict[str, np.ndarray]]:
        """Arguments with several parameters replaced by flat float64 values (rounded to their dtypes);
        also the values f actually sees, as flat float64."""
        arrays = {
            name: flat.astype(self._stored[name].dtype).reshape(self._stored[name].shape)
            for name, flat in changes.items()
        }
        arguments = {
            name: _as_form(arrays[name], self._form[name]) if name in arrays else self._fresh(name)
            for name in self._order
        }
        return arguments, {name: array.astype(np.float64).reshape(-1) for name, array in arrays.items()}

    def _with(self, name: str, array: np.ndarray) -> dict[str, object]:
        # Built in one pass: copying ``name`` first only to replace it would double the copying.
        return {
            other: _as_form(array, self._form[name]) if other == name else self._fresh(other) for other in self._order
        }

    def _fresh(self, name: str) -> object:
        if name in self._stored:
            return _as_form(self._stored[name].copy(), self._form[name])
        value = self._fixed[name]
        if isinstance(value, np.ndarray):
            return value.copy()
        return value if _immutable(value) else copy.deepcopy(value)


def _storage(name: str, value: object) -> tuple[np.ndarray, str]:
    """A private array for a checked parameter and the form to hand it back in."""
    if isinstance(value, np.ndarray):
        form = _ARRAY
    elif isinstance(value, np.generic):
        form = _NP_SCALAR
    elif isinstance(value, numbers.Real):
        form = _PY_SCALAR
    else:
        raise TypeError(
            f"`at[{name!r}]` must be a number or a numpy array to be differentiated, got {type(value).__name__}"
        )
    array = np.array(value)
    if array.dtype.kind == "f":
        return array, form
    if array.dtype.kind in "iub":
        # An integer point cannot be perturbed by a small step; differentiate the real-valued extension.
        return array.astype(np.float64), form
    raise TypeError(f"`at[{name!r}]` must hold real numbers to be differentiated, got dtype {array.dtype}")


def _as_form(array: np.ndarray, form: str) -> object:
    if form == _PY_SCALAR:
        return float(array)
    if form == _NP_SCALAR:
        return array.dtype.type(array.reshape(()))
    return array


def _immutable(value: object) -> bool:
    # Tuples are not here: a tuple of arrays is as writable as the arrays inside it.
    return value is None or isinstance(value, (numbers.Number, str, bytes, np.generic))
