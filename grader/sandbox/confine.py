"""Putting a forked worker behind the kernel's fences, and proving first that they hold on this machine.

The parent decides the policy (:mod:`grader.sandbox.policy`: what a worker may read, which layers to
apply) and sends it to the fork server. The fork server builds a :class:`Confinement` from it: it forks
one probe child that applies every layer asked for and reports which held, so that a run records only
layers that really stood (an old kernel has no Landlock; a container may forbid seccomp). Each worker then applies
exactly those
layers, in this order, before any student code exists:

1. rlimits (CPU, memory, file size, descriptors, core dumps);
2. as root: a uid of its own (:mod:`grader.sandbox.uids`), or ``nobody`` when that layer is off;
3. Landlock (:mod:`grader.sandbox.landlock`): reads only beneath the policy's roots, reads and writes
   only in its own folder, signals and abstract sockets scoped to itself;
4. the seccomp filter (:mod:`grader.sandbox.syscalls`);
5. no new processes: the filter refuses them; without it, RLIMIT_NPROC=0 does (which also stops threads).

A layer that held in the probe but fails in a worker ends that worker before it runs anything
(exit code :data:`~grader.sandbox.layers.CONFINEMENT_FAILED`): a worker never runs with fewer fences than its run
reports.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from typing import TypeVar

from grader.sandbox import landlock, syscalls
from grader.sandbox import limits as limits_module
from grader.sandbox.layers import SandboxLayers
from grader.sandbox.policy import Policy
from grader.sandbox.uids import HeldUid, UidPool, mapped

THREADS_PER_WORKER = 64
"""Tasks a worker's own uid may have (as root, with the filter refusing processes, these are threads)."""

_WRITABLE_DEVICES = ("/dev/null",)
T = TypeVar("T")


class Confinement:
    """The fork server's view of the fences: what holds here, and how a worker puts them up."""

    def __init__(self, policy: Policy, base_dir: str) -> None:
        self.read_only = policy.read_only
        self.root = limits_module.running_as_root()
        self.audit_hook = "audit_hook" not in policy.off
        self.landlock_abi = 0 if "landlock" in policy.off else landlock.abi_version()
        self.filter = self._filter() if "seccomp" not in policy.off else None
        wants_uids = self.root and "uids" not in policy.off and mapped(*policy.uid_range)
        self.uids = UidPool(*policy.uid_range) if wants_uids else None
        self._keep_what_holds(base_dir)

    # -- what holds ------------------------------------------------------------------------------------
    def layers(self) -> SandboxLayers:
        return SandboxLayers(
            seccomp=self.filter is not None,
            landlock_abi=self.landlock_abi,
            landlock_scopes=self.landlock_abi >= landlock.SCOPES_ABI,
            separate_uids=self.uids is not None,
            audit_hook=self.audit_hook,
        )

    @staticmethod
    def _filter() -> syscalls.PreparedFilter | None:
        try:
            return syscalls.PreparedFilter()
        except OSError:
            return None  # no libseccomp here: recorded as not in force

    def _keep_what_holds(self, base_dir: str) -> None:
        """Fork a probe that applies every layer; drop the layers it could not apply."""
        held = self._probe(base_dir)
        if not held.get("uid", False):
            self.uids = None
        if not held.get("landlock", False):
            self.landlock_abi = 0
        if not held.get("seccomp", False):
            self.filter = None

    def _probe(self, base_dir: str) -> dict[str, bool]:
        workdir = tempfile.mkdtemp(prefix="grader-probe-", dir=base_dir)
        uid = self.take_uid()
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the probe: report, never return
            os.close(read_end)
            os.write(write_end, json.dumps(self.apply(workdir, uid, limits_module.Limits(), strict=False)).encode())
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as report:
            data = report.read()
        os.waitpid(pid, 0)
        shutil.rmtree(workdir, ignore_errors=True)
        if uid is not None:
            uid.release()
        return json.loads(data) if data else {}

    # -- in a worker -----------------------------------------------------------------------------------
    def take_uid(self) -> HeldUid | None:
        """A uid of its own for the next worker (as root with separate uids), held until it is reaped."""
        return self.uids.take() if self.uids is not None else None

    def owner(self, uid: HeldUid | None) -> tuple[int, int] | None:
        """Who a worker's folder must belong to: its own uid, ``nobody`` as root without one, else as is."""
        return self._ids(uid) if uid is not None or self.root else None

    @staticmethod
    def _ids(uid: HeldUid | None) -> tuple[int, int]:
        """The uid and gid a worker runs as, as root: its own uid, else ``nobody``'s."""
        return (uid.uid, uid.uid) if uid is not None else limits_module.unprivileged_ids()

    def apply(
        self, workdir: str, uid: HeldUid | None, limits: limits_module.Limits, strict: bool = True
    ) -> dict[str, bool]:
        """Put this process behind every layer (see the module docstring for the order).

        ``strict``: a layer that fails raises (a worker). Otherwise each failure is noted and the next layer
        tried (the probe); returns which layers held.
        """
        attempt = _Attempts(strict)
        limits_module.apply_rlimits(limits)
        # The Landlock ruleset is built while still root (its folders may be closed to the worker's uid)
        # and enforced after the drop.
        ruleset = (
            attempt(
                "landlock", lambda: landlock.prepare(self.landlock_abi, self.read_only, [workdir, *_WRITABLE_DEVICES])
            )
            if self.landlock_abi
            else None
        )
        if self.root:
            attempt("uid", lambda: limits_module.drop_privileges(*self._ids(uid)))
        if ruleset is not None:
            attempt("landlock", lambda: landlock.enforce(ruleset))
        seccomp = self.filter
        if seccomp is not None:
            attempt("seccomp", lambda: seccomp.load(os.getpid()))
        self._limit_processes(uid)
        return attempt.held

    def _limit_processes(self, uid: HeldUid | None) -> None:
        if self.filter is None:
            limits_module.limit_processes(0)  # the only fence against fork left; it stops threads too
        elif uid is not None:
            limits_module.limit_processes(THREADS_PER_WORKER)  # its own uid: these are its threads


class _Attempts:
    """Runs the steps of :meth:`Confinement.apply`: strict (a worker) raises on the first failure; the probe
    notes it and goes on."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.held: dict[str, bool] = {}

    def __call__(self, layer: str, step: Callable[[], T]) -> T | None:
        try:
            result = step()
        except OSError:
            if self.strict:
                raise
            self.held[layer] = False
            return None
        self.held.setdefault(layer, True)
        return result


def clean_sys_path() -> None:
    """Forget import locations that are a source checkout (a course beside the grader): graded code must
    not even learn where the course is from its own ``sys.path``."""
    sys.path[:] = [path for path in sys.path if not os.path.isdir(os.path.join(path, "solutions"))]
    sys.path_importer_cache.clear()
