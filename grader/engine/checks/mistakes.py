"""Recognising a typical mistake in a wrong result, so that the failure names the mistake.

``expect.close`` says *where* a result is wrong. A check knows its inputs, so it can also say *why*:
it knows what a flipped kernel, a softmax over the wrong axis or a missing scale factor would have
returned, or which property such a result has (its columns sum to 1 instead of its rows). Each of
those is a :class:`Diagnosis`; :func:`close` compares like ``expect.close`` and, when the result is
wrong, lets the first diagnosis that explains it replace the generic message and hint::

    from grader.engine.checks import mistakes

    mistakes.close(A, expected, name="self_attention(...)[1] (A)", hint=generic_hint, known=[
        mistakes.SumsToOne(axis=-1, name="A", hint=axis_hint),       # a property of the wrong result
        mistakes.Mistake(unscaled, message=no_scale, hint=scale_hint),  # a wrong result, computed
    ])

A diagnosis only ever changes the words of a failure, never whether the check passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Any, Protocol

import numpy as np

from grader.engine.checks import expect
from grader.engine.checks.failure import CheckFailure
from grader.i18n import Text, msg


@dataclass(frozen=True)
class Explanation:
    """What a student whose result shows a known mistake should read."""

    message: Text | None
    """What is wrong; None keeps the comparison's own message (where the values differ)."""
    hint: Text
    """What to look at."""


class Diagnosis(Protocol):
    """Anything that can tell whether a wrong result shows one particular mistake."""

    def explains(self, actual: np.ndarray) -> Explanation | None:
        """The explanation when ``actual`` (the student's wrong result) shows this mistake, else None."""


@dataclass(frozen=True)
class Mistake:
    """A mistake recognised by its result: what it returns for the check's inputs."""

    result: Any
    """The value the mistake produces for the inputs the check used."""
    _: KW_ONLY  # check files write ``Mistake(unscaled, hint=..., message=...)``: the result first, then names
    hint: Text
    """What to look at."""
    message: Text | None = None
    """What is wrong; None keeps the comparison's message."""
    rtol: float = 1e-6
    atol: float = 1e-8

    def explains(self, actual: np.ndarray) -> Explanation | None:
        result = np.asarray(self.result)
        same = actual.shape == result.shape and bool(np.allclose(actual, result, rtol=self.rtol, atol=self.atol))
        return Explanation(self.message, self.hint) if same else None


@dataclass(frozen=True)
class SumsToOne:
    """Normalised along the wrong axis: slices along ``axis`` must sum to 1, and the result's do not,
    but its slices along another axis do (a softmax or a probability table over the wrong axis)."""

    axis: int
    """The axis the result must be normalised along (-1: each row of a matrix)."""
    name: str
    """How the result is called in the README (``A``)."""
    hint: Text | None = None
    """What to look at; None gives a general one (the same axis for the maximum and the sum)."""

    def explains(self, actual: np.ndarray) -> Explanation | None:
        if actual.ndim < 2 or actual.dtype.kind not in "fi" or _sums_to_one(actual, self.axis):
            return None
        other = next((axis for axis in range(actual.ndim) if _sums_to_one(actual, axis)), None)
        if other is None:
            return None
        want, got = _slice_word(self.axis, actual.ndim), _slice_word(other, actual.ndim)
        hint = self.hint or msg("mistakes.sums_to_one_hint", axis=_axis_text(self.axis, actual.ndim))
        return Explanation(msg("mistakes.sums_to_one", name=self.name, want=want, got=got), hint)


@dataclass(frozen=True)
class MaskedAfterSoftmax:
    """A mask applied after the softmax: the masked weights are 0, but rows that lost weight to the mask
    now sum to less than 1 (a softmax over the allowed positions only would keep them at 1)."""

    mask: Any
    """The boolean mask the check passed (False: masked)."""
    name: str
    """How the weights are called in the README (``A``)."""

    def explains(self, actual: np.ndarray) -> Explanation | None:
        allowed = np.asarray(self.mask, dtype=bool)
        if actual.shape != allowed.shape or actual.dtype.kind not in "fi" or np.any(actual[~allowed] != 0):
            return None
        sums = actual.astype(float).sum(axis=-1)
        partial = ~allowed.all(axis=-1) & allowed.any(axis=-1)  # rows the mask takes weight from
        full = allowed.all(axis=-1)
        if not partial.any() or not np.all(sums[partial] < 1 - 1e-6) or not np.allclose(sums[full], 1.0):
            return None
        return Explanation(
            msg("mistakes.masked_after_softmax", name=self.name), msg("mistakes.masked_after_softmax_hint")
        )


def truncated(expected: Any) -> Mistake:
    """The mistake of filling an integer array: every value rounded toward 0 (a state or gradient array
    made with an int input's dtype, ``np.zeros_like(x)``)."""
    expected = np.asarray(expected, dtype=float)
    return Mistake(np.trunc(expected), hint=msg("mistakes.truncated_hint"), message=msg("mistakes.truncated"))


def close(
    actual: Any,
    expected: Any,
    *,
    name: Text | None = None,
    hint: Text | None = None,
    known: Sequence[Diagnosis] = (),
    evidence: Any = None,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> None:
    """``expect.close``; when it fails on a numeric result that one of ``known`` explains, the failure
    says that diagnosis's message and hint instead (the first that explains it, in order).

    ``evidence`` is what the diagnoses look at when it is not ``actual`` itself (compare the row sums
    of ``A``, diagnose ``A``). ``name`` defaults as in ``expect.close``.
    """
    name = expect.named(actual, name)
    try:
        expect.close(actual, expected, rtol=rtol, atol=atol, name=name, hint=hint)
    except CheckFailure as failure:
        explanation = explain(actual if evidence is None else evidence, known)
        if explanation is None:
            raise
        message = (
            failure.message
            if explanation.message is None
            else msg("expect.in_call", call=name, detail=explanation.message)
        )
        raise CheckFailure(message, explanation.hint) from None


def explain(actual: Any, known: Sequence[Diagnosis]) -> Explanation | None:
    """The first of ``known`` that explains ``actual``, or None (also when ``actual`` is not numeric data)."""
    try:
        array = expect.numeric(actual, "result")
    except CheckFailure:
        return None
    return next((explanation for diagnosis in known if (explanation := diagnosis.explains(array)) is not None), None)


def _sums_to_one(array: np.ndarray, axis: int) -> bool:
    with np.errstate(all="ignore"):
        sums = np.sum(array.astype(float), axis=axis)
    return bool(np.all(np.isfinite(sums)) and np.allclose(sums, 1.0, rtol=1e-6, atol=1e-6))


def _slice_word(axis: int, ndim: int) -> Text:
    """ "row" for the last axis of a matrix, "column" for its first, else "slice along axis k"."""
    if ndim == 2:
        return msg("mistakes.row") if axis % 2 == 1 else msg("mistakes.column")
    return msg("mistakes.slice_along", axis=_axis_text(axis, ndim))


def _axis_text(axis: int, ndim: int) -> str:
    return f"{axis}" if axis >= 0 else f"{axis} (= {axis % ndim})"
