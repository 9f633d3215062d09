"""One run's world: a course with an assignment per attack, a class, a batch output, and the real CLI run in it.

The world sits in a world-readable temporary folder (so an unprivileged grader can use it), with
folder names nobody could guess. It is graded as its plan says (plans.py): ``grader grade`` or
``grader batch --jobs 2`` beside a victim, by root (this checkout's Python; workers get the kernel
layers and uids of their own) or by a throw-away ordinary user (its own venv; it owns the course, so
only the kernel layers stand between its workers and the answers).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.security.catalogue import RACE_S, Attack, attacker_source, victim_source
from tests.security.plans import Plan, Way
from tests.security.system import PROJECT_ROOT, UserAccount, chown_tree, fingerprint

OFF_SWITCH = "GRADER_SANDBOX_OFF"
"""The trusted parent's test-only switch: the layers it names (audit_hook, seccomp, landlock, uids) are
left out of every worker of the run."""
FIXTURES = Path(__file__).parents[1] / "fixtures"
TEMPLATE = "vectors"
"""The mini course's assignment that every attack's assignment copies."""
_RUN_TIMEOUT_S = 120
# Short limits: a worker that hangs costs seconds, not minutes. The import limit leaves room for the
# race attacks' slow victim (see catalogue.VICTIM_SLEEP_S).
_LIMITS = {"timeout": 2, "import_timeout": 4}


@dataclass
class Run:
    """One run of the CLI: what it printed and how it ended."""

    returncode: int
    stdout: str
    stderr: str


class Listeners:
    """An abstract unix socket and a TCP port on 127.0.0.1 that the test listens on; a worker that
    connects and sends its token has escaped."""

    def __init__(self, token: str) -> None:
        self.unix_name = f"grader-security-{token}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.unix_name)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp_port = self.tcp.getsockname()[1]
        self.received: list[str] = []
        self.stopping = threading.Event()
        for server in (self.unix, self.tcp):
            server.listen()
            server.settimeout(0.1)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            for server in (self.unix, self.tcp):
                try:
                    connection, _ = server.accept()
                except (TimeoutError, OSError):
                    continue
                with connection:
                    connection.settimeout(1)
                    try:
                        self.received.append(f"{server.family.name}: {connection.recv(200)!r}")
                    except OSError as exc:
                        self.received.append(f"{server.family.name}: connected ({exc})")

    def close(self) -> list[str]:
        """Stop listening; what arrived."""
        if not self.stopping.is_set():
            self.stopping.set()
            self.thread.join()
            self.unix.close()
            self.tcp.close()
        return self.received


@dataclass
class Staged:
    """One attack of a run: its assignment, and the token that marks everything it makes."""

    attack: Attack
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    listeners: Listeners | None = None

    def marks(self, path: str) -> bool:
        """Whether ``path`` (relative to a watched folder, or in /tmp) is this attack's: it carries its token, or
        it is in its assignment's folder or its file."""
        parts = path.split("/")
        return self.token in path or self.attack.assignment in parts or f"{self.attack.assignment}.py" in parts


@dataclass
class Scene:
    """The folders of one run and the attacker's and victim's submissions in them."""

    base: Path
    plan: Plan
    user: UserAccount | None
    runs: list[Run] = field(default_factory=list)
    seeded_victim: bytes | None = None
    """The victim's result file after the earlier run (seeded plans)."""

    def __post_init__(self) -> None:
        secret, name = uuid.uuid4().hex, uuid.uuid4().hex[:12]
        self.staged = [Staged(attack) for attack in self.plan.attacks]
        self.root = self.base / f"scene-{name}"
        self.course = self.root / f"course-{secret[:10]}"
        self.class_dir = self.root / f"class-{secret[10:20]}"
        self.out = self.root / f"out-{secret[20:30]}"
        self.drop = self.root / "drop"
        self.tmp = self.base / f"tmp-{name}"

    @property
    def way(self) -> Way:
        return self.plan.way

    @property
    def off(self) -> frozenset[str]:
        return self.plan.off

    # -- building ------------------------------------------------------------------------------------
    def build(self) -> None:
        """Everything before the attacker's run: folders, course, victim (and its earlier batch run)."""
        self.root.mkdir(mode=0o755)
        self._write_course()
        self.class_dir.mkdir()
        self.drop.mkdir()
        self.tmp.mkdir(mode=0o755)
        for staged in self.staged:
            if staged.attack.listeners:
                staged.listeners = Listeners(staged.token)
        if self.way.batch:
            for staged in self.staged:
                self._write("victim", staged.attack, victim_source(staged.attack))
        self._own()
        self.drop.chmod(0o1777)  # a drop box anyone may write to, like /tmp
        if self.plan.seeded:
            self.run()  # the victim graded first; the attacks then meet its stored result
            self.seeded_victim = (self.out / "results/victim.json").read_bytes()
        for staged in self.staged:
            self._write("attacker", staged.attack, attacker_source(staged.attack, self.targets(staged)))
        self._own()

    def _write_course(self) -> None:
        """The mini course with its one assignment copied once per attack (same checks, same reference)."""
        fixture = FIXTURES / "mini_course"
        course = yaml.safe_load((fixture / "course.yaml").read_text())
        (template,) = (entry for entry in course["assignments"] if entry["id"] == TEMPLATE)
        course["assignments"] = [
            {
                **template,
                "id": attack.assignment,
                "title": attack.name,
                "limits": {**template.get("limits", {}), **_LIMITS},
            }
            for attack in self.plan.attacks
        ]
        self.course.mkdir()
        (self.course / "course.yaml").write_text(yaml.safe_dump(course, sort_keys=False))
        for part in ("assignments", "solutions"):
            for attack in self.plan.attacks:
                folder = self.course / part / attack.assignment
                shutil.copytree(fixture / part / TEMPLATE, folder)
                (folder / f"{TEMPLATE}.py").rename(folder / f"{attack.assignment}.py")

    def _write(self, student: str, attack: Attack, source: str) -> None:
        (self.class_dir / student).mkdir(exist_ok=True)
        (self.class_dir / student / f"{attack.assignment}.py").write_text(source)

    def _own(self) -> None:
        if self.user is not None and self.user.throwaway:
            chown_tree(self.root, self.user.uid, self.user.gid)
            os.chown(self.tmp, self.user.uid, self.user.gid)

    def targets(self, staged: Staged) -> dict[str, Any]:
        """What an attacker knows: every real path of this world, and the test's own pid."""
        attack, assignment = staged.attack, staged.attack.assignment
        solution_files = [[str(self.course / "solutions" / assignment), f"{assignment}.py"]]
        shipped = PROJECT_ROOT / "solutions/conv/conv.py"
        if shipped.exists():  # the course beside the grader's own source checkout
            solution_files.append([str(shipped.parent), shipped.name])
        return {
            "token": staged.token,
            "anchor_pid": os.getpid(),
            # every process a throw-away user's worker can reach is this test's (never so for a developer's own user)
            "harm_any_reachable": self.user is not None and self.user.throwaway,
            "race_s": RACE_S if self.way.batch and attack.race else 0,
            "course_dir": str(self.course),
            "assignment": assignment,
            "solution_files": solution_files,
            "hidden_checks": str(self.course / "solutions" / assignment / "checks_hidden.py"),
            "subs_dir": str(self.class_dir),
            "victim_dir": str(self.class_dir / "victim"),
            "victim_file": str(self.class_dir / "victim" / f"{assignment}.py"),
            "out_dir": str(self.out),
            "drop_dir": str(self.drop),
            "listen_unix": staged.listeners.unix_name if staged.listeners else "",
            "listen_tcp": staged.listeners.tcp_port if staged.listeners else 0,
        }

    def secrets(self) -> list[str]:
        """Folder names a worker must never learn."""
        return [str(path) for path in (self.course, self.class_dir, self.out)]

    # -- running -------------------------------------------------------------------------------------
    def run(self) -> Run:
        """Grade (or batch-grade) the class once with the real CLI, as this scene's way says."""
        if self.way.batch:
            args = ["batch", str(self.class_dir), "--course", str(self.course), "--out", str(self.out), "--jobs", "2"]
            if self.off & {"seccomp", "landlock"}:
                args.append("--allow-unconfined")  # a batch refuses hidden checks unconfined without it
        else:
            args = [
                "grade",
                "--course",
                str(self.course),
                "--submission",
                str(self.class_dir / "attacker"),
                "--format",
                "json",
            ]
        process = subprocess.Popen(
            self._command(args),
            cwd=self.course,
            env=self._environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=_RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            stderr += f"\n[the test killed the grader after {_RUN_TIMEOUT_S} s]"
        run = Run(process.returncode, stdout, stderr)
        self.runs.append(run)
        return run

    def _command(self, args: list[str]) -> list[str]:
        if self.user is None or not self.user.throwaway:
            return [str(self.user.python if self.user else sys.executable), "-m", "grader", *args]
        variables = [f"{name}={value}" for name, value in self._user_environment().items()]
        return [
            self.user.runuser,
            "-u",
            self.user.name,
            "--",
            "env",
            "-i",
            *variables,
            str(self.user.python),
            "-m",
            "grader",
            *args,
        ]

    def _environment(self) -> dict[str, str]:
        if self.user is not None and self.user.throwaway:
            return {"PATH": "/usr/bin:/bin"}  # runuser's own; the grader gets _user_environment through env -i
        environment = {name: value for name, value in os.environ.items() if name != OFF_SWITCH}
        return {**environment, **self._grader_variables()}

    def _user_environment(self) -> dict[str, str]:
        assert self.user is not None
        return {"PATH": "/usr/bin:/bin", "HOME": str(self.user.home), "LANG": "C.UTF-8", **self._grader_variables()}

    def _grader_variables(self) -> dict[str, str]:
        """Its temporary folder; no bytecode caches (the trusted parent would write them into a course the
        user owns, and the course must stay byte for byte as it was); the switch, when the hook is off."""
        variables = {"TMPDIR": str(self.tmp), "PYTHONDONTWRITEBYTECODE": "1"}
        return {**variables, **({OFF_SWITCH: ",".join(sorted(self.off))} if self.off else {})}

    # -- what it left ---------------------------------------------------------------------------------
    def stored_results(self) -> dict[str, dict[str, Any]]:
        """The batch's result files, by student (unreadable or broken ones as {"unreadable": why})."""
        found = {}
        for path in sorted((self.out / "results").glob("*.json")):
            try:
                found[path.stem] = json.loads(path.read_text())
            except (OSError, ValueError) as exc:
                found[path.stem] = {"unreadable": str(exc)}
        return found

    def watched_folders(self) -> dict[str, dict[str, str]]:
        """Fingerprints of every folder the attack must leave as it was."""
        return {
            "course": fingerprint(self.course),
            "class": fingerprint(self.class_dir),
            "drop box": fingerprint(self.drop),
        }

    def outside_drops(self) -> list[Path]:
        """Files the attacks try to leave in the machine's shared temporary folders."""
        found: list[Path] = []
        for staged in self.staged:
            pattern = f"grader-attack-{staged.token}*"
            found += sorted(Path("/tmp").glob(pattern)) + sorted(Path("/dev/shm").glob(pattern))
        return found

    def remove(self) -> None:
        for staged in self.staged:
            if staged.listeners is not None:
                staged.listeners.close()
        for path in self.outside_drops():
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
