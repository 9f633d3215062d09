"""Checks that lost their points for one shared reason, summarised as one row of the human reports.

A file that does not import stops every check with the same error, and an untouched stub fails every
check with the same NotImplementedError: shown once per check, the one thing to fix drowns in
identical rows. The machine formats keep one entry per check; the terminal, the notebook and GitHub
show a :class:`~grader.engine.results.CheckGroup` as one row, where its first check would be.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.engine.results import CheckGroup, CheckResult
from grader.engine.scoring import assignment_totals
from grader.i18n import msg, render

MIN_GROUP = 2
"""A reason shared by fewer checks is shown in their own rows."""


def check_groups(checks: Sequence[CheckResult], unusable: bool, language: str) -> tuple[CheckGroup, ...]:
    """The groups of ``checks``: all of them when the file was ``unusable`` (the assignment's error says
    why), else those failed by functions that still raise NotImplementedError, with the checks not run
    because they depend on those."""
    group = _unusable(checks, language) if unusable else _not_implemented(checks, language)
    return () if group is None else (group,)


def _unusable(checks: Sequence[CheckResult], language: str) -> CheckGroup | None:
    if len(checks) < MIN_GROUP:
        return None
    first = checks[0]
    message = render(msg("check.group_unusable", count=len(checks)), language)
    score, max_score = assignment_totals(checks)
    return CheckGroup(
        checks=_names(checks),
        status=first.status,
        score=score,
        max_score=max_score,
        message=message,
        hint=first.hint,
        line=first.line,
    )


def _not_implemented(checks: Sequence[CheckResult], language: str) -> CheckGroup | None:
    unimplemented = {check.name for check in checks if check.not_implemented}
    members = [check for check in checks if check.name in unimplemented or check.blocked_by in unimplemented]
    if len(members) < MIN_GROUP:
        return None
    functions = ", ".join(
        f"`{name}`" for name in dict.fromkeys(c.not_implemented for c in members if c.not_implemented)
    )
    message = render(msg("check.group_not_implemented", count=len(members), names=functions), language)
    hint = render(msg("check.not_implemented_hint"), language)
    score, max_score = assignment_totals(members)
    return CheckGroup(
        checks=_names(members), status="failed", score=score, max_score=max_score, message=message, hint=hint
    )


def _names(checks: Sequence[CheckResult]) -> tuple[str, ...]:
    return tuple(check.name for check in checks)
