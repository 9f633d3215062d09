"""Every attack of the security suite, and how its submission is put together.

An attack is a file in ``attacks/`` defining ``attack()`` (student code). Its submission is that file
between the attacker's kit (``student_kit.py``: what a hostile student brings, and the report) and
the honest rest of the mini course's reference: ``add``, ``safe_sqrt`` and ``Counter`` are correct,
``norm`` runs the attack. So an attacker that steals nothing scores exactly ``ATTACKER_POINTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.engine.helpers import REFERENCE, with_function

HERE = Path(__file__).parent
KIT = (HERE / "student_kit.py").read_text()
FULL_MARKS = 6.0
"""Of one assignment (a copy of the mini course's `vectors`)."""
ATTACKER_POINTS = FULL_MARKS - 1  # everything but norm_345, the check that runs the attack
ATTACK_CHECK = "norm_345"


@dataclass(frozen=True)
class Attack:
    """One attack class of issue 12 (or one found on the way), as a submission."""

    name: str
    """Its test id, and ``attacks/<name with underscores>.py``."""
    batch_only: bool = False
    """Its targets exist only in a batch (a classmate, the output folder)."""
    race: bool = False
    """It targets the classmate's running worker: the victim must be running while it tries. (Once it gets
    through, it harms every process it reaches, so without the kernel layers it is graded alone.)"""
    seeded_output: bool = False
    """It targets a batch's stored results: the victim is graded in an earlier run of the same batch."""
    listeners: bool = False
    """It connects to sockets the test listens on."""

    @property
    def assignment(self) -> str:
        """Its assignment in the security course (every attack is graded in an assignment of its own)."""
        return self.name.replace("-", "_")

    @property
    def source(self) -> str:
        return (HERE / "attacks" / f"{self.name.replace('-', '_')}.py").read_text()

    @property
    def summary(self) -> str:
        """The first sentence of the comment each attack file starts with."""
        comment = " ".join(line.lstrip("# ") for line in self.source.splitlines() if line.startswith("#"))
        return comment.split(". ")[0].split(": ")[0].rstrip(".")


ATTACKS = (
    Attack("read-solutions-dirfd"),
    Attack("read-solutions-opath"),
    Attack("read-solutions-symlink"),
    Attack("read-solutions-hardlink"),
    Attack("read-classmate", batch_only=True),
    Attack("read-batch-output", batch_only=True, seeded_output=True),
    Attack("read-proc-environ"),
    Attack("read-proc-mem"),
    Attack("learn-folder-names"),
    Attack("write-course"),
    Attack("write-batch-output", batch_only=True, seeded_output=True),
    Attack("write-dropbox"),
    Attack("spawn-posixsubprocess"),
    Attack("spawn-os-fork"),
    Attack("spawn-posix-spawn"),
    Attack("spawn-raw-clone"),
    Attack("signal-pidfd", race=True),
    Attack("signal-kill", race=True),
    Attack("ptrace-sibling", race=True),
    Attack("resources-of-others", race=True),
    Attack("io-uring"),
    Attack("sockets", listeners=True),
    Attack("kernel-apis"),
)

# A slow but correct classmate for the attacks on a running worker: its worker stays alive (asleep in
# its import) for VICTIM_SLEEP_S while the attacker's worker tries for RACE_S, and it says when. The
# margin covers the two grading processes of the batch starting up to a second apart.
VICTIM_SLEEP_S = 2.5
RACE_S = 1.5
VICTIM_TAG = "VICTIM-ALIVE"
_VICTIM_PRELUDE = (
    "import os as _os, time as _time\n"
    f"_started = _time.time()\n_time.sleep({VICTIM_SLEEP_S})\n"
    f"print({VICTIM_TAG!r}, _os.getpid(), _started, _time.time())\n"
)


def attacker_source(attack: Attack, targets: dict[str, Any]) -> str:
    """The attacker's file: what it knows, the kit, the attack, and the honest rest of the reference."""
    honest = with_function("norm", "")
    return "\n".join([f"TARGETS = {targets!r}", KIT, attack.source, honest])


def victim_source(attack: Attack) -> str:
    """The classmate: the reference solution (made slow to import when the attack races its worker)."""
    return (_VICTIM_PRELUDE if attack.race else "") + REFERENCE
