"""Deciding whether an attack was contained, from everything its run left: a list of findings.

Each finding is one sentence that says what went wrong; an empty list means the attack really
happened and met the kernel, every escape step was refused (by the kernel; with the hook on, some
steps may be refused by the hook first), it gained nothing, harmed no one, changed no file outside
its worker, left no process, and (``sandbox_findings``) the report said which layers were on.
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
_BATCH_OUTPUT = {"batch.json", "assignments.csv", "checks.csv", "grades.csv", "report.html", "results", "results/attacker.json", "results/victim.json"}


@dataclass
class Aftermath:
    """What one attacked run left, gathered by the test."""

    attack: Attack
    batch: bool
    as_root: bool
    hook_off: bool
    returncode: int
    stderr: str
    attacker: dict[str, Any] | None
    """The attacker's JSON report (from `grader grade`, or its result file in a batch)."""
    sandbox: dict[str, Any] | None
    """The `sandbox` field of the JSON report (grade) or of the batch manifest."""
    secrets: list[str]
    kernel_landlock_abi: int
    folder_changes: dict[str, list[str]]
    outside_drops: list[str]
    leftovers: list[str]
    received: list[str]
    victim: dict[str, Any] | None = None
    """The victim's result file (batch): its grade report with the batch's own keys."""
    victim_file_changed: bool = False
    """The victim's stored result differs from the one the earlier run wrote (seeded_output)."""
    grades_csv: str = ""
    out_entries: set[str] = field(default_factory=set)


def findings(after: Aftermath) -> list[str]:
    """Every way the attack was not contained (see the module docstring)."""
    found: list[str] = []
    found += _grader_itself(after)
    report = _attack_report(after.attacker)
    if report is None:
        found.append("the attacker's report is missing from its check's output (was its worker or the grader killed?)")
    else:
        found += _attempts(report, after.hook_off)
        found += _sweeps(report, after.hook_off)
        found += _learned_secrets(report, after.secrets)
        if after.attack.race and after.victim is not None:
            found += _race_was_run(report, after.victim, after.hook_off)
    found += _attacker_score(after.attacker)
    if after.batch:
        found += _victim_unharmed(after)
    found += [f"{where} changed: {change}" for where, items in after.folder_changes.items() for change in items]
    found += [f"ESCAPE: {path} was written outside the sandbox" for path in after.outside_drops]
    found += [f"a process outlived the grade: {process}" for process in after.leftovers]
    found += [f"ESCAPE: a worker reached the test's listening socket: {message}" for message in after.received]
    return found


def _grader_itself(after: Aftermath) -> list[str]:
    found = []
    if after.returncode != 0:
        found.append(f"the grader exited with code {after.returncode}")
    if "Traceback" in after.stderr:
        found.append("the grader printed a traceback of its own: " + after.stderr.strip()[-600:])
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
                return json.loads(line[len(REPORT_TAG):])
            except ValueError:
                return None
    return None


def _attempts(report: dict[str, Any], hook_off: bool) -> list[str]:
    attempts = report["attempts"]
    found = [f"the attack itself crashed: {report['notes']['attack_crashed']}"] if "attack_crashed" in report["notes"] else []
    # What counts is an escape attempt on a real target that met the kernel (a refused set-up step, or
    # the hook's refusal, shows nothing about the kernel's fences), except for an attack that only looks
    # around (every step may work; what it learns is judged instead).
    aimed = [a for a in attempts if a["real"] and (a["must_fail"] or not any(b["must_fail"] for b in attempts))]
    reached = [a for a in aimed if a["result"] == "ok" or a.get("errno") in REFUSALS]
    if not reached:
        found.append("no attempt on a real target reached the kernel, so the test shows nothing: "
                     + _short([f"{a['what']}: {a.get('errno') or a['result']}" for a in attempts]))
    for item in attempts:
        what = item["what"]
        if item["must_fail"] and item["result"] == "ok":
            found.append(f"ESCAPE: {what} worked and got {_short(item['got'])}")
        elif item["result"] == "hook" and hook_off:
            found.append(f"{what} was refused by the audit hook although GRADER_SANDBOX_OFF switched it off")
        elif item["must_fail"] and item["real"] and item["result"] == "errno" and item["errno"] not in REFUSALS:
            found.append(f"{what} failed with {item['errno']} ({item['message']}), which is no refusal: it never reached its target")
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
        successes = {sweep["first_pid"] + i for i, code in enumerate(codes) if code == 0} | set(sweep.get("successes", []))
        reached.setdefault(sweep["label"], set()).update(successes)
        if _SWEEP_HOOK in codes:
            hooked.add(sweep["label"])
    found = [f"ESCAPE: {label} worked on pids {sorted(pids)[:20]} (other processes than the worker)" for label, pids in reached.items() if pids]
    if hook_off:
        found += [f"{label} was refused by the audit hook although it was switched off" for label in sorted(hooked)]
    return found


def _learned_secrets(report: dict[str, Any], secrets: list[str]) -> list[str]:
    got = json.dumps([item.get("got") for item in report["attempts"]] + [report["notes"]])
    return [f"ESCAPE: the worker learned the folder name {secret}" for secret in secrets if secret in got]


def _victim_alive(victim: dict[str, Any]) -> tuple[int, float, float] | None:
    for check in _checks(victim).values():
        for line in check.get("output", "").splitlines():
            if line.startswith(VICTIM_TAG):
                _, pid, started, ended = line.split()
                return int(pid), float(started), float(ended)
    return None


def _race_was_run(report: dict[str, Any], victim: dict[str, Any], hook_off: bool) -> list[str]:
    """The attack's pid sweeps really hit the victim's worker while it was alive, and were refused."""
    alive = _victim_alive(victim)
    sweeps = [sweep for sweep in report["sweeps"] if "codes" in sweep]
    if not sweeps:
        return []  # an attack without sweeps aims only at what /proc shows it
    if alive is None:
        if victim.get("score") != FULL_MARKS:
            return []  # a victim that did not live is reported as harmed
        return ["the victim kept its marks but never said when its worker was alive: the race cannot be checked"]
    pid, started, ended = alive
    during = [sweep for sweep in sweeps if started <= sweep["t0"] and sweep["t1"] <= ended]
    if not during:
        return [f"no sweep ran while the victim's worker {pid} was alive ({started:.2f}-{ended:.2f}): "
                f"the race did not happen (sweeps: {[(round(s['t0'], 2), round(s['t1'], 2)) for s in sweeps][:8]})"]
    accepted = REFUSALS if hook_off else REFUSALS | {"hook"}
    answers: dict[str, set[str]] = {}
    for sweep in during:
        codes = _decoded(sweep)
        index = pid - sweep["first_pid"]
        code = codes[index] if 0 <= index < len(codes) else None
        name = "outside the sweep" if code is None else "hook" if code == _SWEEP_HOOK else errno.errorcode.get(code, str(code))
        if code != 0:  # a success is an ESCAPE already
            answers.setdefault(sweep["label"], set()).add(name)
    return [f"{label} on the victim's worker {pid} ended with {sorted(names - accepted)}, not a refusal"
            for label, names in answers.items() if names - accepted]


def _attacker_score(attacker: dict[str, Any] | None) -> list[str]:
    if attacker is None:
        return ["there is no report for the attacker"]
    found = []
    if attacker.get("score") != ATTACKER_POINTS:
        found.append(f"the attacker scored {attacker.get('score')} of {FULL_MARKS}, not the {ATTACKER_POINTS} it earned honestly")
    status = _checks(attacker).get(ATTACK_CHECK, {}).get("status")
    if status != "error":
        found.append(f"the attack's check {ATTACK_CHECK} is {status!r}, not an error: it got something to answer with")
    return found


def _victim_unharmed(after: Aftermath) -> list[str]:
    found = []
    victim = after.victim or {}
    batch = victim.get("batch") or {}
    if batch.get("status") != "graded" or victim.get("score") != FULL_MARKS:
        lost = [f"{c['name']}: {c['status']} {c.get('message', '')[:160]}" for c in _checks(victim).values() if c["status"] != "passed"]
        found.append(f"the victim lost marks: {batch.get('status')}, {victim.get('score')} of {FULL_MARKS} "
                     f"{batch.get('error') or ''} {lost}")
    if after.victim_file_changed:
        found.append("the victim's stored result changed after it was graded")
    rows = {row.get("student"): row for row in csv.DictReader(io.StringIO(after.grades_csv.lstrip("\ufeff")))}
    expected = {"victim": 100.0, "attacker": round(100 * ATTACKER_POINTS / FULL_MARKS, 2)}
    for student, percent in expected.items():
        try:
            shown = float(rows[student]["percent"])
        except (KeyError, TypeError, ValueError):
            found.append(f"grades.csv has no percent for {student}: {after.grades_csv[:300]!r}")
            continue
        if abs(shown - percent) > 0.01:
            found.append(f"grades.csv shows {shown} % for {student}, not {percent} %")
    extra = after.out_entries - _BATCH_OUTPUT
    if extra:
        found.append(f"the batch output holds files the grader did not write: {sorted(extra)}")
    return found


def sandbox_findings(after: Aftermath) -> list[str]:
    """Where the report's ``sandbox`` field does not say that every kernel layer held (and the hook as asked)."""
    where = "the batch manifest" if after.batch else "the JSON report"
    sandbox = after.sandbox
    if not isinstance(sandbox, dict):
        return [f"{where} has no `sandbox` field saying which layers were in force"]
    if after.batch and (after.attacker or {}).get("sandbox") != sandbox:
        return [f"the attacker's result file says {(after.attacker or {}).get('sandbox')!r}, the manifest {sandbox!r}"]
    expected = {"seccomp": True, "separate_uids": after.as_root, "audit_hook": not after.hook_off, "confined": True}
    if after.kernel_landlock_abi >= 6:
        expected["landlock_scopes"] = True
    found = [f"{where}: sandbox.{key} is {sandbox.get(key)!r}, expected {value!r}"
             for key, value in expected.items() if sandbox.get(key) != value]
    abi = sandbox.get("landlock_abi")
    if not isinstance(abi, int) or not 1 <= abi <= after.kernel_landlock_abi:
        found.append(f"{where}: sandbox.landlock_abi is {abi!r}, expected 1..{after.kernel_landlock_abi} (this kernel's)")
    return found


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 400 else text[:400] + "..."

