"""Turning the claimed gradients into float64 arrays, or into a diagnosis of why they cannot be.

A claimed gradient comes from student code, so anything may arrive: None (a forgotten ``return``), a
string, a list, an array of the transposed shape, NaN. Those are the student's mistakes and become
clean failures; only the check author's mistakes (a name in ``got`` that is not in ``at``) raise.
"""

from __future__ import annotations

import numpy as np

from grader.engine.gradcheck.report import Diagnosis


def analytic_array(name: str, got: object, shape: tuple[int, ...]) -> np.ndarray | Diagnosis:
    """The claimed gradient as a float64 array of the parameter's shape, or why it is not one.

    A scalar parameter accepts any size-1 gradient (``0.5``, ``np.array([0.5])``): its value is
    unambiguous. Arrays must match the shape exactly.
    """
    array = _numeric(got)
    if array is None:
        return Diagnosis("wrong_shape", name, expected_shape=shape, got_type=type(got).__name__)
    if array.shape != shape and not (shape == () and array.size == 1):
        return Diagnosis("wrong_shape", name, expected_shape=shape, got_shape=array.shape)
    array = array.astype(np.float64).reshape(shape)
    finite = np.isfinite(array)
    if not finite.all():
        where = tuple(int(i) for i in np.unravel_index(int(np.argmin(finite.reshape(-1))), shape))
        return Diagnosis(
            "nonfinite", name, expected_shape=shape, got_shape=shape, index=where, value=float(array[where])
        )
    return array


def analytic_eps(got: object) -> float:
    """Machine epsilon of the claimed gradient's dtype (float64 unless it is a lower-precision float)."""
    dtype = getattr(got, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return float(np.finfo(dtype).eps)
    return float(np.finfo(np.float64).eps)


def _numeric(got: object) -> np.ndarray | None:
    """``got`` as a real numeric array, or None if it is not one (None, str, objects, ragged lists)."""
    if got is None or isinstance(got, (str, bytes)):
        return None
    try:
        array = np.asarray(got)
    except (TypeError, ValueError):
        return None
    return array if array.dtype.kind in "fiu" else None
