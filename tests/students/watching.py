"""A `grader grade --watch` subprocess whose output lines a test (or the benchmark) can wait for."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

RESULT = re.compile(r"^(\w+) graded at \S+ in ([\d.]+) s: (\S+)$")
"""The line printed after every grade (English): assignment, seconds, score."""
_POLL_S = 0.1


class WatchProcess:
    """``python -m grader grade --watch ARGS`` with its output read line by line in a thread."""

    def __init__(self, *args: str, cwd: Path | None = None, new_session: bool = False) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader", "grade", "--watch", "--lang", "en", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=cwd,
            env={**os.environ, "COLUMNS": "200"},  # rich wraps at 80 columns in a pipe otherwise
            start_new_session=new_session,  # a process group of its own, as a terminal gives a command
        )
        self.lines: queue.Queue[str | None] = queue.Queue()  # None: the output ended (the process exited)
        self.output: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_result(self, timeout: float) -> tuple[str, float, str]:
        """(assignment id, seconds, score) of the next result line, waiting at most ``timeout`` s; fails at
        once when the watch has exited (a start that failed prints why and ends: no need to wait it out)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=min(max(0.0, deadline - time.monotonic()), _POLL_S))
            except queue.Empty:
                if self.process.poll() is not None:
                    self.reader.join(_POLL_S)  # its last lines may be on their way (a child may hold the pipe open)
                    if self.lines.empty():
                        raise AssertionError(
                            f"the watch exited with code {self.process.returncode} before a result;"
                            f" it printed:\n{self.printed()}"
                        ) from None
                    continue
                if time.monotonic() >= deadline:
                    raise AssertionError(f"no result within {timeout} s; output so far:\n{self.printed()}") from None
                continue
            if line is None:
                continue  # the end of the output: the next get finds the queue empty and the process gone
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
        self._drain()
        return code

    def printed(self) -> str:
        """Everything the watch has printed so far (what the tests have read and what waits to be read)."""
        self._drain()
        return "\n".join(self.output)

    def _drain(self) -> None:
        while not self.lines.empty():
            line = self.lines.get()
            if line is not None:
                self.output.append(line)

    def kill(self) -> None:
        """End it whatever state it is in (for a test's ``finally``)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
