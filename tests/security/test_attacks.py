"""Issue 12, tried as a hostile student would: every attack class a real submission, graded by the real
CLI, as root, as an ordinary user, and in a `--jobs 2` batch beside a victim (by root and by the
user), each with the audit hook on and with it switched off (the kernel layers alone).

A test id reads ``<attack>-<way>-hook-<on|off>``; its failure lists every finding (see evidence.py):
an ESCAPE is an attempt that worked. What each attack does is in README.md beside this file. The attacks
of one way and hook are graded together in one run (plans.py), each in an assignment of its own, and
each test judges its own attack from that run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.catalogue import ATTACKS, Attack
from tests.security.evidence import Aftermath, attack_findings, findings, run_findings, sandbox_findings
from tests.security.plans import WAYS, Plan, Way, breakout_plans, breakout_way, contained_plans, plan_of
from tests.security.runs import PlanRuns

CASES = [
    pytest.param(attack, way, hook_off, id=f"{attack.name}-{way.name}-hook-{'off' if hook_off else 'on'}")
    for attack in ATTACKS
    for way in WAYS
    if way.batch or not attack.batch_only
    for hook_off in (False, True)
]


def _off(hook_off: bool) -> frozenset[str]:
    return frozenset({"audit_hook"} if hook_off else ())


@pytest.fixture(scope="session")
def plan_runs(security_base: Path) -> PlanRuns:
    return PlanRuns(security_base)


def _aftermath(request: pytest.FixtureRequest, plan_runs: PlanRuns, plan: Plan, attack: Attack) -> Aftermath:
    user = request.getfixturevalue("ordinary_user") if plan.way.as_user else request.getfixturevalue("as_root")
    return plan_runs.aftermath(plan, attack.name, user)


def _selected(request: pytest.FixtureRequest, test: str, **params: object) -> list[Attack]:
    """The attacks of this session's tests of ``test`` with ``params`` (so `-k` grades only what it selects)."""
    return [
        item.callspec.params["attack"]
        for item in request.session.items
        if getattr(item, "originalname", None) == test
        and all(item.callspec.params.get(name) == value for name, value in params.items())
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("attack", "way", "hook_off"), CASES)
def test_the_attack_is_contained(
    attack: Attack, way: Way, hook_off: bool, plan_runs: PlanRuns, request: pytest.FixtureRequest
) -> None:
    plan = plan_of(
        contained_plans(
            way, _off(hook_off), _selected(request, "test_the_attack_is_contained", way=way, hook_off=hook_off)
        ),
        attack,
    )
    after = _aftermath(request, plan_runs, plan, attack)
    problems = findings(after) + sandbox_findings(after.run)
    assert not problems, (
        f"{attack.name} ({attack.summary}), graded {way.name} with the audit hook {'off' if hook_off else 'on'}"
        f" (in one run with {len(plan.attacks) - 1} other attacks):\n  - " + "\n  - ".join(problems)
    )


# With seccomp off a worker still gets RLIMIT_NPROC=0, which refuses every new process (threads too), so
# the spawn attacks stay contained without the kernel layers; the others must get through.
STOPPED_BY_RLIMIT_NPROC = {"spawn-posixsubprocess", "spawn-os-fork", "spawn-posix-spawn", "spawn-raw-clone"}
BREAKOUTS = [pytest.param(attack, id=attack.name) for attack in ATTACKS if attack.name not in STOPPED_BY_RLIMIT_NPROC]


@pytest.mark.slow
@pytest.mark.parametrize("attack", BREAKOUTS)
def test_without_the_kernel_layers_the_attack_gets_through(
    attack: Attack, plan_runs: PlanRuns, request: pytest.FixtureRequest
) -> None:
    """The suite can fail: graded by the ordinary user with every layer switched off, each attack breaks out
    (only the kernel layers stand between a user's worker and the user's own files and processes). Its own
    report entry or what carries its own name must show it; what the run shows besides counts only for an
    attack graded alone."""
    plan = plan_of(breakout_plans(_selected(request, "test_without_the_kernel_layers_the_attack_gets_through")), attack)
    after = _aftermath(request, plan_runs, plan, attack)
    shown = attack_findings(after) + (run_findings(after.run) if after.alone else [])
    assert shown, (
        f"{attack.name} was contained with every layer off ({breakout_way(attack).name}): its test could never fail"
    )


def run_of(test: str) -> str:
    """The run that grades ``test`` (its name and id, as in its node id), named by its way, the layers
    switched off and its first attack: tests/scheduling.py gives all tests of a run to one xdist worker.
    A run is named as if every attack were selected; a run of fewer (``-k``) grades a part of it."""
    return _RUNS[test]


def _run_name(plan: Plan) -> str:
    return f"{plan.way.name}, off: {','.join(sorted(plan.off)) or 'none'}, from {plan.attacks[0].name}"


_RUNS = {
    **{
        f"test_the_attack_is_contained[{case.id}]": _run_name(
            plan_of(contained_plans(way, _off(hook_off), ATTACKS), attack)
        )
        for case in CASES
        for attack, way, hook_off in [case.values]
    },
    **{
        f"test_without_the_kernel_layers_the_attack_gets_through[{case.id}]": _run_name(
            plan_of(breakout_plans(ATTACKS), attack)
        )
        for case in BREAKOUTS
        for (attack,) in [case.values]
    },
}
