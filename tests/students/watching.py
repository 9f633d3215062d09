"""A `grader grade --watch` subprocess whose output lines a test (or the benchmark) can wait for."""

from __future__ import annotations

import queue
import re
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

RESULT = re.compile(r"^(\w+) graded at \S+ in ([\d.]+) s: (\S+)$")
"""The line printed after every grade (English): assignment, seconds, score."""


class WatchProcess:
    """``python -m grader grade --watch ARGS`` with its output read line by line in a thread."""

    def __init__(self, *args: str, cwd: Path | None = None, new_session: bool = False) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader", "grade", "--watch", "--lang", "en", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, cwd=cwd,
            env={**os.environ, "COLUMNS": "200"},  # rich wraps at 80 columns in a pipe otherwise
            start_new_session=new_session,  # a process group of its own, as a terminal gives a command
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_result(self, timeout: float) -> tuple[str, float, str]:
        """(assignment id, seconds, score) of the next result line, waiting at most ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no result within {timeout} s; output so far:\n" + "\n".join(self.output)) from None
            self.output.append(line)
            match = RESULT.match(line)
            if match:
                return match.group(1), float(match.group(2)), match.group(3)

    def interrupt(self, timeout: float) -> int:
        """Ctrl-C: SIGINT, then the exit code (the rest of the output is read into ``output``)."""
        return self.stop(signal.SIGINT, timeout)

    def stop(self, signum: int, timeout: float, group: bool = False) -> int:
        """Send ``signum`` to the process (or, with ``group``, to its whole process group, as a terminal
        does); the exit code, which must come within ``timeout`` seconds (the rest of the output is read
        into ``output``)."""
        if group:
            os.killpg(self.process.pid, signum)
        else:
            self.process.send_signal(signum)
        code = self.process.wait(timeout=timeout)
        self.reader.join(10)
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return code

    def kill(self) -> None:
        """End it whatever state it is in (for a test's ``finally``)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
