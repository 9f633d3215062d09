"""The trusted code of a course as the grading pipeline gets it: check specs and reference modules.

``grader grade`` loads both afresh for every run (a course being edited is always seen as it is now).
A batch grades hundreds of submissions against one fixed course, so it loads each file once per
grading process and memoizes the reference (see :mod:`grader.engine.checks.refcache`).
"""

from __future__ import annotations

from types import ModuleType

from grader.course import Assignment
from grader.engine.checks.loader import load_checks, load_reference
from grader.engine.checks.refcache import DEFAULT_MAX_BYTES, MemoizedModule, ReferenceCache
from grader.engine.checks.registry import CheckSpec
from grader.engine.checks.signatures import Signatures, assignment_signatures


class CourseCode:
    """Loads check files and references; with ``reuse`` keeps them, with ``memoize`` caches reference calls."""

    def __init__(self, reuse: bool = False, memoize: bool = False, cache_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.reuse = reuse or memoize  # a memo outliving one submission needs the module it wraps to stay
        self.cache = ReferenceCache(cache_bytes) if memoize else None
        self._checks: dict[tuple[str, bool], list[CheckSpec]] = {}
        self._references: dict[str, ModuleType | MemoizedModule] = {}
        self._signatures: dict[str, Signatures] = {}

    def checks(self, assignment: Assignment, include_hidden: bool) -> list[CheckSpec]:
        """The assignment's checks, public first (as :func:`grader.engine.checks.loader.load_checks`)."""
        key = (assignment.id, include_hidden)
        if not self.reuse or key not in self._checks:
            self._checks[key] = load_checks(assignment, include_hidden)
        return self._checks[key]

    def reference(self, assignment: Assignment) -> ModuleType | MemoizedModule:
        """The assignment's reference module (memoized when asked)."""
        if not self.reuse or assignment.id not in self._references:
            module = load_reference(assignment)
            self._references[assignment.id] = MemoizedModule(module, self.cache) if self.cache is not None else module
        return self._references[assignment.id]

    def signatures(self, assignment: Assignment) -> Signatures:
        """The parameter names of the assignment's functions (:mod:`grader.engine.checks.signatures`)."""
        if not self.reuse or assignment.id not in self._signatures:
            self._signatures[assignment.id] = assignment_signatures(assignment)
        return self._signatures[assignment.id]
