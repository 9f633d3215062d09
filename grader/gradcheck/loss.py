"""The function under test as a float64 scalar loss that counts its calls.

``check_gradient`` differentiates ``f`` itself; ``check_vjp`` differentiates ``sum(f(x) * dout)``. Both
become a :class:`Loss`: call it with keyword arguments, get a float64 value. The first call, at the
point itself, also tells how precisely ``f`` computes (the dtype it returns) and how large the loss is,
which set the step size and the noise floor.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

EPS64 = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class Value:
    """One evaluation of the loss."""

    value: float
    """The loss, in float64."""
    magnitude: float
    """The size of what was summed to get it (|loss| for a scalar f, sum |f(x) * dout| for a VJP):
    rounding errors scale with this, not with the possibly cancelled value."""
    eps: float
    """Machine epsilon of the dtype f returned: float32 output means float32 rounding noise."""


Reduce = Callable[[object], Value]


class Loss:
    """``f(**kwargs)`` reduced to a :class:`Value`; ``evaluations`` counts the calls of ``f``."""

    def __init__(self, f: Callable[..., object], reduce: Reduce) -> None:
        self._f = f
        self._reduce = reduce
        self.evaluations = 0

    def evaluate(self, kwargs: dict[str, object]) -> Value:
        """Call ``f`` once; its exceptions propagate unchanged (they are the student's errors)."""
        self.evaluations += 1
        return self._reduce(self._f(**kwargs))

    def __call__(self, kwargs: dict[str, object]) -> float:
        return self.evaluate(kwargs).value


def scalar(result: object) -> Value:
    """Reduce for ``check_gradient``: ``f`` must return one number."""
    array = np.asarray(result)
    if array.dtype.kind not in "fiub" or array.size != 1:
        raise TypeError(f"the loss function must return a real scalar, got {_describe(result, array)}")
    value = float(array.reshape(()))
    return Value(value, abs(value), _eps(array.dtype))


def weighted_sum(dout: np.ndarray) -> Reduce:
    """Reduce for ``check_vjp``: ``sum(f(x) * dout)``, whose gradient is the VJP with ``dout``."""

    def reduce(result: object) -> Value:
        array = np.asarray(result)
        if array.dtype.kind not in "fiub" or array.shape != dout.shape:
            raise TypeError(f"the function must return an array of dout's shape {dout.shape}, got {_describe(result, array)}")
        terms = array.astype(np.float64) * dout
        return Value(float(terms.sum()), float(np.abs(terms).sum()), _eps(array.dtype))

    return reduce


@functools.lru_cache(maxsize=None)
def _eps(dtype: np.dtype) -> float:
    # Cached: np.finfo is slow next to a small f, and this runs on every evaluation.
    return float(np.finfo(dtype).eps) if dtype.kind == "f" else EPS64


def _describe(result: object, array: np.ndarray) -> str:
    if array.dtype.kind in "fiub":
        return f"an array of shape {array.shape}"
    return f"a value of type {type(result).__name__}"
