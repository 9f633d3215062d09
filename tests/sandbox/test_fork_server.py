"""The fork server's own life: a signal to it (or to the whole process group) ends it through its cleanup."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from grader.sandbox.launcher import Launcher
from grader.sandbox.limits import Limits


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_fork_server_told_to_stop_kills_its_workers_and_removes_their_folders(tmp_path: Path, signum: int) -> None:
    launcher = Launcher(base_dir=tmp_path)
    try:
        worker = launcher.spawn(Limits())
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("grader-worker-")]
        os.kill(launcher.process.pid, signum)
        launcher.process.wait(timeout=5)
        deadline = time.monotonic() + 5
        while _alive(worker.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not _alive(worker.pid)
        assert not [p for p in tmp_path.iterdir() if p.name.startswith("grader-")]
        assert launcher.process.returncode == 0  # it left through its cleanup, not killed by the signal
    finally:
        launcher.control.close()  # the server is gone; close() would only wait for it


def _alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (the fork server's child is reaped by it, or by init)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
