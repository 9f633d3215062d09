"""Dependencies between the checks of one assignment: validated once collected, and the order they run in.

A check that names others in ``@check(depends=...)`` runs only when they passed (the grading loop
reports it ``not_run`` otherwise). Typical use: a check that differentiates the student's own forward
must not give credit when that forward is wrong, so it depends on the forward's checks; written with
``oracle`` instead of ``student`` for that forward, it differentiates the reference's forward where
the reference is present, and then runs whatever the forward's checks said.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from grader.engine.checks.registry import CheckSpec
from grader.engine.results import CheckResult
from grader.errors import CourseError


def validate_dependencies(specs: Sequence[CheckSpec]) -> None:
    """Every dependency names a check of ``specs`` that this one may see, and none leads back to itself.

    A public check may depend only on public checks: a student runs the public checks without the
    hidden ones, and a dependency they do not have would be unknown there.
    """
    by_name = {spec.name: spec for spec in specs}
    for spec in specs:
        for name in spec.depends:
            _require_known(spec, name, by_name)
    for spec in specs:
        _require_no_cycle(spec, by_name)


def run_order(specs: Sequence[CheckSpec]) -> list[CheckSpec]:
    """``specs`` in definition order, except that a check's dependencies run before it.

    Dependencies that are not among ``specs`` (a caller running a subset of the checks, as mutation
    testing does) are left out of the order; the caller decides what a missing dependency means.
    """
    by_name = {spec.name: spec for spec in specs}
    ordered: dict[str, CheckSpec] = {}

    def place(spec: CheckSpec) -> None:
        if spec.name in ordered:
            return
        for name in spec.depends:
            if name in by_name:
                place(by_name[name])
        ordered[spec.name] = spec

    for spec in specs:
        place(spec)
    return list(ordered.values())


def _require_known(spec: CheckSpec, name: str, by_name: dict[str, CheckSpec]) -> None:
    where = f"{spec.file}:{spec.line}: check {spec.name}"
    target = by_name.get(name)
    if target is None:
        known = ", ".join(sorted(by_name)) or "none"
        raise CourseError(
            f"{where} depends on {name!r}, which is not a check of this assignment",
            f"write the name of one of its checks (known: {known}), or remove it from depends",
        )
    if spec.visibility == "public" and target.visibility == "hidden":
        raise CourseError(
            f"{where} is public but depends on the hidden check {name!r}",
            "a public check may depend only on public checks (students run them without the hidden ones): "
            "move the check to solutions/<id>/, or depend on a public check",
        )


def _require_no_cycle(start: CheckSpec, by_name: dict[str, CheckSpec]) -> None:
    """Follow ``start``'s dependencies depth first; coming back to ``start`` is a cycle."""
    path = [start.name]

    def visit(spec: CheckSpec, seen: set[str]) -> None:
        for name in spec.depends:
            if name == start.name:
                cycle = " -> ".join([*path, name])
                raise CourseError(
                    f"{start.file}:{start.line}: check {start.name} depends on itself through {cycle}",
                    "remove one of these dependencies: checks that wait for each other can never run",
                )
            if name not in seen:
                seen.add(name)
                path.append(name)
                visit(by_name[name], seen)
                path.pop()

    visit(start, set())


def waits_for_dependencies(spec: CheckSpec, reference_present: bool) -> bool:
    """Whether ``spec``'s dependencies apply in this run. A check that takes ``oracle`` depends on the
    forward's checks only while its oracle is the student's own forward; where the reference is present
    the oracle is the reference's forward, and there is nothing to wait for (see :mod:`grader.engine.checks.oracle`)."""
    return not ("oracle" in spec.wants and reference_present)


def failed_dependency(spec: CheckSpec, results: Mapping[str, CheckResult], blocked_by: Mapping[str, str]) -> str | None:
    """The check to blame when one of ``spec``'s dependencies did not pass, else None.

    ``results`` holds the checks run so far; ``blocked_by`` maps each check reported not run because of
    a dependency to the check it blamed, so a chain (C needs B, B needs A, A failed) names A, the one
    to fix. A dependency that did not run at all (not among ``results``) blocks nothing.
    """
    for name in spec.depends:
        result = results.get(name)
        if result is not None and result.status != "passed":
            return blocked_by.get(name, name)
    return None
