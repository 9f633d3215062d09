"""Check results of submission files already graded in this process, reused for identical files.

In a class, many files are byte-for-byte the same: the unchanged stub of an assignment a student
skipped, a file handed in twice, a shared copy. Grading is a function of the file's text and the
course (every check's inputs come from seeds fixed by the course, the assignment and the check), so
an identical file gets the results its twin got, with the file's own name put back into messages,
tracebacks and output. Results that depended on the machine rather than on the code (a check that
timed out, a worker that crashed or was killed) are never reused: the next identical file is graded
afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from grader.engine.grader import CheckedSource

MAX_ENTRIES = 512
"""Distinct files remembered per process (least recently used dropped first): a class of all-distinct
files gains nothing from more, and an entry is a few tens of kilobytes at most."""


class IdenticalFiles:
    """The engine's :class:`~grader.engine.grader.ResultCache` for a batch: results by the engine's fingerprint
    of (assignment, file text, how it is graded), the least recently used dropped first, reuses counted."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.lock = threading.Lock()
        self.entries: OrderedDict[str, CheckedSource] = OrderedDict()
        self.reused = 0

    def get(self, key: str) -> CheckedSource | None:
        """The results stored under ``key`` (the engine renames them for the file asking); None if none."""
        with self.lock:
            checked = self.entries.get(key)
            if checked is not None:
                self.entries.move_to_end(key)
                self.reused += 1
            return checked

    def put(self, key: str, checked: CheckedSource) -> None:
        with self.lock:
            self.entries[key] = checked
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
