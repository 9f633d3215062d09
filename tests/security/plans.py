"""Which attacks are graded together: one run of the real CLI holds many attacks, each in an assignment of its own.

A run costs seconds (an interpreter, a fork server, for a batch two grading processes and a victim), so the
suite grades every attack of one way and hook in one run instead of one run per attack: the security course
has an assignment per attack, the attacker's submission a file per assignment, and each assignment is
graded in a worker of its own, as the grader grades any course. Each attack is still judged on its own
(one test per attack, way and hook): from its own entry in the report, and from what the run left that
carries its token or its assignment's name; what the run left that no attack's name marks counts against
every attack of the run (see evidence.py).

- `grader grade` (ways `root`, `user`): one run per way and hook, every attack in it (the grader grades the
  assignments side by side, so the attacks also meet each other's running workers).
- `grader batch` (ways `batch-root`, `batch-user`): two runs per way and hook. The attacks on the batch's
  stored results meet a victim graded in an earlier run of the same batch (``seeded``); the others are
  graded beside the victim. There the attacks on a running classmate come first in the course, and the
  victim's files of those assignments are slow to import, so that a worker of the victim is alive while
  each of them runs (the batch grades a student's assignments one after another).
- Without the kernel layers (`test_without_the_kernel_layers_the_attack_gets_through`) an attack gets
  through and does what it came for. The attacks on a running classmate then kill or starve every process
  they reach, the grader and the other attackers too, so each of them is graded alone; the others only
  take or leave what carries their own name, and are graded together by way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tests.security.catalogue import Attack


@dataclass(frozen=True)
class Way:
    """How the attacker is graded."""

    name: str
    batch: bool
    """In `grader batch --jobs 2` beside a victim (else `grader grade` alone)."""
    as_user: bool
    """By an ordinary user who owns the course (else by root)."""


WAYS = (
    Way("root", False, False),
    Way("user", False, True),
    Way("batch-root", True, False),
    Way("batch-user", True, True),
)
EVERY_LAYER_OFF = frozenset({"audit_hook", "seccomp", "landlock", "uids"})


@dataclass(frozen=True)
class Plan:
    """One run of the CLI: the way, the layers switched off, and the attacks graded in it (in course order)."""

    way: Way
    off: frozenset[str]
    """The layers left out of every worker of the run (scene.OFF_SWITCH)."""
    attacks: tuple[Attack, ...]

    @property
    def seeded(self) -> bool:
        """The victim is graded in an earlier run of the same batch (the attacks aim at its stored result)."""
        return any(attack.seeded_output for attack in self.attacks)


def contained_plans(way: Way, off: frozenset[str], attacks: Iterable[Attack]) -> list[Plan]:
    """The runs that grade ``attacks`` (those this way can grade) by ``way`` with the layers ``off`` switched off."""
    graded = [attack for attack in attacks if way.batch or not attack.batch_only]
    if not way.batch:
        return _plans(way, off, [graded])
    seeded = [attack for attack in graded if attack.seeded_output]
    beside = sorted((attack for attack in graded if not attack.seeded_output), key=lambda attack: not attack.race)
    return _plans(way, off, [seeded, beside])


def breakout_way(attack: Attack) -> Way:
    """The way an attack is graded without the kernel layers: by the ordinary user, in a batch if it needs a
    classmate."""
    return next(way for way in WAYS if way.as_user and way.batch == (attack.batch_only or attack.race))


def breakout_plans(attacks: Iterable[Attack]) -> list[Plan]:
    """The runs that grade ``attacks`` with every layer off: each race attack alone, the others together by way."""
    alone: list[Plan] = []
    together: dict[tuple[Way, bool], list[Attack]] = {}
    for attack in attacks:
        if attack.race:
            alone.append(Plan(breakout_way(attack), EVERY_LAYER_OFF, (attack,)))
        else:
            together.setdefault((breakout_way(attack), attack.seeded_output), []).append(attack)
    return [Plan(way, EVERY_LAYER_OFF, tuple(group)) for (way, _), group in together.items()] + alone


def plan_of(plans: list[Plan], attack: Attack) -> Plan:
    return next(plan for plan in plans if attack in plan.attacks)


def _plans(way: Way, off: frozenset[str], groups: list[list[Attack]]) -> list[Plan]:
    return [Plan(way, off, tuple(group)) for group in groups if group]
