"""Deciding whether an attack was contained, from everything its run left: a list of findings.

Each finding is one sentence that says what went wrong; an empty list means the attack really
happened and met the kernel, every escape step was refused (by the kernel; with the hook on, some
steps may be refused by the hook first), it gained nothing, harmed no one, changed no file outside
its worker, left no process, and (``sandbox_findings``) the report said which layers were on.

A run grades several attacks (plans.py). What an attack's own report entry shows, and what the run left
that carries its token or its assignment's name, is that attack's (``attack_findings``); whatever else
the run shows (the grader's exit, the victim, a changed file or a process no attack's name marks) counts
against every attack of the run (``run_findings``).
"""

from __future__ import annotations

import base64
import csv
import errno
import io
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from tests.security.catalogue import ATTACK_CHECK, ATTACKER_POINTS, FULL_MARKS, VICTIM_TAG, Attack

REPORT_TAG = "ATTACK-REPORT "  # as student_kit.py prints it
REFUSALS = frozenset({"EPERM", "EACCES", "ENOSYS", "EXDEV", "EAGAIN"})
"""How the kernel says no: seccomp (EPERM; ENOSYS for clone3), Landlock (EACCES; EXDEV for a link or
rename across its rules), uid and file permissions (EPERM, EACCES), RLIMIT_NPROC (EAGAIN)."""
_SWEEP_OWN, _SWEEP_OTHER, _SWEEP_HOOK = 254, 255, 253
_BATCH_OUTPUT = {
    "batch.json",
    "assignments.csv",
    "checks.csv",
    "grades.csv",
    "report.html",
    "results",
    "results/attacker.json",
    "results/victim.json",
}


@dataclass
class Traces:
    """What a run left outside its workers."""

    folder_changes: list[str] = field(default_factory=list)
    """``<where> changed: <path>: <before> -> <after>`` for the course, the class and the drop box."""
    outside_drops: list[str] = field(default_factory=list)
    """Files in /tmp and /dev/shm."""
    leftovers: list[str] = field(default_factory=list)
    """Processes that outlived the grade."""
    received: list[str] = field(default_factory=list)
    """What reached the test's listening sockets."""


@dataclass
class RunEvidence:
    """What one run of the CLI left, gathered by the test: the part no single attack answers for."""

    batch: bool
    as_root: bool
    hook_off: bool
    assignments: int
    """The attacks graded in the run (an assignment each)."""
    returncode: int
    stderr: str
    attacker: dict[str, Any] | None
    """The attacker's whole JSON report (from `grader grade`, or its result file in a batch)."""
    sandbox: dict[str, Any] | None
    """The `sandbox` field of the JSON report (grade) or of the batch manifest."""
    secrets: list[str]
    kernel_landlock_abi: int
    unmarked: Traces
    """What the run left that no attack's token or assignment marks."""
    victim: dict[str, Any] | None = None
    """The victim's result file (batch): its grade report with the batch's own keys."""
    victim_file_changed: bool = False
    """The victim's stored result differs from the one the earlier run wrote (seeded plans)."""
    grades_csv: str = ""
    out_entries: set[str] = field(default_factory=set)


@dataclass
class Aftermath:
    """What one attack's run left, as far as that attack is concerned."""

    attack: Attack
    run: RunEvidence
    own: Traces
    """What the run left that carries this attack's token or assignment."""
    alone: bool
    """The only attack of its run (everything the run shows is then its doing)."""

    @property
    def attacker(self) -> dict[str, Any] | None:
        """The attacker's report for this attack's assignment alone (None when the report lacks it)."""
        return assignment_report(self.run.attacker, self.attack.assignment)


def assignment_report(report: dict[str, Any] | None, assignment_id: str) -> dict[str, Any] | None:
    """``report`` cut down to one assignment, with that assignment's score as its score."""
    for assignment in (report or {}).get("assignments") or []:
        if isinstance(assignment, dict) and assignment.get("id") == assignment_id:
            return {
                **report,
                "score": assignment.get("score"),
                "max_score": assignment.get("max_score"),
                "assignments": [assignment],
            }
    return None


def findings(after: Aftermath) -> list[str]:
    """Every way the attack was not contained (see the module docstring)."""
    return attack_findings(after) + run_findings(after.run)


def attack_findings(after: Aftermath) -> list[str]:
    """What the attack's own report entry and its own traces show."""
    found: list[str] = []
    attacker = after.attacker
    report = _attack_report(attacker)
    if report is None:
        found.append("the attacker's report is missing from its check's output (was its worker or the grader killed?)")
    else:
        found += _attempts(report, after.run.hook_off)
        found += _sweeps(report, after.run.hook_off)
        found += _learned_secrets(report, after.run.secrets)
        if after.attack.race and after.run.victim is not None:
            found += _race_was_run(report, after.run)
    found += _attacker_score(attacker)
    return found + _traces(after.own)


def run_findings(run: RunEvidence) -> list[str]:
    """What the run shows that no single attack answers for; it counts against every attack of the run."""
    found = _grader_itself(run)
    if run.batch:
        found += _victim_unharmed(run)
    return found + _traces(run.unmarked)


def _traces(traces: Traces) -> list[str]:
    found = list(traces.folder_changes)
    found += [f"ESCAPE: {path} was written outside the sandbox" for path in traces.outside_drops]
    found += [f"a process outlived the grade: {process}" for process in traces.leftovers]
    found += [f"ESCAPE: a worker reached the test's listening socket: {message}" for message in traces.received]
    return found


def _grader_itself(run: RunEvidence) -> list[str]:
    found = []
    if run.returncode != 0:
        found.append(f"the grader exited with code {run.returncode}")
    if "Traceback" in run.stderr:
        found.append("the grader printed a traceback of its own: " + run.stderr.strip()[-600:])
    return found


def _checks(report: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    try:
        return {check["name"]: check for check in report["assignments"][0]["checks"]}  # type: ignore[index]
    except (TypeError, KeyError, IndexError):
        return {}


def _attack_report(attacker: dict[str, Any] | None) -> dict[str, Any] | None:
    output = _checks(attacker).get(ATTACK_CHECK, {}).get("output", "")
    for line in output.splitlines():
        if line.startswith(REPORT_TAG):
            try:
                return json.loads(line[len(REPORT_TAG) :])
            except ValueError:
                return None
    return None


def _attempts(report: dict[str, Any], hook_off: bool) -> list[str]:
    attempts = report["attempts"]
    found = (
        [f"the attack itself crashed: {report['notes']['attack_crashed']}"]
        if "attack_crashed" in report["notes"]
        else []
    )
    # What counts is an escape attempt on a real target that met the kernel (a refused set-up step, or
    # the hook's refusal, shows nothing about the kernel's fences), except for an attack that only looks
    # around (every step may work; what it learns is judged instead).
    aimed = [a for a in attempts if a["real"] and (a["must_fail"] or not any(b["must_fail"] for b in attempts))]
    reached = [a for a in aimed if a["result"] == "ok" or a.get("errno") in REFUSALS]
    if not reached:
        found.append(
            "no attempt on a real target reached the kernel, so the test shows nothing: "
            + _short([f"{a['what']}: {a.get('errno') or a['result']}" for a in attempts])
        )
    for item in attempts:
        what = item["what"]
        if item["must_fail"] and item["result"] == "ok":
            found.append(f"ESCAPE: {what} worked and got {_short(item['got'])}")
        elif item["result"] == "hook" and hook_off:
            found.append(f"{what} was refused by the audit hook although GRADER_SANDBOX_OFF switched it off")
        elif item["must_fail"] and item["real"] and item["result"] == "errno" and item["errno"] not in REFUSALS:
            found.append(
                f"{what} failed with {item['errno']} ({item['message']}), which is no refusal: it never reached its "
                f"target"
            )
        elif item["must_fail"] and item["result"] == "error":
            found.append(f"{what} could not even be tried: {item['type']}: {item['message']}")
    return found


def _decoded(sweep: dict[str, Any]) -> bytes:
    return zlib.decompress(base64.b64decode(sweep["codes"])) if "codes" in sweep else b""


def _sweeps(report: dict[str, Any], hook_off: bool) -> list[str]:
    """Every pid a sweep reached, once per kind of sweep (an attack sweeps again and again)."""
    reached: dict[str, set[int]] = {}
    hooked: set[str] = set()
    for sweep in report["sweeps"]:
        codes = _decoded(sweep)
        successes = {sweep["first_pid"] + i for i, code in enumerate(codes) if code == 0} | set(
            sweep.get("successes", [])
        )
        reached.setdefault(sweep["label"], set()).update(successes)
        if _SWEEP_HOOK in codes:
            hooked.add(sweep["label"])
    found = [
        f"ESCAPE: {label} worked on pids {sorted(pids)[:20]} (other processes than the worker)"
        for label, pids in reached.items()
        if pids
    ]
    if hook_off:
        found += [f"{label} was refused by the audit hook although it was switched off" for label in sorted(hooked)]
    return found


def _learned_secrets(report: dict[str, Any], secrets: list[str]) -> list[str]:
    got = json.dumps([item.get("got") for item in report["attempts"]] + [report["notes"]])
    return [f"ESCAPE: the worker learned the folder name {secret}" for secret in secrets if secret in got]


def _all_checks(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every check of every assignment of ``report``."""
    try:
        return [check for assignment in report["assignments"] for check in assignment["checks"]]  # type: ignore[index]
    except (TypeError, KeyError):
        return []


def _victim_alive(victim: dict[str, Any]) -> list[tuple[int, float, float]]:
    """(pid, from, to) of each of the victim's slow workers, as it printed them (one per race attack's assignment)."""
    windows = []
    for check in _all_checks(victim):
        for line in check.get("output", "").splitlines():
            if line.startswith(VICTIM_TAG):
                _, pid, started, ended = line.split()
                windows.append((int(pid), float(started), float(ended)))
    return windows


def _race_was_run(report: dict[str, Any], run: RunEvidence) -> list[str]:
    """The attack's pid sweeps really hit a worker of the victim while it was alive, and were refused."""
    victim = run.victim or {}
    windows = _victim_alive(victim)
    sweeps = [sweep for sweep in report["sweeps"] if "codes" in sweep]
    if not sweeps:
        return []  # an attack without sweeps aims only at what /proc shows it
    if not windows:
        if victim.get("score") != FULL_MARKS * run.assignments:
            return []  # a victim that did not live is reported as harmed
        return ["the victim kept its marks but never said when its workers were alive: the race cannot be checked"]
    during = [
        (pid, sweep)
        for pid, started, ended in windows
        for sweep in sweeps
        if started <= sweep["t0"] and sweep["t1"] <= ended
    ]
    if not during:
        shown = ", ".join(f"{pid} ({started:.2f}-{ended:.2f})" for pid, started, ended in windows)
        return [
            f"no sweep ran while a worker of the victim was alive ({shown}): "
            f"the race did not happen (sweeps: {[(round(s['t0'], 2), round(s['t1'], 2)) for s in sweeps][:8]})"
        ]
    accepted = REFUSALS if run.hook_off else REFUSALS | {"hook"}
    answers: dict[tuple[str, int], set[str]] = {}
    for pid, sweep in during:
        codes = _decoded(sweep)
        index = pid - sweep["first_pid"]
        code = codes[index] if 0 <= index < len(codes) else None
        name = (
            "outside the sweep"
            if code is None
            else "hook"
            if code == _SWEEP_HOOK
            else errno.errorcode.get(code, str(code))
        )
        if code != 0:  # a success is an ESCAPE already
            answers.setdefault((sweep["label"], pid), set()).add(name)
    return [
        f"{label} on the victim's worker {pid} ended with {sorted(names - accepted)}, not a refusal"
        for (label, pid), names in answers.items()
        if names - accepted
    ]


def _attacker_score(attacker: dict[str, Any] | None) -> list[str]:
    if attacker is None:
        return ["there is no report for the attacker"]
    found = []
    if attacker.get("score") != ATTACKER_POINTS:
        found.append(
            f"the attacker scored {attacker.get('score')} of {FULL_MARKS}, not the {ATTACKER_POINTS} it earned honestly"
        )
    status = _checks(attacker).get(ATTACK_CHECK, {}).get("status")
    if status != "error":
        found.append(f"the attack's check {ATTACK_CHECK} is {status!r}, not an error: it got something to answer with")
    return found


def _victim_unharmed(run: RunEvidence) -> list[str]:
    found = []
    victim = run.victim or {}
    batch = victim.get("batch") or {}
    full = FULL_MARKS * run.assignments
    if batch.get("status") != "graded" or victim.get("score") != full:
        lost = [
            f"{c['name']}: {c['status']} {c.get('message', '')[:160]}"
            for c in _all_checks(victim)
            if c["status"] != "passed"
        ]
        found.append(
            f"the victim lost marks: {batch.get('status')}, {victim.get('score')} of {full} "
            f"{batch.get('error') or ''} {lost}"
        )
    if run.victim_file_changed:
        found.append("the victim's stored result changed after it was graded")
    rows = {row.get("student"): row for row in csv.DictReader(io.StringIO(run.grades_csv.lstrip("\ufeff")))}
    expected = {"victim": 100.0, "attacker": round(100 * ATTACKER_POINTS / FULL_MARKS, 2)}
    for student, percent in expected.items():
        try:
            shown = float(rows[student]["percent"])
        except (KeyError, TypeError, ValueError):
            found.append(f"grades.csv has no percent for {student}: {run.grades_csv[:300]!r}")
            continue
        if abs(shown - percent) > 0.01:
            found.append(f"grades.csv shows {shown} % for {student}, not {percent} %")
    extra = run.out_entries - _BATCH_OUTPUT
    if extra:
        found.append(f"the batch output holds files the grader did not write: {sorted(extra)}")
    return found


def sandbox_findings(run: RunEvidence) -> list[str]:
    """Where the report's ``sandbox`` field does not say that every kernel layer held (and the hook as asked)."""
    where = "the batch manifest" if run.batch else "the JSON report"
    sandbox = run.sandbox
    if not isinstance(sandbox, dict):
        return [f"{where} has no `sandbox` field saying which layers were in force"]
    if run.batch and (run.attacker or {}).get("sandbox") != sandbox:
        return [f"the attacker's result file says {(run.attacker or {}).get('sandbox')!r}, the manifest {sandbox!r}"]
    expected = {"seccomp": True, "separate_uids": run.as_root, "audit_hook": not run.hook_off, "confined": True}
    if run.kernel_landlock_abi >= 6:
        expected["landlock_scopes"] = True
    found = [
        f"{where}: sandbox.{key} is {sandbox.get(key)!r}, expected {value!r}"
        for key, value in expected.items()
        if sandbox.get(key) != value
    ]
    abi = sandbox.get("landlock_abi")
    if not isinstance(abi, int) or not 1 <= abi <= run.kernel_landlock_abi:
        found.append(f"{where}: sandbox.landlock_abi is {abi!r}, expected 1..{run.kernel_landlock_abi} (this kernel's)")
    return found


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 400 else text[:400] + "..."
