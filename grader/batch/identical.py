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

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict

from grader.grading import CheckedSource
from grader.results import CheckResult
from grader.submission import Source

MAX_ENTRIES = 512
"""Distinct files remembered per process (least recently used dropped first): a class of all-distinct
files gains nothing from more, and an entry is a few tens of kilobytes at most."""

_TEXT_FIELDS = ("message", "hint", "output", "traceback")


class IdenticalFiles:
    """Results by fingerprint of (assignment, file text, how it is graded)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.lock = threading.Lock()
        self.entries: OrderedDict[str, CheckedSource] = OrderedDict()
        self.reused = 0

    @staticmethod
    def fingerprint(assignment_id: str, source: Source, settings: dict[str, object]) -> str:
        """What the results of grading ``source`` depend on besides the course: its text, a notebook's
        line map (which cell each line came from) and the grading settings."""
        parts = [assignment_id, source.text, repr(source.line_map), json.dumps(settings, sort_keys=True, default=str)]
        digest = hashlib.sha256()
        for part in parts:
            encoded = part.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "little") + encoded)
        return digest.hexdigest()

    def get(self, fingerprint: str, filename: str) -> CheckedSource | None:
        """The results of an identical file, as if ``filename`` had been graded; None if none is known."""
        with self.lock:
            checked = self.entries.get(fingerprint)
            if checked is None:
                return None
            self.entries.move_to_end(fingerprint)
            self.reused += 1
        old = checked.filename
        if old == filename:
            return checked
        error = checked.error.replace(old, filename) if checked.error is not None else None
        return CheckedSource(tuple(_renamed(result, old, filename) for result in checked.results), error, filename)

    def put(self, fingerprint: str, checked: CheckedSource) -> None:
        with self.lock:
            self.entries[fingerprint] = checked
            self.entries.move_to_end(fingerprint)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)


def _renamed(result: CheckResult, old: str, new: str) -> CheckResult:
    """``result`` with the file name ``old`` replaced by ``new`` wherever the student's file is named."""
    changes = {name: getattr(result, name).replace(old, new) for name in _TEXT_FIELDS if old in getattr(result, name)}
    return dataclasses.replace(result, **changes) if changes else result
