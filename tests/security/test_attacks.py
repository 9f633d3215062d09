"""Issue 12, tried as a hostile student would: every attack class a real submission, graded by the real
CLI, as root, as an ordinary user, and in a `--jobs 2` batch beside a victim (by root and by the
user), each with the audit hook on and with it switched off (the kernel layers alone).

A test id reads ``<attack>-<way>-hook-<on|off>``; its failure lists every finding (see evidence.py):
an ESCAPE is an attempt that worked. What each attack does is in README.md beside this file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.security.catalogue import ATTACKS, Attack
from tests.security.evidence import Aftermath, findings, sandbox_findings
from tests.security.scene import WAYS, Run, Scene, Way
from tests.security.system import (
    adopting_orphans, changes, describe_process, descendants, kill_and_reap, kernel_landlock_abi, processes_of_uid,
    processes_with_token, wait_until_gone,
)

_LEFTOVER_GRACE_S = 3.0  # a grader's own helpers (multiprocessing's resource tracker) exit just after it

CASES = [
    pytest.param(attack, way, hook_off, id=f"{attack.name}-{way.name}-hook-{'off' if hook_off else 'on'}")
    for attack in ATTACKS
    for way in WAYS
    if way.batch or not attack.batch_only
    for hook_off in (False, True)
]


@pytest.mark.parametrize(("attack", "way", "hook_off"), CASES)
def test_the_attack_is_contained(attack: Attack, way: Way, hook_off: bool, security_base: Path, request: pytest.FixtureRequest) -> None:
    after = _attacked(request, security_base, attack, way, frozenset({"audit_hook"} if hook_off else ()))
    problems = findings(after) + sandbox_findings(after)
    assert not problems, (
        f"{attack.name} ({attack.summary}), graded {way.name} with the audit hook {'off' if hook_off else 'on'}:\n  - "
        + "\n  - ".join(problems)
    )


# With seccomp off a worker still gets RLIMIT_NPROC=0, which refuses every new process (threads too), so
# the spawn attacks stay contained without the kernel layers; the others must get through.
STOPPED_BY_RLIMIT_NPROC = {"spawn-posixsubprocess", "spawn-os-fork", "spawn-posix-spawn", "spawn-raw-clone"}
EVERY_LAYER_OFF = frozenset({"audit_hook", "seccomp", "landlock", "uids"})


@pytest.mark.parametrize("attack", [a for a in ATTACKS if a.name not in STOPPED_BY_RLIMIT_NPROC], ids=lambda a: a.name)
def test_without_the_kernel_layers_the_attack_gets_through(attack: Attack, security_base: Path, request: pytest.FixtureRequest) -> None:
    """The suite can fail: graded by the ordinary user with every layer switched off, each attack breaks out
    (only the kernel layers stand between a user's worker and the user's own files and processes)."""
    way = next(w for w in WAYS if w.as_user and w.batch == (attack.batch_only or attack.race))
    after = _attacked(request, security_base, attack, way, EVERY_LAYER_OFF)
    assert findings(after), f"{attack.name} was contained with every layer off ({way.name}): its test could never fail"


def _attacked(request: pytest.FixtureRequest, base: Path, attack: Attack, way: Way, off: frozenset[str]) -> Aftermath:
    """Build the scene, grade it once, and gather what the run left (killing whatever it left running)."""
    user = request.getfixturevalue("ordinary_user") if way.as_user else request.getfixturevalue("as_root")
    scene = Scene(base, way, attack, off, user)
    ours_before = descendants(os.getpid())
    with adopting_orphans():
        try:
            scene.build()
            before = scene.watched_folders()
            run = scene.run()
            after = _aftermath(scene, run, before)
            after.leftovers = _leftovers(scene, ours_before)
        finally:
            kill_and_reap(_processes_of(scene, ours_before))
            scene.remove()
    return after


def _aftermath(scene: Scene, run: Run, before: dict[str, dict[str, str]]) -> Aftermath:
    after_folders = scene.watched_folders()
    results = scene.stored_results() if scene.way.batch else {}
    attacker = results.get("attacker") if scene.way.batch else _json(run.stdout)  # a result file is a grade report
    manifest = _json(_read(scene.out / "batch.json")) if scene.way.batch else None
    sandbox_source = manifest if scene.way.batch else attacker
    victim_file = scene.out / "results/victim.json"
    return Aftermath(
        attack=scene.attack, batch=scene.way.batch, as_root=not scene.way.as_user, hook_off="audit_hook" in scene.off,
        returncode=run.returncode, stderr=run.stderr, attacker=attacker,
        sandbox=(sandbox_source or {}).get("sandbox"), secrets=scene.secrets(), kernel_landlock_abi=kernel_landlock_abi(),
        folder_changes={where: changes(before[where], after_folders[where]) for where in before},
        outside_drops=[str(path) for path in scene.outside_drops()], leftovers=[],
        received=scene.listeners.close() if scene.listeners else [],
        victim=results.get("victim"),
        victim_file_changed=scene.seeded_victim is not None and _read_bytes(victim_file) != scene.seeded_victim,
        grades_csv=_read(scene.out / "grades.csv"),
        out_entries={str(path.relative_to(scene.out)) for path in scene.out.rglob("*")} if scene.out.exists() else set(),
    )


def _processes_of(scene: Scene, ours_before: set[int]) -> set[int]:
    """Every process this test's grader started that still runs: our descendants (orphans are adopted),
    anything carrying the attack's token, and anything of the ordinary user."""
    found = (descendants(os.getpid()) - ours_before) | processes_with_token(scene.token)
    if scene.user is not None and scene.user.throwaway:
        found |= processes_of_uid(scene.user.uid)
    return found


def _leftovers(scene: Scene, ours_before: set[int]) -> list[str]:
    return [describe_process(pid) for pid in sorted(wait_until_gone(lambda: _processes_of(scene, ours_before), _LEFTOVER_GRACE_S))]


def _json(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
