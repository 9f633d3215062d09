"""One security test's world: a course, a class, a batch output, and runs of the real CLI in it.

The world sits in a world-readable temporary folder (so an unprivileged grader can use it), with
folder names nobody could guess. It is graded one of four ways (``WAYS``): ``grader grade`` or
``grader batch --jobs 2`` beside a victim, each by root (this checkout's Python; workers get the
kernel layers and uids of their own) or by a throw-away ordinary user (its own venv; it owns the
course, so only the kernel layers stand between its workers and the answers).
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

from tests.security.catalogue import RACE_S, Attack, attacker_source, victim_source
from tests.security.system import PROJECT_ROOT, UserAccount, chown_tree, fingerprint

OFF_SWITCH = "GRADER_SANDBOX_OFF"
"""The trusted parent's test-only switch: the layers it names (audit_hook, seccomp, landlock, uids) are
left out of every worker of the run."""
FIXTURES = Path(__file__).parents[1] / "fixtures"
_RUN_TIMEOUT_S = 120
# Short limits: a worker that hangs costs seconds, not minutes. The import limit leaves room for the
# race attacks' slow victim (see catalogue.VICTIM_SLEEP_S).
_LIMITS = "{timeout: 2, import_timeout: 4}"


@dataclass(frozen=True)
class Way:
    """How the attacker is graded."""

    name: str
    batch: bool
    """In `grader batch --jobs 2` beside a victim (else `grader grade` alone)."""
    as_user: bool
    """By an ordinary user who owns the course (else by root)."""


WAYS = (Way("root", False, False), Way("user", False, True), Way("batch-root", True, False), Way("batch-user", True, True))


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
class Scene:
    """The folders of one test and the attacker's and victim's submissions in them."""

    base: Path
    way: Way
    attack: Attack
    off: frozenset[str]
    """The layers switched off for this run (``OFF_SWITCH``)."""
    user: UserAccount | None
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    listeners: Listeners | None = None
    runs: list[Run] = field(default_factory=list)
    seeded_victim: bytes | None = None
    """The victim's result file after the earlier run (seeded_output attacks)."""

    def __post_init__(self) -> None:
        secret = uuid.uuid4().hex
        self.root = self.base / f"scene-{self.token[:12]}"
        self.course = self.root / f"course-{secret[:10]}"
        self.class_dir = self.root / f"class-{secret[10:20]}"
        self.out = self.root / f"out-{secret[20:30]}"
        self.drop = self.root / "drop"
        self.tmp = self.base / f"tmp-{self.token[:12]}"

    # -- building ------------------------------------------------------------------------------------
    def build(self) -> None:
        """Everything before the attacker's run: folders, course, victim (and its earlier batch run)."""
        self.root.mkdir(mode=0o755)
        shutil.copytree(FIXTURES / "mini_course", self.course)
        yaml = self.course / "course.yaml"
        yaml.write_text(yaml.read_text().replace("limits: {timeout: 2}", f"limits: {_LIMITS}"))
        assert _LIMITS in yaml.read_text(), "the mini course's limits line changed: update scene._LIMITS"
        self.class_dir.mkdir()
        self.drop.mkdir()
        self.tmp.mkdir(mode=0o755)
        if self.attack.listeners:
            self.listeners = Listeners(self.token)
        if self.way.batch:
            self._write("victim", victim_source(self.attack))
        self._own()
        self.drop.chmod(0o1777)  # a drop box anyone may write to, like /tmp
        if self.attack.seeded_output:
            self.run()  # the victim graded first; the attack then meets its stored result
            self.seeded_victim = (self.out / "results/victim.json").read_bytes()
        self._write("attacker", attacker_source(self.attack, self.targets()))
        self._own()

    def _write(self, student: str, source: str) -> None:
        (self.class_dir / student).mkdir()
        (self.class_dir / student / "vectors.py").write_text(source)

    def _own(self) -> None:
        if self.user is not None and self.user.throwaway:
            chown_tree(self.root, self.user.uid, self.user.gid)
            os.chown(self.tmp, self.user.uid, self.user.gid)

    def targets(self) -> dict[str, Any]:
        """What the attacker knows: every real path of this world, and the test's own pid."""
        solution_files = [[str(self.course / "solutions/vectors"), "vectors.py"]]
        shipped = PROJECT_ROOT / "solutions/conv/conv.py"
        if shipped.exists():  # the course beside the grader's own source checkout
            solution_files.append([str(shipped.parent), shipped.name])
        return {
            "token": self.token,
            "anchor_pid": os.getpid(),
            # every process a throw-away user's worker can reach is this test's (never so for a developer's own user)
            "harm_any_reachable": self.user is not None and self.user.throwaway,
            "race_s": RACE_S if self.way.batch and self.attack.race else 0,
            "course_dir": str(self.course),
            "solution_files": solution_files,
            "hidden_checks": str(self.course / "solutions/vectors/checks_hidden.py"),
            "subs_dir": str(self.class_dir),
            "victim_dir": str(self.class_dir / "victim"),
            "out_dir": str(self.out),
            "drop_dir": str(self.drop),
            "listen_unix": self.listeners.unix_name if self.listeners else "",
            "listen_tcp": self.listeners.tcp_port if self.listeners else 0,
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
            args = ["grade", "--course", str(self.course), "--submission", str(self.class_dir / "attacker"), "--format", "json"]
        process = subprocess.Popen(self._command(args), cwd=self.course, env=self._environment(), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
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
        return [self.user.runuser, "-u", self.user.name, "--", "env", "-i", *variables, str(self.user.python), "-m", "grader", *args]

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
        return {"course": fingerprint(self.course), "class": fingerprint(self.class_dir), "drop box": fingerprint(self.drop)}

    def outside_drops(self) -> list[Path]:
        """Files the attacks try to leave in the machine's shared temporary folders."""
        pattern = f"grader-attack-{self.token}*"
        return sorted(Path("/tmp").glob(pattern)) + sorted(Path("/dev/shm").glob(pattern))

    def remove(self) -> None:
        if self.listeners is not None:
            self.listeners.close()
        for path in self.outside_drops():
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
