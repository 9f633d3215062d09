"""What a gradient check found: per-parameter results, the diagnosis, and the text a student reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass

from grader.i18n import Msg

KINDS = ("wrong_shape", "nonfinite", "zero", "sign", "scale", "transpose", "partial", "mismatch")
"""Every ``Diagnosis.kind``, from the most to the least specific."""


FACTOR_CONFIDENCE = 3.0
"""Two measured factors are the same when they differ by less than this many times their uncertainties."""


@dataclass(frozen=True)
class Factor:
    """A constant c with claimed = c * numeric, as measured from the compared entries."""

    value: float
    """c."""
    error: float
    """Its relative uncertainty (at least the check's tolerance): c is known to within value * error."""

    def agrees(self, other: Factor) -> bool:
        """Whether the two are the same constant, to their uncertainties."""
        allowed = FACTOR_CONFIDENCE * (self.error + other.error) * max(abs(self.value), abs(other.value))
        return abs(self.value - other.value) <= allowed


@dataclass(frozen=True)
class Diagnosis:
    """Why one parameter's gradient is wrong, as far as the evidence supports it."""

    kind: str
    """One of KINDS. "wrong_shape" also covers a gradient that is not numeric at all (``got_type``)."""
    name: str
    """The parameter (a key of ``at``)."""
    _: KW_ONLY  # Diagnosis("scale", "W", factor=...): the kind and the parameter, then what was found, by name
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
    case_factor: Factor | None = None
    """The constant c with analytic = c * numeric on every trusted compared entry of this call, even
    when only one entry supports it (a scalar): one call alone proves nothing, but the calls of one
    check together may (see :func:`grader.engine.gradcheck.diagnose.follows_batch_size`). None when no
    nonzero constant fits."""


def shared(factors: Iterable[Factor | None]) -> Factor | None:
    """The most precise of ``factors`` when they all agree with it (and none is missing), else None."""
    given = list(factors)
    measured = [factor for factor in given if factor is not None]
    if not measured or len(measured) < len(given):
        return None
    best = min(measured, key=lambda factor: factor.error)
    return best if all(factor.agrees(best) for factor in measured) else None


@dataclass(frozen=True, kw_only=True)
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
    flat: bool = False
    """It passed, and its numeric gradient is zero at every compared entry to the check's resolution
    (a parameter the loss does not depend on at this point): any constant multiple of it fits too."""


@dataclass(frozen=True, kw_only=True)
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
    message: Msg
    """One-line student-facing summary: what is wrong, where, the numbers (or what passed); worded by
    :mod:`grader.engine.gradcheck.messages` when the report is made."""
    hint: Msg | None
    """The diagnosis as something to look at, or None when the check passed."""

    @property
    def informative(self) -> bool:
        """Whether the call says anything about a constant factor: not when every parameter passed with a
        zero gradient (any factor fits)."""
        return not all(result.flat for result in self.params)

    @property
    def case_factor(self) -> Factor | None:
        """The one constant c with claimed = c * numeric for every parameter of this call (flat ones fit
        any): 1 when all pass, else the failing parameters' shared ``Diagnosis.case_factor`` (the most
        precisely measured); None when they do not share one, or a parameter with a gradient passes
        while others fail."""
        if self.ok:
            return Factor(1.0, self.rtol)
        return shared(
            result.diagnosis.case_factor if result.diagnosis is not None and not result.ok else None
            for result in self.params
            if not result.flat
        )

    @property
    def factor_may_vary(self) -> bool:
        """A failure that other calls of the same check may explain better: the whole call is off by one
        constant (a sign, a scale, or a plain mismatch of scalars, each of which is trivially "a
        multiple"), which may be a different one in each call. Even a usual suspect is only likely
        here: k = N/100 is exactly 1/N when N = 10."""
        diagnosis = self.diagnosis
        if self.ok or diagnosis is None or self.case_factor is None:
            return False
        return diagnosis.kind in ("sign", "scale", "mismatch")
