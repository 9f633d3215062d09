"""The ``@check`` decorator and the collection of checks from a course's check files.

The decorator only labels a function (no registry, no global state): collection scans a loaded
check module for labelled functions, in the order they are defined.

A check says what it verifies once: its docstring's first paragraph is the English description, and
``ko="..."`` the Korean one (the two languages sit together at the top of the check).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any, Literal, TypeVar

from grader.errors import CourseError
from grader.i18n import Text

Visibility = Literal["public", "hidden"]
INJECTABLE = ("student", "reference", "rng", "oracle")
_LABEL = "__grader_check__"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, kw_only=True)
class CheckOptions:
    """What the author wrote in ``@check(...)``."""

    points: float
    """Points awarded when the check passes (all or nothing)."""
    timeout: float | None
    """Seconds the student's code may take within this check; None means the course default."""
    name: str | None
    """Display name; defaults to the function name."""
    ko: str | None
    """The Korean description (the English one is the docstring's first paragraph); None: English only."""
    numpy_errors: str | None
    """"raise": numpy overflow, division by zero and invalid operations in the student's code raise
    FloatingPointError during this check (underflow stays allowed); None leaves numpy's default."""
    depends: Sequence[str] = ()
    """Names of checks of the same assignment that must pass before this one runs (as written: validated
    when the check is collected)."""


NUMPY_ERROR_MODES = ("raise",)
STRICT_NUMPY = {"over": "raise", "divide": "raise", "invalid": "raise", "under": "ignore"}


@dataclass(frozen=True, kw_only=True)
class CheckSpec:
    """One check, ready to run."""

    name: str
    """Unique within its assignment; the function name unless given."""
    description: Text
    """What the check verifies: the docstring's first paragraph, with the decorator's ``ko`` as its Korean."""
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
    points: float = 1,
    timeout: float | None = None,
    name: str | None = None,
    ko: str | None = None,
    numpy_errors: str | None = None,
    depends: str | Sequence[str] = (),
    **unknown: Any,
) -> Callable[[F], F]:
    """Mark a function as a check worth ``points`` (see docs/writing-checks.md)."""

    def label(function: F) -> F:
        if unknown:  # said here, where the file and line are known, instead of as a TypeError of the import
            raise _unknown_option(function, next(iter(unknown)))
        names = (depends,) if isinstance(depends, str) else depends
        setattr(
            function,
            _LABEL,
            CheckOptions(points=points, timeout=timeout, name=name, ko=ko, numpy_errors=numpy_errors, depends=names),
        )
        return function

    return label


def _unknown_option(function: Callable[..., Any], option: str) -> CourseError:
    where = f"{function.__code__.co_filename}:{function.__code__.co_firstlineno}: check {function.__name__}"
    if option == "description":
        return CourseError(
            f"{where}: @check no longer takes description=",
            'write the English description as the docstring\'s first line and the Korean one as ko="..."',
        )
    return CourseError(
        f"{where}: @check has no option {option}=",
        "use points, timeout, name, ko, numpy_errors or depends (see docs/writing-checks.md)",
    )


def collect_checks(module: ModuleType, visibility: Visibility, file: Path) -> list[CheckSpec]:
    """Every labelled function of ``module``, validated, in definition order."""
    specs = []
    for function in vars(module).values():
        options = getattr(function, _LABEL, None)
        if isinstance(options, CheckOptions) and inspect.isfunction(function):
            specs.append(_spec(function, options, visibility, file))
    return sorted(specs, key=lambda spec: spec.line)


def _spec(function: FunctionType, options: CheckOptions, visibility: Visibility, file: Path) -> CheckSpec:
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
        raise CourseError(
            f"{where}: numpy_errors must be 'raise' or left out, got {options.numpy_errors!r}",
            'write numpy_errors="raise" to make overflow, division by zero and NaN raise in the student\'s code',
        )
    depends = _dependency_names(options.depends, where)
    return CheckSpec(
        name=options.name or function.__name__,
        description=_description(function, options.ko, where),
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


def _description(function: FunctionType, ko: Any, where: str) -> Text:
    """The docstring's first paragraph (its lines joined, so a long one may wrap), with ``ko`` as its Korean."""
    paragraph = (inspect.getdoc(function) or "").split("\n\n")[0]
    english = " ".join(line.strip() for line in paragraph.splitlines())
    if ko is None:
        return english
    if not isinstance(ko, str) or not ko.strip():
        raise CourseError(f"{where}: ko must be the Korean description (a string), got {ko!r}", 'write e.g. ko="..."')
    if not english:
        raise CourseError(
            f"{where} has a Korean description but no docstring",
            "write the English description as the check's docstring (its first line)",
        )
    return {"en": english, "ko": ko}


def _dependency_names(depends: Any, where: str) -> tuple[str, ...]:
    """``depends`` as a tuple of names; whether they name checks is known only once every check file of
    the assignment is collected (:func:`grader.engine.checks.dependencies.validate_dependencies`)."""
    if not isinstance(depends, (tuple, list)) or not all(isinstance(name, str) and name for name in depends):
        raise CourseError(
            f"{where}: depends must be a check name or a tuple of check names, got {depends!r}",
            'write e.g. depends=("forward_matches_reference",)',
        )
    return tuple(dict.fromkeys(depends))


def _require_positive(value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise CourseError(f"{where} must be a positive number, got {value!r}", "write e.g. points=2 or timeout=5")
