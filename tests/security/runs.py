"""Grading one plan: build its world, run the real CLI once, and sort what the run left by attack.

The tests grade each plan once per session (``PlanRuns``, a session fixture) and read each attack's part.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from tests.security.evidence import Aftermath, RunEvidence, Traces
from tests.security.plans import Plan
from tests.security.scene import Run, Scene, Staged
from tests.security.system import (
    UserAccount,
    adopting_orphans,
    changes,
    descendants,
    describe_process,
    kernel_landlock_abi,
    kill_and_reap,
    processes_of_uid,
    processes_with_token,
    wait_until_gone,
)

_LEFTOVER_GRACE_S = 3.0  # a grader's own helpers (multiprocessing's resource tracker) exit just after it


class PlanRuns:
    """Each plan graded once, on first request; then every attack's aftermath is at hand."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.graded: dict[Plan, dict[str, Aftermath]] = {}

    def aftermath(self, plan: Plan, attack_name: str, user: UserAccount | None) -> Aftermath:
        """``user``: the ordinary user for the user ways (None: root)."""
        if plan not in self.graded:
            self.graded[plan] = grade(self.base, plan, user)
        return self.graded[plan][attack_name]


def grade(base: Path, plan: Plan, user: UserAccount | None) -> dict[str, Aftermath]:
    """Build the plan's scene, grade it once, and gather what the run left (killing whatever it left running)."""
    scene = Scene(base, plan, user)
    ours_before = descendants(os.getpid())
    with adopting_orphans():
        try:
            scene.build()
            before = scene.watched_folders()
            run = scene.run()
            return _aftermaths(scene, run, before, ours_before)
        finally:
            kill_and_reap(_processes_of(scene, ours_before))
            scene.remove()


def _aftermaths(
    scene: Scene, run: Run, before: dict[str, dict[str, str]], ours_before: set[int]
) -> dict[str, Aftermath]:
    after_folders = scene.watched_folders()
    own = {staged.attack.name: Traces() for staged in scene.staged}
    unmarked = Traces()

    def owners(path: str) -> list[Staged]:
        return [staged for staged in scene.staged if staged.marks(path)]

    def sort(kind: str, findings: Iterable[tuple[str, list[Staged]]]) -> None:
        """A finding goes to every attack whose name it carries; one that carries none goes to the run."""
        for finding, by in findings:
            for traces in [own[staged.attack.name] for staged in by] or [unmarked]:
                getattr(traces, kind).append(finding)

    sort("leftovers", [(describe_process(pid), by) for pid, by in _leftovers(scene, ours_before).items()])
    sort(
        "folder_changes",
        [
            (f"{where} changed: {path}: {change}", owners(path))
            for where in before
            for path, change in changes(before[where], after_folders[where]).items()
        ],
    )
    sort("outside_drops", [(str(path), owners(str(path))) for path in scene.outside_drops()])
    sort(
        "received",
        [(message, [staged]) for staged in scene.staged if staged.listeners for message in staged.listeners.close()],
    )
    evidence = _run_evidence(scene, run, unmarked)
    return {
        staged.attack.name: Aftermath(staged.attack, evidence, own[staged.attack.name], alone=len(scene.staged) == 1)
        for staged in scene.staged
    }


def _run_evidence(scene: Scene, run: Run, unmarked: Traces) -> RunEvidence:
    batch = scene.way.batch
    results = scene.stored_results() if batch else {}
    attacker = results.get("attacker") if batch else _json(run.stdout)  # a result file is a grade report
    manifest = _json(_read(scene.out / "batch.json")) if batch else None
    sandbox_source = manifest if batch else attacker
    victim_file = scene.out / "results/victim.json"
    return RunEvidence(
        batch=batch,
        as_root=not scene.way.as_user,
        hook_off="audit_hook" in scene.off,
        assignments=len(scene.staged),
        returncode=run.returncode,
        stderr=run.stderr,
        attacker=attacker,
        sandbox=(sandbox_source or {}).get("sandbox"),
        secrets=scene.secrets(),
        kernel_landlock_abi=kernel_landlock_abi(),
        unmarked=unmarked,
        victim=results.get("victim"),
        victim_file_changed=scene.seeded_victim is not None and _read_bytes(victim_file) != scene.seeded_victim,
        grades_csv=_read(scene.out / "grades.csv"),
        out_entries={str(path.relative_to(scene.out)) for path in scene.out.rglob("*")}
        if scene.out.exists()
        else set(),
    )


def _processes_of(scene: Scene, ours_before: set[int]) -> set[int]:
    """Every process this run's grader started that still runs: our descendants (orphans are adopted),
    anything carrying an attack's token, and anything of the ordinary user."""
    found = (descendants(os.getpid()) - ours_before) | _with_tokens(scene.staged)
    if scene.user is not None and scene.user.throwaway:
        found |= processes_of_uid(scene.user.uid)
    return found


def _with_tokens(staged: Iterable[Staged]) -> set[int]:
    return set().union(*(processes_with_token(s.token) for s in staged))


def _leftovers(scene: Scene, ours_before: set[int]) -> dict[int, list[Staged]]:
    """The processes that outlived the grade, each with the attacks whose token it carries."""
    pids = wait_until_gone(lambda: _processes_of(scene, ours_before), _LEFTOVER_GRACE_S)
    carriers = {staged.token: processes_with_token(staged.token) for staged in scene.staged}
    return {pid: [s for s in scene.staged if pid in carriers[s.token]] for pid in sorted(pids)}


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
