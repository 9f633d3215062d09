"""The fork server's control messages, as both ends type them (see :mod:`grader.sandbox.forkserver`).

JSON over the control socket; both ends are the grader's own code, so a message is typed by what its
sender wrote, not checked field by field. Kept apart from the fork server so the parent can name the
messages without importing the server (and numpy with it).
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, TypedDict

from grader.sandbox.policy import PolicyWire


class ServerConfig(TypedDict):
    """The first message, read by the bootstrap: where the grader is, where workers' folders go, the fences."""

    source_root: str
    base_dir: str
    policy: PolicyWire


class LayersReply(TypedDict):
    """The server's answer to its config: the fences that hold (``SandboxLayers.to_dict``)."""

    layers: dict[str, Any]


class SpawnRequest(TypedDict):
    """Fork a worker with these limits; one descriptor (the worker's end of its channel) travels along."""

    op: Literal["spawn"]
    limits: dict[str, int]


class ReapRequest(TypedDict):
    """Wait for a worker that has ended (the parent killed it, or it exited)."""

    op: Literal["reap"]
    pid: int


Request: TypeAlias = SpawnRequest | ReapRequest


class SpawnReply(TypedDict, total=False):
    """Either the new worker's ``pid`` or why none could be started (``error``)."""

    pid: int
    error: str


class ReapReply(TypedDict):
    """How a worker ended (``grader.sandbox.launcher.ExitStatus``)."""

    exit_code: int | None
    signal: int | None
    cpu_s: float
