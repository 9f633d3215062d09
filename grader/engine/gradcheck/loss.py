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
    """``f(**kwargs)`` reduced to a :class:`Value`; ``evaluations`` counts the calls of ``f``.

    When ``f`` also has ``many(list_of_kwargs) -> list of results | None`` (a function that runs in a
    sandboxed worker, for instance, where each call is a round trip), :meth:`prefetch` evaluates a whole
    batch of points at once and later calls with the same arguments take their results from it. ``many``
    returning None means "no batch this time": every point is then evaluated one by one, as without it.
    """

    def __init__(self, f: Callable[..., object], reduce: Reduce) -> None:
        self._f = f
        self._reduce = reduce
        self._prefetched: dict[_Key, object] = {}
        self.evaluations = 0

    @property
    def batches(self) -> bool:
        """``f`` can evaluate a batch of points at once (building the batch is worth it)."""
        # Looked up on the type: an object that forwards attribute access (a remote handle) is not asked.
        return getattr(type(self._f), "many", None) is not None

    def prefetch(self, points: list[dict[str, object]]) -> None:
        """Evaluate ``points`` in one batch if ``f`` can; otherwise do nothing."""
        if not self.batches or len(points) < 2:
            return
        results = type(self._f).many(self._f, points)  # type: ignore[attr-defined]
        if results is None:
            return
        self.evaluations += len(points)
        self._prefetched.update(zip((_key(point) for point in points), results))

    def evaluate(self, kwargs: dict[str, object]) -> Value:
        """Call ``f`` once; its exceptions propagate unchanged (they are the student's errors)."""
        key = _key(kwargs) if self._prefetched else None
        if key is not None and key in self._prefetched:
            return self._reduce(self._prefetched.pop(key))
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
            raise TypeError(
                f"the function must return an array of dout's shape {dout.shape}, got {_describe(result, array)}"
            )
        terms = array.astype(np.float64) * dout
        return Value(float(terms.sum()), float(np.abs(terms).sum()), _eps(array.dtype))

    return reduce


_Key = tuple[tuple[object, ...], ...]


def _key(kwargs: dict[str, object]) -> _Key:
    """The arguments by content: the same point built twice has the same key."""
    return tuple(
        (name, value.dtype.str, value.shape, value.tobytes()) if isinstance(value, np.ndarray) else (name, repr(value))
        for name, value in kwargs.items()
    )


@functools.cache
def _eps(dtype: np.dtype) -> float:
    # Cached: np.finfo is slow next to a small f, and this runs on every evaluation.
    return float(np.finfo(dtype).eps) if dtype.kind == "f" else EPS64


def _describe(result: object, array: np.ndarray) -> str:
    if array.dtype.kind in "fiub":
        return f"an array of shape {array.shape}"
    return f"a value of type {type(result).__name__}"
