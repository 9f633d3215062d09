"""Running one assignment's checks in turn: dependencies first, and which checks are not run at all.

A check is not run (status ``not_run``, 0 points) when a check it depends on did not pass (unless its
oracle is the reference: see :func:`~grader.engine.checks.dependencies.waits_for_dependencies`), or when the
assignment's time budget is spent before its turn. The results come back in definition order,
whatever order the checks ran in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from grader.engine.checks.dependencies import failed_dependency, run_order, waits_for_dependencies
from grader.engine.checks.registry import CheckSpec
from grader.engine.checks.runner import CheckContext, not_run_result, run_check
from grader.engine.results import CheckResult
from grader.i18n import msg

Progress = Callable[[str, int, int, str | None], None]
"""``(assignment id, checks finished, checks in all, the check running now or None)``: called before each
check of an assignment and once after its last, from the thread grading that assignment."""


def run_checks(
    checks: Sequence[CheckSpec],
    context: CheckContext,
    fail_fast: bool = False,
    progress: Progress | None = None,
) -> list[CheckResult]:
    """Every check's result, in definition order; with ``fail_fast`` only those run until the first
    check that lost points."""
    results: dict[str, CheckResult] = {}
    blocked_by: dict[str, str] = {}
    for spec in run_order(checks):
        if progress is not None:
            progress(context.assignment_id, len(results), len(checks), spec.name)
        results[spec.name] = _result(spec, context, results, blocked_by)
        if fail_fast and results[spec.name].status != "passed":
            break
    if progress is not None:
        progress(context.assignment_id, len(checks), len(checks), None)
    return [results[spec.name] for spec in checks if spec.name in results]


def _result(
    spec: CheckSpec, context: CheckContext, results: dict[str, CheckResult], blocked_by: dict[str, str]
) -> CheckResult:
    waits = waits_for_dependencies(spec, reference_present=context.reference is not None)
    blame = failed_dependency(spec, results, blocked_by) if waits else None
    if blame is not None:
        blocked_by[spec.name] = blame
        return not_run_result(spec, msg("check.depends_failed", name=blame), context.language, blocked_by=blame)
    if context.budget.left_s() <= 0:
        return not_run_result(spec, msg("check.budget_spent", seconds=f"{context.budget.seconds:g}"), context.language)
    return run_check(spec, context)
