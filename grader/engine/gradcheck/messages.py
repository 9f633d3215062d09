"""The student-facing text of a gradient report: catalogue messages (``gradient.*``) with numbers.

Numbers are formatted here, once, so both languages show the same digits: values with 6 significant
digits (enough to see how two nearly equal numbers differ), relative errors with 2.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.engine.gradcheck.report import Diagnosis, Factor, ParamResult
from grader.i18n import LANGUAGES, Msg, msg, render

_SCALE_HINTS = {
    "batch size": "gradient.hint_scale_batch",
    "1/batch size": "gradient.hint_scale_inv_batch",
    "2": "gradient.hint_scale_two",
    "0.5": "gradient.hint_scale_half",
}


def summary(params: Sequence[ParamResult]) -> Msg:
    """One line: what passed, or what is wrong with the first failing parameter and where."""
    failing = next((result for result in params if not result.ok), None)
    if failing is None:
        return _passed(params)
    diagnosis = failing.diagnosis
    if diagnosis is not None and diagnosis.kind == "wrong_shape":
        return _wrong_form(diagnosis)
    if diagnosis is not None and diagnosis.kind == "nonfinite":
        return msg(
            "gradient.nonfinite",
            name=diagnosis.name,
            where=_where(diagnosis.name, diagnosis.index),
            value=str(diagnosis.value),
        )
    return _wrong_value(failing)


def hint(diagnosis: Diagnosis) -> Msg:
    """What to look at, given what is wrong."""
    name = diagnosis.name
    if diagnosis.kind == "wrong_shape":
        return _shape_hint(diagnosis)
    if diagnosis.kind == "scale":
        key = _SCALE_HINTS.get(diagnosis.factor_name or "", "gradient.hint_scale_other")
        return msg(key, name=name, factor=f"{diagnosis.factor:.3g}", count=_count_text(diagnosis.factor))
    if diagnosis.kind == "transpose":
        return msg("gradient.hint_transpose", name=name, shape=_shape(diagnosis.expected_shape))
    if diagnosis.kind == "partial":
        return _partial_hint(diagnosis)
    if diagnosis.kind == "zero":
        return msg(
            "gradient.hint_zero", name=name, where=_where(name, diagnosis.index), numeric=_number(diagnosis.value)
        )
    simple = {"nonfinite": "gradient.hint_nonfinite", "sign": "gradient.hint_sign"}
    return msg(simple.get(diagnosis.kind, "gradient.hint_mismatch"), name=name)


def hint_per_case(names: Sequence[str], factors: Sequence[tuple[Factor, int]], size: float) -> Msg:
    """The factor of each case of a check and its batch size N, when the factors follow N (k = N / size):
    "×0.06 with N = 6, ×0.01 with N = 1"."""
    # The list is made in every language here, so its numbers are formatted once for all of them.
    cases = {
        language: ", ".join(
            render(msg("gradient.case_factor", factor=f"{k.value:.3g}", n=n), language) for k, n in factors
        )
        for language in LANGUAGES
    }
    whole = round(size)
    ratio = f"N/{whole}" if abs(size - whole) <= 1e-3 * abs(size) else f"N/{size:.3g}"
    return msg("gradient.hint_scale_per_case", names=", ".join(names), cases=cases, ratio=ratio)


def _passed(params: Sequence[ParamResult]) -> Msg:
    rels = [result.max_rel_error for result in params if result.max_rel_error == result.max_rel_error]
    directions = sum(result.n_directions for result in params)
    return msg(
        "gradient.ok_sampled" if directions else "gradient.ok",
        names=", ".join(result.name for result in params),
        checked=sum(result.n_checked for result in params),
        directions=directions,
        rel_error=_rel(max(rels, default=0.0)),
    )


def _wrong_form(diagnosis: Diagnosis) -> Msg:
    if diagnosis.got_type == "NoneType":
        return msg("gradient.not_returned", name=diagnosis.name)
    if diagnosis.got_type is not None:
        return msg("gradient.not_numeric", name=diagnosis.name, got_type=diagnosis.got_type)
    return msg(
        "gradient.wrong_shape",
        name=diagnosis.name,
        got_shape=_shape(diagnosis.got_shape),
        expected_shape=_shape(diagnosis.expected_shape),
    )


def _wrong_value(result: ParamResult) -> Msg:
    numbers = {
        "name": result.name,
        "analytic": _number(result.analytic),
        "numeric": _number(result.numeric),
        "rel_error": _rel(result.max_rel_error),
    }
    if result.worst_is_direction:
        return msg("gradient.wrong_direction", **numbers)
    return msg("gradient.wrong_value", where=_where(result.name, result.worst_index), **numbers)


def _shape_hint(diagnosis: Diagnosis) -> Msg:
    name, expected = diagnosis.name, diagnosis.expected_shape or ()
    if diagnosis.got_type == "NoneType":
        return msg("gradient.hint_not_returned", name=name)
    if diagnosis.got_type is not None:
        return msg("gradient.hint_not_numeric", name=name, shape=_shape(expected))
    got = diagnosis.got_shape or ()
    key = (
        "gradient.hint_wrong_shape_transposed"
        if len(got) >= 2 and got == expected[::-1]
        else "gradient.hint_wrong_shape"
    )
    return msg(key, name=name, expected_shape=_shape(expected), got_shape=_shape(got))


def _partial_hint(diagnosis: Diagnosis) -> Msg:
    name = diagnosis.name
    if diagnosis.wrong_axis_indices:
        return msg(
            "gradient.hint_partial_time",
            name=name,
            steps=", ".join(str(s) for s in diagnosis.wrong_axis_indices),
            axis=diagnosis.axis,
            length=diagnosis.axis_length,
        )
    if diagnosis.n_wrong == 0:
        return msg("gradient.hint_partial_unsampled", name=name)
    listed = ", ".join(_where(name, index) for index in diagnosis.wrong_indices)
    return msg(
        "gradient.hint_partial_entries", name=name, wrong=diagnosis.n_wrong, checked=diagnosis.n_checked, listed=listed
    )


def _where(name: str, index: tuple[int, ...] | None) -> str:
    """``W[1, 2]`` (numpy indexing), or just ``b`` for a scalar."""
    return f"{name}[{', '.join(str(i) for i in index)}]" if index else name


def _shape(shape: tuple[int, ...] | None) -> str:
    return "(" + ", ".join(str(n) for n in shape or ()) + ("," if shape is not None and len(shape) == 1 else "") + ")"


def _number(value: float | None) -> str:
    return "nan" if value is None else f"{value:.6g}"


def _rel(value: float) -> str:
    return f"{value:.2g}"


def _count_text(factor: float | None) -> str:
    """The batch-size factor as a whole number (N = 32), for hints that name N."""
    if factor is None:
        return ""
    size = abs(factor) if abs(factor) >= 1 else 1 / abs(factor)
    return f"{round(size)}"
