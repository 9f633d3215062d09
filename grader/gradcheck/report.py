"""What a gradient check found: per-parameter results, the diagnosis, and the text a student reads."""

from __future__ import annotations

from dataclasses import dataclass

from grader.gradcheck import messages
from grader.i18n import Msg

KINDS = ("wrong_shape", "nonfinite", "zero", "sign", "scale", "transpose", "partial", "mismatch")
"""Every ``Diagnosis.kind``, from the most to the least specific."""


@dataclass(frozen=True)
class Diagnosis:
    """Why one parameter's gradient is wrong, as far as the evidence supports it."""

    kind: str
    """One of KINDS. "wrong_shape" also covers a gradient that is not numeric at all (``got_type``)."""
    name: str
    """The parameter (a key of ``at``)."""
    factor: float | None = None
    """"sign", "scale": the constant c with analytic = c * numeric, fitted over the checked entries."""
    factor_name: str | None = None
    """"sign", "scale": what c most likely is: "-1", "batch size", "1/batch size", "2", "0.5", their
    negatives ("-batch size"), or else c itself rounded to three digits."""
    wrong_indices: tuple[tuple[int, ...], ...] = ()
    """"partial": indices of the checked entries found wrong (the first few, in C order)."""
    n_wrong: int = 0
    """"partial": how many checked entries are wrong (0: only random directions disagreed, so the wrong
    entries are among those not sampled)."""
    n_checked: int = 0
    """How many entries were compared."""
    axis: int | None = None
    """"partial" with a time axis: the axis (non-negative) the wrong entries were located along."""
    wrong_axis_indices: tuple[int, ...] = ()
    """"partial" with a time axis: the positions along it holding wrong entries, when not all do
    (``(0,)``: only the first time step is wrong)."""
    axis_length: int | None = None
    """"partial" with a time axis: the length of that axis."""
    expected_shape: tuple[int, ...] | None = None
    """The parameter's shape (every diagnosis carries it)."""
    got_shape: tuple[int, ...] | None = None
    """The shape of the gradient returned (None if it was not numeric)."""
    got_type: str | None = None
    """"wrong_shape" for a non-numeric gradient: its type name ("NoneType", "str", ...)."""
    index: tuple[int, ...] | None = None
    """"nonfinite": the first non-finite entry; "zero": the largest numeric entry."""
    value: float | None = None
    """"nonfinite": the value there (nan, inf or -inf); "zero": the numeric value there."""


@dataclass(frozen=True)
class ParamResult:
    """The check of one parameter's gradient."""

    name: str
    """The parameter (a key of ``got``)."""
    ok: bool
    """No entry or direction was confirmed wrong (and the gradient had the right shape and type)."""
    max_rel_error: float
    """The largest relative error over what was compared (kinks excluded; for a failing parameter, over
    the wrong entries, or the wrong directions if no entry was wrong); NaN if nothing was compared."""
    worst_index: tuple[int, ...] | None
    """Where it occurred (``()`` for a scalar); None if along a random direction or nothing compared."""
    analytic: float
    """The student's value there (for a direction: v . gradient); NaN if nothing compared."""
    numeric: float
    """The numeric value there."""
    n_checked: int
    """Coordinates compared (kinks not counted)."""
    n_kinks_skipped: int
    """Coordinates and directions skipped because the loss has a kink there (or is too noisy to judge)."""
    how: str
    """"full" (every coordinate) or "sampled+directional"."""
    n_directions: int = 0
    """Random directional derivatives compared."""
    worst_is_direction: bool = False
    """The worst disagreement was along a random direction, not at one entry."""
    evaluations: int = 0
    """Calls of f spent on this parameter."""
    diagnosis: Diagnosis | None = None
    """Why it is wrong, when it is."""


@dataclass(frozen=True)
class GradientReport:
    """The outcome of ``check_gradient`` or ``check_vjp``."""

    ok: bool
    """Every checked parameter's gradient agrees with the numeric one."""
    evaluations: int
    """Calls of f in total (the point itself included)."""
    params: tuple[ParamResult, ...]
    """One result per name in ``got``, in its order."""
    diagnosis: Diagnosis | None
    """The diagnosis of the first failing parameter."""
    rtol: float
    """The relative-error tolerance used."""

    @property
    def message(self) -> Msg:
        """One-line student-facing summary: what is wrong, where, the numbers (or what passed)."""
        return messages.summary(self)

    @property
    def hint(self) -> Msg | None:
        """The diagnosis as something to look at, or None when the check passed."""
        return messages.hint(self.diagnosis) if self.diagnosis is not None else None
