"""``expect.*``: the comparisons a check makes, each failing with a message and a hint a student can use.

Every helper first makes sure the student's value is plain data of the right kind (a remote object,
None, a string or a ragged list fails with "wrong type" rather than being compared), so no object of
the student's can take part in a comparison: only numbers the parent holds are compared.

A message names the value: by the author's ``name=``, else by the call that returned it
(``conv2d_forward(x (2, 3, 6, 7), w (4, 3, 3, 2), b (4,), stride=2, pad=1)``: see
:mod:`grader.engine.checks.calls`), else as "result".
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from grader.engine.checks import calls
from grader.engine.checks.cases import GradientFailure, gradient_cases
from grader.engine.checks.describe import shape_text
from grader.engine.checks.failure import CheckFailure
from grader.engine.gradcheck import GradientReport, check_gradient, check_vjp
from grader.i18n import Msg, Text, msg
from grader.sandbox.errors import StudentError
from grader.sandbox.proxy import Param, RemoteObject

param = Param  # expect.param("x"): an open argument of student.f.partial(...) (see docs/writing-checks.md)

_SCALAR_TYPES = (bool, int, float, complex, np.generic)


def close(
    actual: Any,
    expected: Any,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    name: Text | None = None,
    hint: Text | None = None,
) -> None:
    """``actual`` equals ``expected`` elementwise within ``atol + rtol * |expected|``, with the same shape.

    A tuple or list ``expected`` (say ``(dx, dw, db)``) is compared item by item, named ``result[0]``...
    """
    name = named(actual, name)
    if isinstance(expected, (tuple, list)):
        items = _sequence(actual, len(expected), name, hint)
        for position, (got_item, expected_item) in enumerate(zip(items, expected)):
            close(got_item, expected_item, rtol=rtol, atol=atol, name=item_name(name, position), hint=hint)
        return
    expected_array = np.asarray(expected)
    actual_array = numeric(actual, name)
    _same_shape(actual_array, expected_array, name, hint)
    _finite_where_expected(actual_array, expected_array, name, hint)
    error = (
        np.abs(actual_array.astype(np.complex128) - expected_array)
        if _is_complex(actual_array, expected_array)
        else np.abs(actual_array.astype(np.float64) - expected_array.astype(np.float64))
    )
    tolerance = atol + rtol * np.abs(expected_array)
    bad = ~(error <= tolerance)  # NaN compares False, so a NaN where a NaN is expected is handled below
    bad &= ~(np.isnan(expected_array.astype(np.complex128)) & np.isnan(actual_array.astype(np.complex128)))
    if bad.any():
        raise CheckFailure(_mismatch(actual_array, expected_array, error, tolerance, bad, name), hint)


def equal(actual: Any, expected: Any, *, name: Text | None = None, hint: Text | None = None) -> None:
    """Exact equality of plain values: ints, strings, bools, tuples/lists of them, or arrays."""
    name = named(actual, name)
    if isinstance(expected, np.ndarray):
        actual_array = numeric(actual, name)
        _same_shape(actual_array, expected, name, hint)
        bad = actual_array != expected
        if bad.any():
            raise CheckFailure(_mismatch(actual_array, expected, None, None, bad, name), hint)
        return
    if isinstance(expected, (tuple, list)):
        _equal_sequence(actual, expected, name, hint)
        return
    _equal_scalar(actual, expected, name, hint)


def shape(actual: Any, expected_shape: tuple[int, ...], *, name: Text | None = None, hint: Text | None = None) -> None:
    """``actual`` is an array of shape ``expected_shape``."""
    name = named(actual, name)
    _same_shape(numeric(actual, name), np.empty(tuple(expected_shape), dtype=np.int8), name, hint)


def true(condition: Any, message: Text, *, hint: Text | None = None) -> None:
    """``condition`` is True; otherwise fail with the author's ``message``."""
    if type(condition) not in (bool, np.bool_):
        raise TypeError(f"expect.true needs a bool, got {type(condition).__name__}: compare values first")
    if not condition:
        raise CheckFailure(message, hint)


def raises(
    exc_type: type[BaseException],
    function: Callable[..., Any] | None = None,
    *args: Any,
    hint: Text | None = None,
    **kwargs: Any,
) -> Any:
    """The student's code raises ``exc_type`` (or a subclass).

    ``expect.raises(ValueError, student.f, 0)`` calls directly; ``with expect.raises(ValueError):``
    checks the block.
    """
    if function is None:
        return _raises_block(exc_type, hint)
    with _raises_block(exc_type, hint):
        function(*args, **kwargs)
    return None


def parts(
    actual: Any, n: int, *, name: Text | None = None, labels: str = "", hint: Text | None = None
) -> tuple[Any, ...] | list[Any]:
    """``actual`` is a tuple (or list) of ``n`` values; returned so a check can unpack it.

    ``dx, dw, db = expect.parts(student.conv2d_backward(...), 3, labels="dx, dw, db")``: a message about
    ``dw`` then calls it ``conv2d_backward(...)[1] (dw)``.
    """
    if type(actual) in (tuple, list) and len(actual) == n:
        calls.remember_parts(actual, name, labels)
        sequence: tuple[Any, ...] | list[Any] = actual  # exactly one of them (type(), not isinstance: no subclass)
        return sequence
    got = _kind(actual)
    raise CheckFailure(
        msg("expect.wrong_parts", name=named(actual, name), n=n, labels=labels, got=got),
        hint or msg("expect.parts_hint"),
    )


def gradient(
    f: Callable[..., Any],
    at: Mapping[str, Any],
    got: Mapping[str, Any],
    *,
    rng: np.random.Generator | None = None,
    batch_size: int | None = None,
    time_axis: Mapping[str, int] | None = None,
    name: Text | None = None,
    hint: Text | None = None,
) -> None:
    """``got[p]`` is the gradient of the scalar ``f(**at)`` with respect to ``p``, for each name in ``got``.

    ``batch_size`` lets the hint name a missing or doubled mean; ``time_axis`` ({name: axis}) lets it say
    which time steps are wrong; ``name`` labels the call in the message (default: the call that returned
    ``got``'s values, when one did).
    """
    _refuse_remote(got, at)
    name = _gradient_name(got, name)
    report = check_gradient(f, at, got, _rng(rng), batch_size, time_axis)
    _report_gradient(report, batch_size, name, hint)


def vjp(
    f: Callable[..., Any],
    at: Mapping[str, Any],
    dout: Any,
    got: Mapping[str, Any],
    *,
    rng: np.random.Generator | None = None,
    batch_size: int | None = None,
    time_axis: Mapping[str, int] | None = None,
    name: Text | None = None,
    hint: Text | None = None,
) -> None:
    """``got[p]`` is the gradient of ``sum(f(**at) * dout)`` with respect to ``p``: a backward pass."""
    _refuse_remote(got, at)
    name = _gradient_name(got, name)
    report = check_vjp(f, at, dout, got, _rng(rng), batch_size, time_axis)
    _report_gradient(report, batch_size, name, hint)


def numeric(value: Any, name: Text) -> np.ndarray:
    """The student's value as a numeric array, or a failure saying what was returned instead."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        return value
    if value is None:
        raise CheckFailure(msg("expect.got_none", name=name), msg("expect.got_none_hint"))
    if isinstance(value, RemoteObject):
        raise CheckFailure(msg("expect.wrong_type", name=name, got=value.remote_type), msg("expect.numeric_hint"))
    if isinstance(value, _SCALAR_TYPES) or _is_number_sequence(value):
        try:
            array = np.asarray(value)
        except ValueError:  # a ragged list
            array = np.empty(0, dtype=object)
        if array.dtype.kind in "biufc":
            return array
    raise CheckFailure(msg("expect.wrong_type", name=name, got=type(value).__name__), msg("expect.numeric_hint"))


def named(value: Any, name: Text | None) -> Text:
    """``name``, else the call that returned ``value``, else "result"."""
    if name is not None:
        return name
    return calls.name_of(value) or "result"


def _gradient_name(got: Mapping[str, Any], name: Text | None) -> Text | None:
    """``name``, else the call whose result ``got`` holds; looked up before the checker's many calls."""
    return name if name is not None else calls.common_call(list(got.values()))


def _rng(rng: np.random.Generator | None) -> np.random.Generator:
    # Without the check's rng the sampled coordinates are still the same on every run.
    return rng if rng is not None else np.random.default_rng(0)


def _refuse_remote(got: Mapping[str, Any], at: Mapping[str, Any]) -> None:
    """A remote object is no gradient; say so without asking the student's object anything."""
    for param, value in got.items():
        if isinstance(value, RemoteObject):
            shape = shape_text(np.shape(at[param])) if param in at else "?"
            raise CheckFailure(
                msg("gradient.not_numeric", name=param, got_type=value.remote_type),
                msg("gradient.hint_not_numeric", name=param, shape=shape),
            )


def _report_gradient(report: GradientReport, batch_size: int | None, name: Text | None, hint: Text | None) -> None:
    """Fail with the gradient checker's message, and its diagnosis followed by the author's hint; or,
    within a check, keep a failure that the check's other cases may explain (see :mod:`grader.engine.checks.cases`)."""
    cases = gradient_cases()
    if cases is not None:
        cases.add(report, batch_size)
    if report.ok:
        return
    failure = GradientFailure(report, name, hint)
    if cases is not None and report.factor_may_vary:
        cases.keep(failure)
        return
    raise failure.error()


@contextlib.contextmanager
def _raises_block(exc_type: type[BaseException], hint: Text | None) -> Iterator[None]:
    try:
        yield
    except StudentError as error:
        if error.is_instance_of(NotImplementedError) and exc_type is not NotImplementedError:
            raise  # an unfinished function is reported as such, not as the wrong exception
        if not error.is_instance_of(exc_type):
            raise CheckFailure(
                msg("expect.wrong_exception", expected=exc_type.__name__, got=str(error)), hint
            ) from None
        return
    raise CheckFailure(msg("expect.did_not_raise", expected=exc_type.__name__), hint)


def _is_number_sequence(value: Any) -> bool:
    if type(value) not in (list, tuple):
        return False
    return all(isinstance(item, _SCALAR_TYPES) or _is_number_sequence(item) for item in value)


def _is_complex(*arrays: np.ndarray) -> bool:
    return any(array.dtype.kind == "c" for array in arrays)


def _same_shape(actual: np.ndarray, expected: np.ndarray, name: Text, hint: Text | None) -> None:
    if actual.shape == expected.shape:
        return
    looks_transposed = actual.ndim == 2 and actual.shape == expected.shape[::-1]
    detail = msg("expect.shape_transposed_hint") if looks_transposed else hint
    raise CheckFailure(
        msg("expect.shape_mismatch", name=name, expected=shape_text(expected.shape), got=shape_text(actual.shape)),
        detail or msg("expect.shape_hint"),
    )


def _finite_where_expected(actual: np.ndarray, expected: np.ndarray, name: Text, hint: Text | None) -> None:
    if actual.dtype.kind not in "fc":
        return
    bad = ~np.isfinite(actual) & np.isfinite(expected.astype(np.complex128))
    if not bad.any():
        return
    first = tuple(np.argwhere(bad)[0])  # () for a 0-d array
    if actual.ndim == 0:
        message = msg("expect.nonfinite_scalar", name=name, value=str(actual[first]))
    else:
        message = msg(
            "expect.nonfinite", name=name, count=int(bad.sum()), index=_index(first), value=str(actual[first])
        )
    raise CheckFailure(message, hint or msg("expect.nonfinite_hint"))


def _mismatch(
    actual: np.ndarray,
    expected: np.ndarray,
    error: np.ndarray | None,
    tolerance: np.ndarray | None,
    bad: np.ndarray,
    name: Text,
) -> Msg:
    if error is None:
        worst = tuple(np.argwhere(bad)[0]) if bad.ndim else ()
    else:
        excess = np.where(bad, error - tolerance, -np.inf)
        worst = np.unravel_index(int(np.argmax(excess)), bad.shape) if bad.ndim else ()
    params: dict[str, object] = dict(
        name=name,
        index=_index(worst),
        got=_value(actual[worst]),
        expected=_value(expected[worst]),
        count=int(bad.sum()),
        total=int(bad.size),
    )
    if actual.ndim == 0:
        return msg("expect.not_equal", name=name, got=params["got"], expected=params["expected"])
    if error is None:
        return msg("expect.not_equal_at", **params)
    relative = error / np.maximum(np.abs(expected), 1e-12)
    return msg(
        "expect.not_close", **params, abs_err=f"{float(np.max(error)):.3g}", rel_err=f"{float(np.max(relative)):.3g}"
    )


def _equal_sequence(actual: Any, expected: tuple[Any, ...] | list[Any], name: Text, hint: Text | None) -> None:
    if isinstance(actual, np.ndarray) and actual.ndim == 1:
        actual = actual.tolist()
    for position, (got_item, expected_item) in enumerate(zip(_sequence(actual, len(expected), name, hint), expected)):
        equal(got_item, expected_item, name=item_name(name, position), hint=hint)


def _kind(value: Any) -> str:
    """What a value is, for messages: "list of 2", "ndarray", or a remote object's class."""
    if isinstance(value, RemoteObject):
        return value.remote_type
    if type(value) in (tuple, list):
        return f"{type(value).__name__} of {len(value)}"
    return type(value).__name__


def _sequence(actual: Any, length: int, name: Text, hint: Text | None) -> tuple[Any, ...] | list[Any]:
    """The student's tuple or list of ``length`` items, or a failure saying what it is instead."""
    if type(actual) not in (tuple, list):
        got = actual.remote_type if isinstance(actual, RemoteObject) else type(actual).__name__
        raise CheckFailure(
            msg("expect.wrong_type_sequence", name=name, got=got, n=length),
            hint or msg("expect.sequence_hint", n=length),
        )
    if len(actual) != length:
        raise CheckFailure(msg("expect.wrong_length", name=name, expected=length, got=len(actual)), hint)
    sequence: tuple[Any, ...] | list[Any] = actual  # exactly one of them (type(), not isinstance: no subclass)
    return sequence


def _equal_scalar(actual: Any, expected: Any, name: Text, hint: Text | None) -> None:
    wrong_kind = (
        isinstance(expected, (int, np.integer))
        and not isinstance(expected, bool)
        and not (isinstance(actual, (int, np.integer)) and not isinstance(actual, (bool, np.bool_)))
    ) or (isinstance(expected, str) and not isinstance(actual, str))
    if wrong_kind:
        got = actual.remote_type if isinstance(actual, RemoteObject) else f"{type(actual).__name__} {_value(actual)}"
        raise CheckFailure(msg("expect.wrong_scalar_type", name=name, expected=type(expected).__name__, got=got), hint)
    if isinstance(actual, RemoteObject):
        raise CheckFailure(msg("expect.wrong_type", name=name, got=actual.remote_type), hint)
    if not (type(actual) in (bool, int, float, str, complex) or isinstance(actual, np.generic)) or actual != expected:
        raise CheckFailure(msg("expect.not_equal", name=name, expected=_value(expected), got=_value(actual)), hint)


def _index(index: Any) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _value(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def item_name(name: Text, position: int) -> Text:
    """``name[position]``, in whatever languages ``name`` is written (a label may be ``{"en": ..., "ko": ...}``)."""
    return msg("expect.item", name=name, index=position)
