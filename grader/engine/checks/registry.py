"""The ``@check`` decorator and the collection of checks from a course's check files.

The decorator only labels a function (no registry, no global state): collection scans a loaded
check module for labelled functions, in the order they are defined.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Literal

from grader.errors import CourseError
from grader.i18n import Text

Visibility = Literal["public", "hidden"]
INJECTABLE = ("student", "reference", "rng", "oracle")
_LABEL = "__grader_check__"


@dataclass(frozen=True)
class CheckOptions:
    """What the author wrote in ``@check(...)``."""

    points: float
    """Points awarded when the check passes (all or nothing)."""
    timeout: float | None
    """Seconds the student's code may take within this check; None means the course default."""
    name: str | None
    """Display name; defaults to the function name."""
    description: Text | None
    """What the check verifies, for reports; defaults to the docstring's first line."""
    numpy_errors: str | None
    """"raise": numpy overflow, division by zero and invalid operations in the student's code raise
    FloatingPointError during this check (underflow stays allowed); None leaves numpy's default."""
    depends: tuple[str, ...] = ()
    """Names of checks of the same assignment that must pass before this one runs."""


NUMPY_ERROR_MODES = ("raise",)
STRICT_NUMPY = {"over": "raise", "divide": "raise", "invalid": "raise", "under": "ignore"}


@dataclass(frozen=True)
class CheckSpec:
    """One check, ready to run."""

    name: str
    """Unique within its assignment; the function name unless given."""
    description: Text
    """What the check verifies (the decorator's ``description``, else the docstring's first line)."""
    function: Callable[..., Any]
    """The check function; called with the arguments named in ``wants``."""
    wants: tuple[str, ...]
    """Names of the injected arguments (a subset of ``INJECTABLE``)."""
    points: float
    """Points for passing."""
    timeout: float | None
    """Per-check time limit, or None for the course default."""
    visibility: Visibility
    """``public`` when defined under assignments/, ``hidden`` under solutions/."""
    numpy_errors: dict[str, str] | None
    """numpy error state for the student's calls during this check (``np.errstate`` arguments), or None."""
    file: Path
    """The check file, for error messages."""
    line: int
    """Line of the definition, for error messages and ordering."""
    depends: tuple[str, ...] = ()
    """Checks (by name, same assignment) that must pass first; otherwise this one is reported not run
    (see :mod:`grader.engine.checks.dependencies`)."""


def check(
    points: float = 1, timeout: float | None = None, name: str | None = None, description: Text | None = None,
    numpy_errors: str | None = None, depends: str | Sequence[str] = (),
) -> Callable[[Callable], Callable]:
    """Mark a function as a check worth ``points`` (see docs/writing-checks.md)."""

    def label(function: Callable) -> Callable:
        names = (depends,) if isinstance(depends, str) else depends
        setattr(function, _LABEL, CheckOptions(points, timeout, name, description, numpy_errors, names))
        return function

    return label


def collect_checks(module: ModuleType, visibility: Visibility, file: Path) -> list[CheckSpec]:
    """Every labelled function of ``module``, validated, in definition order."""
    specs = []
    for function in vars(module).values():
        options = getattr(function, _LABEL, None)
        if isinstance(options, CheckOptions) and inspect.isfunction(function):
            specs.append(_spec(function, options, visibility, file))
    return sorted(specs, key=lambda spec: spec.line)


def _spec(function: Callable, options: CheckOptions, visibility: Visibility, file: Path) -> CheckSpec:
    line = function.__code__.co_firstlineno
    where = f"{file}:{line}: check {function.__name__}"
    wants = tuple(inspect.signature(function).parameters)
    for wanted in wants:
        if wanted not in INJECTABLE:
            raise CourseError(f"{where} asks for {wanted!r}", f"a check may take only {', '.join(INJECTABLE)}")
    if visibility == "public" and "reference" in wants:
        raise CourseError(
            f"{where} is public but uses the reference solution",
            "move it to solutions/<id>/ (hidden checks), or check properties instead: students have no reference",
        )
    _require_positive(options.points, f"{where}: points")
    if options.timeout is not None:
        _require_positive(options.timeout, f"{where}: timeout")
    if options.numpy_errors not in (None, *NUMPY_ERROR_MODES):
        raise CourseError(f"{where}: numpy_errors must be 'raise' or left out, got {options.numpy_errors!r}",
                          "write numpy_errors=\"raise\" to make overflow, division by zero and NaN raise in the student's code")
    depends = _dependency_names(options.depends, where)
    doc = inspect.getdoc(function) or ""
    return CheckSpec(
        name=options.name or function.__name__,
        description=options.description or (doc.splitlines()[0] if doc else ""),
        function=function,
        wants=wants,
        points=float(options.points),
        timeout=None if options.timeout is None else float(options.timeout),
        visibility=visibility,
        numpy_errors=STRICT_NUMPY if options.numpy_errors == "raise" else None,
        file=file,
        line=line,
        depends=depends,
    )


def _dependency_names(depends: Any, where: str) -> tuple[str, ...]:
    """``depends`` as a tuple of names; whether they name checks is known only once every check file of
    the assignment is collected (:func:`grader.engine.checks.dependencies.validate_dependencies`)."""
    if not isinstance(depends, (tuple, list)) or not all(isinstance(name, str) and name for name in depends):
        raise CourseError(f"{where}: depends must be a check name or a tuple of check names, got {depends!r}",
                          'write e.g. depends=("forward_matches_reference",)')
    return tuple(dict.fromkeys(depends))


def _require_positive(value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise CourseError(f"{where} must be a positive number, got {value!r}", "write e.g. points=2 or timeout=5")
