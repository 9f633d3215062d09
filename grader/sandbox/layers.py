"""Which fences stood around the workers of a run: asked for by the parent, proven by the fork server.

Every report records a :class:`SandboxLayers`, so an instructor can tell from a result file whether the
code behind it ran confined by the kernel. ``GRADER_SANDBOX_OFF`` switches layers off for the tool's own
tests (to show that the kernel layers alone contain an attack); a run records them as off.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

LAYER_NAMES = ("audit_hook", "seccomp", "landlock", "uids")
CONFINEMENT_FAILED = 71
"""A worker's exit code when a layer its run reports could not be applied to it (it ran nothing)."""
OFF_VARIABLE = "GRADER_SANDBOX_OFF"


@dataclass(frozen=True, kw_only=True)
class SandboxLayers:
    """The fences every worker of a run was put behind (all of them, or it did not run)."""

    seccomp: bool
    """The seccomp-BPF system-call filter: no processes, sockets, ptrace, foreign signals, io_uring, …"""
    landlock_abi: int
    """The Landlock ABI of the filesystem fence (reads only of Python and numpy, writes only in its own
    folder); 0 when Landlock was not in force."""
    landlock_scopes: bool
    """Landlock also scoped signals and abstract unix sockets to the worker itself (ABI 6 and newer)."""
    separate_uids: bool
    """As root: every worker that ran at the same time had a uid of its own."""
    audit_hook: bool
    """The Python audit hook that turns refusals into readable messages (a courtesy, not a fence)."""

    @property
    def confined(self) -> bool:
        """Both kernel fences held: what official grading of hidden checks requires."""
        return self.seccomp and self.landlock_abi > 0

    def missing_kernel_layers(self) -> list[str]:
        """The kernel fences that were not in force, by name."""
        return [name for name, held in (("seccomp", self.seccomp), ("Landlock", self.landlock_abi > 0)) if not held]

    @classmethod
    def common(cls, runs: list[SandboxLayers]) -> SandboxLayers:
        """What held in every one of ``runs`` (the shards of a merged batch): each layer at its weakest."""
        return cls(
            seccomp=all(run.seccomp for run in runs),
            landlock_abi=min(run.landlock_abi for run in runs),
            landlock_scopes=all(run.landlock_scopes for run in runs),
            separate_uids=all(run.separate_uids for run in runs),
            audit_hook=all(run.audit_hook for run in runs),
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "confined": self.confined}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SandboxLayers:
        return cls(
            seccomp=bool(data["seccomp"]),
            landlock_abi=int(data["landlock_abi"]),
            landlock_scopes=bool(data["landlock_scopes"]),
            separate_uids=bool(data["separate_uids"]),
            audit_hook=bool(data["audit_hook"]),
        )


def switched_off(environ: Mapping[str, str] = os.environ) -> frozenset[str]:
    """The layers ``GRADER_SANDBOX_OFF`` switches off (test-only; a misspelt name is an error, not a no-op)."""
    names = frozenset(name.strip() for name in environ.get(OFF_VARIABLE, "").split(",") if name.strip())
    unknown = sorted(names - set(LAYER_NAMES))
    if unknown:
        raise ValueError(f"{OFF_VARIABLE} names unknown layers {', '.join(unknown)}; known: {', '.join(LAYER_NAMES)}")
    return names
