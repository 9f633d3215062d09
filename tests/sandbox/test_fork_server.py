"""The fork server's own life: a signal to it (or to the whole process group) ends it through its cleanup."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from grader.sandbox.launcher import Launcher
from grader.sandbox.limits import Limits
from tests.waiting import alive, wait_until


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_fork_server_told_to_stop_kills_its_workers_and_removes_their_folders(tmp_path: Path, signum: int) -> None:
    launcher = Launcher(base_dir=tmp_path)
    try:
        worker = launcher.spawn(Limits())
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("grader-worker-")]
        os.kill(launcher.process.pid, signum)
        launcher.process.wait(timeout=5)
        wait_until(lambda: not alive(worker.pid), 5, "its worker to be gone")
        assert not [p for p in tmp_path.iterdir() if p.name.startswith("grader-")]
        assert launcher.process.returncode == 0  # it left through its cleanup, not killed by the signal
    finally:
        launcher.control.close()  # the server is gone; close() would only wait for it
