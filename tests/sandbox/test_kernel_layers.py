"""The kernel layers one by one: what each refuses, what it must keep working, and what a run records.

Each layer is tried in a forked child of the test process (so the test process itself stays free), or
through a real launcher and worker. tests/security/ grades whole hostile submissions through the CLI.
"""

from __future__ import annotations

import ctypes
import errno
import mmap
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.sandbox import landlock
from grader.sandbox.errors import WorkerCrashed
from grader.sandbox.launcher import Launcher, WorkerProcess
from grader.sandbox.layers import OFF_VARIABLE, SandboxLayers, switched_off
from grader.sandbox.limits import Limits
from grader.sandbox.policy import worker_read_roots
from grader.sandbox.session import StudentSession
from grader.sandbox.syscalls import REFUSED, PreparedFilter
from grader.sandbox.uids import DEFAULT_RANGE, UidPool, UidRangeError, parse_range
from tests.optional import unavailable
from tests.waiting import alive, wait_until

_libc = ctypes.CDLL(None, use_errno=True)
_CLONE3, _IO_URING_SETUP, _PIDFD_OPEN = 435, 425, 434


def in_child(body: Callable[[], int]) -> tuple[str, int]:
    """Run ``body`` in a forked child; ("exit", its return value) or ("signal", the signal that ended it)."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            code = body()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return ("signal", os.WTERMSIG(status)) if os.WIFSIGNALED(status) else ("exit", os.WEXITSTATUS(status))


def errno_of(call: Callable[[], object]) -> int:
    try:
        call()
    except OSError as error:
        return error.errno
    return 0


def require_kernel_layers() -> None:
    """These tests are about the kernel layers: without them outside CI they are skipped; in CI they fail."""
    missing = []
    if landlock.abi_version() < landlock.SCOPES_ABI:
        missing.append(f"Landlock ABI {landlock.SCOPES_ABI} (this kernel: {landlock.abi_version()})")
    try:
        PreparedFilter()
    except OSError:
        missing.append("libseccomp")
    if missing:
        unavailable(f"this machine lacks {', '.join(missing)}")


# -- seccomp -----------------------------------------------------------------------------------------------
def test_every_refused_system_call_exists_on_x86_64() -> None:
    """A misspelt name would be skipped silently by the filter (it skips names an architecture lacks)."""
    require_kernel_layers()
    import pyseccomp

    unknown = [name for name in REFUSED if pyseccomp.resolve_syscall(pyseccomp.Arch.X86_64, name) < 0]
    assert unknown == []


@pytest.fixture(scope="module")
def syscall_filter() -> PreparedFilter:
    require_kernel_layers()
    return PreparedFilter()


def filtered(prepared: PreparedFilter, body: Callable[[], int]) -> tuple[str, int]:
    return in_child(lambda: (prepared.load(os.getpid()), body())[1])


def test_the_filter_refuses_new_processes_and_programs(syscall_filter: PreparedFilter) -> None:
    assert filtered(syscall_filter, lambda: errno_of(os.fork)) == ("exit", errno.EPERM)
    assert filtered(syscall_filter, lambda: errno_of(lambda: os.posix_spawn("/bin/true", ["true"], {}))) == (
        "exit",
        errno.EPERM,
    )
    assert filtered(syscall_filter, lambda: errno_of(lambda: os.execv("/bin/true", ["true"]))) == ("exit", errno.EPERM)
    # clone3 answers ENOSYS, so that the C library falls back to clone (threads), which is checked for CLONE_THREAD
    assert filtered(syscall_filter, lambda: _raw(_CLONE3, None, 0)) == ("exit", errno.ENOSYS)


def test_the_filter_keeps_threads_working(syscall_filter: PreparedFilter) -> None:
    def threads() -> int:
        results: list[int] = []
        workers = [threading.Thread(target=lambda n=n: results.append(n * n)) for n in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return 0 if sorted(results) == [n * n for n in range(8)] else 1

    assert filtered(syscall_filter, threads) == ("exit", 0)


def test_the_filter_refuses_signals_to_any_pid_but_its_own(syscall_filter: PreparedFilter) -> None:
    parent = os.getpid()
    assert filtered(syscall_filter, lambda: errno_of(lambda: os.kill(parent, 0))) == ("exit", errno.EPERM)
    assert filtered(syscall_filter, lambda: errno_of(lambda: os.kill(0, 0))) == ("exit", errno.EPERM)
    assert filtered(syscall_filter, lambda: errno_of(lambda: os.kill(os.getpid(), 0))) == ("exit", 0)
    assert filtered(syscall_filter, lambda: _raw(_PIDFD_OPEN, parent, 0)) == ("exit", errno.EPERM)
    assert filtered(syscall_filter, lambda: errno_of(lambda: signal.pthread_kill(threading.get_ident(), 0))) == (
        "exit",
        0,
    )


def test_the_filter_refuses_sockets_io_uring_and_other_processes_limits(syscall_filter: PreparedFilter) -> None:
    import socket

    assert filtered(syscall_filter, lambda: errno_of(lambda: socket.socket(socket.AF_UNIX))) == ("exit", errno.EPERM)
    assert filtered(syscall_filter, lambda: errno_of(socket.socketpair)) == ("exit", errno.EPERM)
    assert filtered(
        syscall_filter, lambda: _raw(_IO_URING_SETUP, 8, ctypes.byref(ctypes.create_string_buffer(120)))
    ) == ("exit", errno.EPERM)
    parent = os.getpid()
    assert filtered(syscall_filter, lambda: errno_of(lambda: os.setpriority(os.PRIO_PROCESS, parent, 19))) == (
        "exit",
        errno.EPERM,
    )
    assert filtered(syscall_filter, lambda: errno_of(lambda: os.setpriority(os.PRIO_PROCESS, 0, 1))) == ("exit", 0)


def test_a_system_call_of_another_architecture_kills_the_process(syscall_filter: PreparedFilter) -> None:
    """i386 (int 0x80) and x32 numbers would bypass a table written for x86-64."""
    if os.uname().machine != "x86_64":
        pytest.skip("the i386 and x32 system-call interfaces exist on x86-64 only")

    def i386_getpid() -> int:
        code = bytes([0xB8, 20, 0, 0, 0, 0xCD, 0x80, 0xC3])  # mov eax, 20 (getpid); int 0x80; ret
        memory = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        memory.write(code)
        ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(memory)))()
        return 0

    assert filtered(syscall_filter, i386_getpid) == ("signal", signal.SIGSYS)
    assert filtered(syscall_filter, lambda: _raw(0x40000000 | 39)) == ("signal", signal.SIGSYS)  # x32 getpid


def _raw(number: int, *args: object) -> int:
    """A raw system call: 0 when it succeeded, else its errno."""
    result = _libc.syscall(number, *args)
    return 0 if result >= 0 else ctypes.get_errno()


_MULTITHREADED_BLAS = """
import ctypes, os
import numpy as np

def f():
    libs = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    blas = ctypes.CDLL(os.path.join(libs, next(name for name in os.listdir(libs) if "openblas" in name)))
    prefix = next(p for p in ("scipy_openblas_", "openblas_") if hasattr(blas, p + "set_num_threads64_"))
    getattr(blas, prefix + "set_num_threads64_")(2)
    a = np.random.default_rng(0).normal(size=(600, 600))
    for _ in range(5):
        b = a @ a
    return int(getattr(blas, prefix + "get_num_threads64_")()), float(np.abs(b - np.einsum("ij,jk->ik", a, a)).max())
"""


def test_numpy_with_a_multithreaded_blas_works_in_a_confined_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BLAS threads are clone(CLONE_THREAD) after clone3 answered ENOSYS; the worker's own uid allows them."""
    require_kernel_layers()
    monkeypatch.setenv(OFF_VARIABLE, "audit_hook")  # the hook would refuse ctypes, which sets BLAS's thread count
    with Launcher(base_dir=tmp_path) as launcher:
        assert launcher.layers.seccomp and launcher.layers.landlock_abi > 0
        session = StudentSession(launcher, _MULTITHREADED_BLAS, "f.py", "f", Limits(), 20.0)
        try:
            threads, error = session.call(0, "f", [], {}, "f()")
            status = Path(f"/proc/{session.worker.pid}/status").read_text()
        finally:
            session.close()
    assert threads == 2 and error < 1e-9
    assert "Threads:\t2" in status  # the BLAS thread really exists in the confined worker


# -- Landlock ----------------------------------------------------------------------------------------------
def test_landlock_leaves_only_the_allowed_folders(tmp_path: Path) -> None:
    require_kernel_layers()
    own, secret = tmp_path / "own", tmp_path / "secret"
    own.mkdir()
    secret.mkdir()
    (secret / "answer.py").write_text("42")

    def confined() -> int:
        landlock.enforce(landlock.prepare(landlock.abi_version(), worker_read_roots(), [str(own)]))
        (own / "scratch.txt").write_text("mine")
        assert (own / "scratch.txt").read_text() == "mine"
        import json  # noqa: F401  (the standard library stays importable)

        refused = [
            errno_of(lambda: open(secret / "answer.py").read()),
            errno_of(lambda: os.listdir(secret)),
            errno_of(lambda: os.open("answer.py", os.O_RDONLY, dir_fd=os.open(secret, os.O_PATH))),
            errno_of(lambda: os.open(str(secret / "answer.py")[1:], os.O_RDONLY, dir_fd=os.open("/", os.O_PATH))),
            errno_of(lambda: open(tmp_path / "new.txt", "w")),
            errno_of(lambda: open("/proc/1/environ").read()),
            errno_of(lambda: os.kill(os.getppid(), 0)),  # scoped signals (ABI 6)
        ]
        return 0 if refused == [errno.EACCES] * 6 + [errno.EPERM] else 1

    assert in_child(confined) == ("exit", 0)


# -- uids --------------------------------------------------------------------------------------------------
def test_the_uid_range_comes_from_the_environment_or_the_default() -> None:
    assert parse_range(None) == DEFAULT_RANGE
    assert parse_range("200000-200009") == (200000, 200009)
    for bad in ("lots", "5-1", "0-10", "200000-"):
        with pytest.raises(UidRangeError):
            parse_range(bad)


def test_two_pools_never_hand_out_the_same_uid_at_once() -> None:
    if os.geteuid() != 0:
        unavailable("uid pools are used as root only: run the suite as root")
    first, second = UidPool(1_900_100_000, 1_900_100_003), UidPool(1_900_100_000, 1_900_100_003)
    held = [first.take(), second.take(), first.take(), second.take()]
    assert len({uid.uid for uid in held}) == 4
    with pytest.raises(OSError, match="in use"):
        first.take()
    held[0].release()
    assert second.take().uid == held[0].uid


# -- a run's layers ----------------------------------------------------------------------------------------
def test_a_launcher_reports_every_layer_in_force_here(tmp_path: Path) -> None:
    require_kernel_layers()
    with Launcher(base_dir=tmp_path) as launcher:
        layers = launcher.layers
    assert layers.confined and layers.seccomp and layers.landlock_abi >= landlock.SCOPES_ABI and layers.landlock_scopes
    assert layers.audit_hook and layers.separate_uids == (os.geteuid() == 0)


@pytest.mark.parametrize("off", ["seccomp", "landlock", "audit_hook", "uids", "seccomp,landlock"])
def test_a_layer_switched_off_is_recorded_as_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, off: str) -> None:
    require_kernel_layers()
    monkeypatch.setenv(OFF_VARIABLE, off)
    with Launcher(base_dir=tmp_path) as launcher:
        layers = launcher.layers
        assert _call(launcher, "def f():\n    return 6 * 7\n") == 42  # workers still run
    names = set(off.split(","))
    assert layers.seccomp == ("seccomp" not in names) and (layers.landlock_abi > 0) == ("landlock" not in names)
    assert layers.audit_hook == ("audit_hook" not in names)
    assert layers.separate_uids == (os.geteuid() == 0 and "uids" not in names)
    assert layers.confined == (not names & {"seccomp", "landlock"})


def test_a_misspelt_layer_name_is_an_error_not_a_silent_no_op() -> None:
    with pytest.raises(ValueError, match="secomp"):
        switched_off({OFF_VARIABLE: "secomp"})


def test_layers_travel_as_a_dict_with_the_confined_verdict() -> None:
    layers = SandboxLayers(seccomp=True, landlock_abi=0, landlock_scopes=False, separate_uids=True, audit_hook=True)
    assert layers.to_dict()["confined"] is False and layers.missing_kernel_layers() == ["Landlock"]
    assert SandboxLayers.from_dict(layers.to_dict()) == layers


def test_the_fork_server_names_no_folder_of_the_course_on_its_command_line_or_in_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = tmp_path / "secret-course-folder"
    monkeypatch.setenv("CI_JOB_TOKEN", "a-token-graded-code-must-not-see")
    monkeypatch.chdir(tmp_path)
    with Launcher(denied_roots=[course / "solutions"], base_dir=tmp_path) as launcher:
        launcher.layers  # noqa: B018 (reading it starts the fork server, whose /proc entries follow)
        seen = [Path(f"/proc/{launcher.process.pid}/{name}").read_bytes() for name in ("cmdline", "environ")]
        cwd = os.readlink(f"/proc/{launcher.process.pid}/cwd")
    assert not any(b"secret-course-folder" in text or b"a-token" in text for text in seen)
    assert cwd == "/"


# -- retries -----------------------------------------------------------------------------------------------
class KillingLauncher(Launcher):
    """Kills the first ``kills`` workers from outside as soon as they exist (as another program would)."""

    def __init__(self, kills: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.kills = kills

    def spawn(self, limits: Limits) -> WorkerProcess:
        worker = super().spawn(limits)
        if self.kills > 0:
            self.kills -= 1
            os.kill(worker.pid, signal.SIGKILL)
            wait_until(
                lambda: not alive(worker.pid), 5, "the killed worker to be gone"
            )  # before the load request reaches it
        return worker


def test_a_worker_killed_from_outside_while_importing_is_started_once_more(tmp_path: Path) -> None:
    with KillingLauncher(kills=1, base_dir=tmp_path) as launcher:
        session = StudentSession(launcher, "def f():\n    return 1\n", "f.py", "f", Limits(), 5.0)
        session.start()
        assert session.generation == 2 and session.call(0, "f", [], {}, "f()") == 1
        session.close()


def test_a_worker_killed_from_outside_twice_is_reported_as_that_not_as_the_students_error(tmp_path: Path) -> None:
    with KillingLauncher(kills=2, base_dir=tmp_path) as launcher:
        session = StudentSession(launcher, "x = 1\n", "f.py", "f", Limits(), 5.0)
        with pytest.raises(WorkerCrashed) as crashed:
            session.start()
    assert crashed.value.foreign and crashed.value.signal == signal.SIGKILL and session.generation == 2


def _call(launcher: Launcher, source: str) -> object:
    session = StudentSession(launcher, source, "f.py", "f", Limits(), 5.0)
    try:
        return session.call(0, "f", [], {}, "f()")
    finally:
        session.close()
