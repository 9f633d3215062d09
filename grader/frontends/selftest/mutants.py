"""Check strength by mutation: wrong variants of a reference that the checks should catch.

Each mutant changes one expression of one line inside a ``# BEGIN SOLUTION`` block (the operators
are in :mod:`grader.frontends.selftest.operators`). A mutant is *caught* when it loses at least one point;
survivors are listed with their one-line diff so the instructor can add the check that catches them.
Some survivors are equivalent to the reference (``x.T`` of a vector, ``np.maximum(b, a)``) and no
check can catch them: a mutation score below 100 % is normal.

Mutants are untrusted code like any submission: they are graded through the same sandbox, with the
assignment's checks and reference loaded once, one shared fork server, a few in parallel, and each
stopping at its first lost point (that is all "caught" needs).
"""

from __future__ import annotations

import ast
import difflib
import os
import random
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from grader.course import Assignment, Course
from grader.course.markers import SolutionBlock, solution_blocks, source_lines
from grader.engine.checks.coursecode import CourseCode
from grader.engine.checks.registry import CheckSpec
from grader.engine.grader import GradeOptions, Grader
from grader.engine.results import AssignmentResult
from grader.engine.source import Source
from grader.frontends.selftest.operators import axis_value_ids, proposals
from grader.frontends.selftest.selftest import SelfTestReport
from grader.frontends.submission import display_path
from grader.i18n import Text, msg
from grader.sandbox.launcher import Launcher

DEFAULT_MAX_MUTANTS = 100
"""Per assignment: about half of each bundled reference's mutants, ``grader check --mutants`` on the
bundled course well under two minutes on 2 cores."""
# A mutant gets this many times the reference's slowest check (at least the floor) before it counts
# as hanging: generous, because a false timeout would count a survivor as caught.
_TIMEOUT_FACTOR = 10.0
_TIMEOUT_FLOOR_S = 2.0


@dataclass(frozen=True, kw_only=True)
class Mutant:
    """One wrong variant of a reference: one expression of one line replaced."""

    number: int
    """Position in the reference's full list of mutants (stable across runs: a name for it)."""
    operator: str
    """The kind of mistake it imitates (``sign flip``, ``swapped operands``, ...)."""
    line: int
    """The changed line's number in the reference."""
    original: str
    """The line as in the reference (without its newline)."""
    mutated: str
    """The line as in the mutant."""
    source: str
    """The whole mutated file."""

    def diff(self, filename: str) -> str:
        """Unified diff of the one changed line."""
        lines = difflib.unified_diff(
            [self.original],
            [self.mutated],
            f"{filename}",
            f"{filename} (mutant {self.number}: {self.operator})",
            n=0,
            lineterm="",
        )
        return "\n".join(line.replace("@@ -1 +1 @@", f"@@ -{self.line} +{self.line} @@") for line in lines)


@dataclass(frozen=True)
class MutantOutcome:
    """What the checks made of one mutant."""

    mutant: Mutant
    caught_by: str | None
    """The first check it lost points on (None: it survived)."""
    status: str
    """That check's status (failed, error, timeout, or not_run when the assignment's time budget ran
    out), or passed for a survivor."""

    @property
    def caught(self) -> bool:
        return self.caught_by is not None


@dataclass(frozen=True, kw_only=True)
class MutationReport:
    """Mutation testing of one assignment."""

    assignment_id: str
    reference_file: str
    """The reference as shown in diffs."""
    generated: int
    """Mutants the operators produced (before the cap)."""
    outcomes: tuple[MutantOutcome, ...]
    """The mutants tested, in source order."""
    idle_checks: tuple[str, ...] = ()
    """Checks that no tested mutant makes fail (they may still catch untested ones)."""
    skipped: Text = ""
    """Why the assignment was not mutation-tested (empty when it was)."""

    @property
    def caught(self) -> int:
        return sum(outcome.caught for outcome in self.outcomes)

    @property
    def survivors(self) -> list[MutantOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.caught]

    @property
    def score(self) -> float:
        """Percent of the tested mutants that were caught."""
        return 100.0 * self.caught / len(self.outcomes) if self.outcomes else 0.0


# -- generating -----------------------------------------------------------------------------------
def generate_mutants(source: str, filename: str) -> list[Mutant]:
    """Every distinct, valid one-line mutant of ``source`` inside its solution blocks, in source order."""
    tree = ast.parse(source, filename)
    blocks = solution_blocks(source, filename)
    lines = source_lines(source)
    axis_values = axis_value_ids(tree)
    own = frozenset(node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
    slots = _slots(tree)
    seen: set[str] = set()
    mutants: list[Mutant] = []
    for node in _nodes_in_blocks(tree, blocks):
        site = _site(node, tree, slots)
        original_dump = ast.dump(site.statement)
        for operator, replacement in proposals(node, axis_values, own):
            expected = (
                ast.dump(replacement)
                if node is site.statement
                else _dump_with(slots[id(node)], replacement, site.statement)
            )
            new_line = _splice(lines, node, replacement, site, expected) if expected != original_dump else None
            if new_line is None:
                continue
            number = node.lineno  # type: ignore[attr-defined]  # _nodes_in_blocks yields only nodes with a line
            mutated = "".join(lines[: number - 1]) + new_line + "".join(lines[number:])
            if mutated in seen:
                continue
            seen.add(mutated)
            original_line = lines[number - 1].rstrip("\r\n")
            mutants.append(
                Mutant(
                    number=len(mutants) + 1,
                    operator=operator,
                    line=number,
                    original=original_line,
                    mutated=new_line.rstrip("\r\n"),
                    source=mutated,
                )
            )
    return mutants


def select_mutants(mutants: Sequence[Mutant], limit: int, seed: str) -> list[Mutant]:
    """At most ``limit`` mutants, spread over the kinds of mistake, the same ones on every run.

    Round robin over operators (each operator's mutants in a seeded random order), so a reference
    full of constants does not spend the whole budget on off-by-ones; returned in source order.
    """
    if len(mutants) <= limit:
        return list(mutants)
    rng = random.Random(seed)
    by_operator: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_operator.setdefault(mutant.operator, []).append(mutant)
    queues = [rng.sample(group, len(group)) for _, group in sorted(by_operator.items())]
    chosen: list[Mutant] = []
    while len(chosen) < limit:
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.append(queue.pop())
    return sorted(chosen, key=lambda mutant: mutant.number)


def _nodes_in_blocks(tree: ast.AST, blocks: list[SolutionBlock]) -> Iterator[ast.AST]:
    """Nodes on one line strictly inside a solution block (markers excluded), in source order.

    The parts of f-strings are left alone: they build messages, and a mutant that only changes an
    error message is one no check should catch.
    """
    in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in ast.walk(node)}

    def inside(node: ast.AST) -> bool:
        line, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        return (
            line is not None
            and line == end
            and id(node) not in in_fstrings
            and any(b.begin < line < b.end for b in blocks)
        )

    found = [node for node in ast.walk(tree) if inside(node)]
    return iter(sorted(found, key=lambda node: (node.lineno, node.col_offset, -node.end_col_offset)))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Site:
    """Where a mutated node sits: what must parse back as intended, and what may be re-parsed alone."""

    statement: ast.stmt
    """The innermost statement holding the node: after the change it must equal the intended tree."""
    path: tuple[tuple[str, int | None], ...]
    """Steps (field, index) from the top-level statement down to ``statement``."""
    first: int
    """First line of the top-level statement (its decorators included)."""
    last: int
    """Its last line."""


def _site(node: ast.AST, tree: ast.Module, slots: dict[int, _Slot]) -> _Site:
    statement, path = node, []
    while not isinstance(statement, ast.stmt):
        statement = slots[id(statement)][0]
    current: ast.AST = statement
    while id(current) in slots and slots[id(current)][0] is not tree:
        parent, field, index = slots[id(current)]
        path.append((field, index))
        current = parent
    top: ast.stmt = current  # type: ignore[assignment]
    first = min([top.lineno, *(d.lineno for d in getattr(top, "decorator_list", ()))])
    return _Site(statement, tuple(reversed(path)), first, top.end_lineno or top.lineno)


def _splice(lines: list[str], node: ast.AST, replacement: ast.AST, site: _Site, expected: str) -> str | None:
    """``node``'s line with its text replaced by ``replacement``'s, or None when the result does not
    parse back to exactly the ``expected`` statement (parentheses are added when precedence needs them).

    Only the top-level statement around the line is re-parsed: a one-line change inside it cannot
    change anything else, and parsing a function is much faster than parsing the module.
    """
    number = node.lineno  # type: ignore[attr-defined]  # _nodes_in_blocks yields only nodes with a line
    line = lines[number - 1].encode()
    start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]  # byte offsets
    before, after = "".join(lines[site.first - 1 : number - 1]), "".join(lines[number : site.last])
    for candidate in _texts(replacement):
        new_line = (line[:start] + candidate.encode() + line[end:]).decode()
        try:
            parsed = ast.parse(before + new_line + after).body
            if len(parsed) == 1 and ast.dump(_follow(parsed[0], site.path)) == expected:
                return new_line
        except (SyntaxError, AttributeError, IndexError, TypeError):  # not valid, or parsed into another shape
            continue
    return None


def _follow(node: ast.AST, path: tuple[tuple[str, int | None], ...]) -> ast.AST:
    for field, index in path:
        node = getattr(node, field) if index is None else getattr(node, field)[index]
    return node


def _texts(replacement: ast.AST) -> list[str]:
    """Source texts for ``replacement``: bare first (a tuple without its parentheses), then in parentheses."""
    text = ast.unparse(replacement)
    if isinstance(replacement, ast.Tuple) and replacement.elts:
        return [", ".join(ast.unparse(item) for item in replacement.elts), text]
    return [text, f"({text})"]


_Slot = tuple[ast.AST, str, int | None]
"""Where a node hangs in its tree: (parent, field name, index in that field's list or None)."""


def _slots(tree: ast.AST) -> dict[int, _Slot]:
    """The slot of every node of ``tree``, by node id."""
    slots: dict[int, _Slot] = {}
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if isinstance(value, ast.AST):
                slots[id(value)] = (parent, field, None)
            elif isinstance(value, list):
                slots.update(
                    (id(item), (parent, field, i)) for i, item in enumerate(value) if isinstance(item, ast.AST)
                )
    return slots


def _dump_with(slot: _Slot, replacement: ast.AST, tree: ast.AST) -> str:
    """``ast.dump(tree)`` as if the node in ``slot`` were ``replacement`` (swapped in and back out)."""
    parent, field, index = slot
    container = getattr(parent, field)
    original = container[index] if index is not None else container
    _put(parent, field, index, replacement)
    try:
        return ast.dump(tree)
    finally:
        _put(parent, field, index, original)


def _put(parent: ast.AST, field: str, index: int | None, node: ast.AST) -> None:
    if index is None:
        setattr(parent, field, node)
    else:
        getattr(parent, field)[index] = node


# -- running --------------------------------------------------------------------------------------
def default_jobs() -> int:
    """Mutants graded at once: one per core (each keeps a worker and a grading thread busy), at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def mutation_tests(
    course: Course,
    self_test: SelfTestReport,
    launcher: Launcher,
    max_mutants: int = DEFAULT_MAX_MUTANTS,
    jobs: int | None = None,
) -> list[MutationReport]:
    """Mutation-test every assignment of a self-test whose reference scored full marks."""
    reports = []
    for item in self_test.assignments:
        assignment = course.assignment(item.id)
        if item.reference is None or not item.reference.max_score or item.reference.score < item.reference.max_score:
            reports.append(
                MutationReport(
                    assignment_id=item.id,
                    reference_file=display_path(assignment.reference),
                    generated=0,
                    outcomes=(),
                    skipped=msg("selftest.skipped_reference"),
                )
            )
            continue
        reports.append(mutation_test(course, assignment, item.reference, launcher, max_mutants, jobs))
    return reports


def mutation_test(
    course: Course,
    assignment: Assignment,
    reference_result: AssignmentResult,
    launcher: Launcher,
    max_mutants: int = DEFAULT_MAX_MUTANTS,
    jobs: int | None = None,
) -> MutationReport:
    """Generate, select and grade the mutants of one assignment's reference (which scores full marks
    in ``reference_result``: its check durations set the time a mutant gets)."""
    shown = display_path(assignment.reference)
    source = assignment.reference.read_text(encoding="utf-8")
    mutants = generate_mutants(source, shown)
    chosen = select_mutants(mutants, max_mutants, f"{course.seed}:{assignment.id}")
    code = CourseCode(reuse=True)  # the checks loaded once for every grader below
    checks = Grader(course, GradeOptions(), launcher=launcher, code=code).loaded(assignment).checks
    options = GradeOptions(
        assignment_ids=(assignment.id,), timeout=_mutant_timeout(assignment, checks, reference_result), fail_fast=True
    )
    grader = Grader(course, options, launcher=launcher, code=code)
    jobs = jobs or default_jobs()

    def run(mutant: Mutant) -> MutantOutcome:
        result = grader.grade_assignment(assignment, Source(mutant.source, f"{shown} (mutant {mutant.number})"))
        lost = next((check for check in result.checks if check.status != "passed"), None)
        return MutantOutcome(mutant, lost.name if lost else None, lost.status if lost else "passed")

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = tuple(pool.map(run, chosen))
    idle = _idle_checks(
        Grader(course, replace(options, fail_fast=False), launcher=launcher, code=code),
        assignment,
        checks,
        outcomes,
        jobs,
    )
    return MutationReport(
        assignment_id=assignment.id, reference_file=shown, generated=len(mutants), outcomes=outcomes, idle_checks=idle
    )


def _mutant_timeout(assignment: Assignment, checks: Sequence[CheckSpec], reference_result: AssignmentResult) -> float:
    """Seconds every check gets with a mutant: plenty for what the reference needed, never more than
    the course allows (a check's own longer timeout included)."""
    slowest = max((check.duration_s for check in reference_result.checks), default=0.0)
    allowed = max([assignment.limits.timeout, *(spec.timeout for spec in checks if spec.timeout)])
    return min(allowed, max(_TIMEOUT_FLOOR_S, _TIMEOUT_FACTOR * slowest))


def _idle_checks(
    grader: Grader,
    assignment: Assignment,
    checks: Sequence[CheckSpec],
    outcomes: Sequence[MutantOutcome],
    jobs: int,
) -> tuple[str, ...]:
    """Checks that fail on none of the tested mutants.

    Fail-fast grading only shows the first check each mutant fails, so the checks never seen failing
    are run, without the others, against the caught mutants (quick failures first, hangs last) until
    each has failed once.
    """
    # A check reported not run caught nothing by itself.
    idle = [spec.name for spec in checks if spec.name not in {o.caught_by for o in outcomes if o.status != "not_run"}]
    order = {"failed": 0, "error": 1, "timeout": 2}
    caught = sorted((o for o in outcomes if o.caught), key=lambda o: order.get(o.status, 3))

    def failing(outcome: MutantOutcome, only: Grader) -> set[str]:
        result = only.grade_assignment(assignment, Source(outcome.mutant.source, "mutant"))
        return {check.name for check in result.checks if check.status not in ("passed", "not_run")}

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for start in range(0, len(caught), jobs):
            if not idle:
                break
            only = Grader(
                grader.course, replace(grader.options, checks=tuple(idle)), launcher=grader.launcher, code=grader.code
            )
            for names in pool.map(lambda outcome: failing(outcome, only), caught[start : start + jobs]):
                idle = [name for name in idle if name not in names]
    return tuple(idle)
