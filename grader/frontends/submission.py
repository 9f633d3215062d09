"""Finding and reading a student's files for the assignments being graded.

A submission is a folder in the course layout (``<id>/<id>.py``), a flat folder of ``<id>.py``
files, or a single ``.py`` file when exactly one assignment is graded. Wherever a ``.py`` file is
accepted, a Jupyter notebook ``<id>.ipynb`` is too (read by :mod:`grader.frontends.notebook`).

Which file is the answer (a release ships both stubs, ``<id>.py`` and ``<id>.ipynb``) is decided by
content, never by file times (see :mod:`grader.course.stubs` for why): the file that differs from the
published stub. When both differ, course.yaml's ``submit: py|ipynb`` for the assignment decides;
without it the assignment is not graded, and the message names both files and how to choose
(``--submission``). When neither differs, or the file is empty, the assignment was not submitted.
The same rule serves ``grader grade``, ``grader batch``, ``grader.check()`` in a notebook, CI and the
autograder bundle, because all of them find files here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from grader.course import Assignment, Course
from grader.course.stubs import EMPTY_FINGERPRINT, code_fingerprint, stub_fingerprints
from grader.engine.grader import Grader
from grader.engine.results import GradeReport
from grader.engine.source import NoSource, Source, Submitted
from grader.engine.unusable import Unusable
from grader.errors import UsageError
from grader.frontends.notebook.errors import NotebookError
from grader.i18n import Msg, msg

SUFFIXES = (".py", ".ipynb")
"""File types a submission may have."""
MAX_STUB_BYTES = 1 << 20
"""A file larger than this is never taken for a stub (and is not read just to compare it with one)."""

State = Literal["answer", "missing", "stub", "empty", "ambiguous"]
"""What was found: a file to grade; no file; only the unchanged published stub; only empty files; or
both .py and .ipynb changed with nothing to choose between them."""


@dataclass(frozen=True, kw_only=True)
class SubmissionFile:
    """Where one assignment's submission is (or was looked for), and whether there is anything to grade."""

    assignment_id: str
    """The assignment it answers."""
    path: Path | None
    """The file to grade; None when there is none (``state`` says why)."""
    expected: str
    """Where it was looked for, as shown to the student when it is missing."""
    note: Msg | None = None
    """Something the student should know about the choice of file (both .py and .ipynb exist)."""
    state: State = "answer"
    """answer (grade ``path``), missing, stub, empty, or ambiguous."""
    problem: Msg | None = None
    """For a file that is not graded (stub, empty, ambiguous): what to tell the student, and ``hint`` what to do."""
    hint: Msg | None = None
    """What to do about ``problem``."""

    @property
    def display_name(self) -> str:
        """The file name as the student knows it (relative to the current folder when possible)."""
        assert self.path is not None
        return display_path(self.path)

    @property
    def submitted(self) -> bool:
        """Whether the student handed in anything of their own (an unchanged stub or an empty file is nothing)."""
        return self.state in ("answer", "ambiguous")


def locate(course: Course, assignment_ids: Sequence[str], submission: Path | None) -> dict[str, SubmissionFile]:
    """The submission file of every assignment in ``assignment_ids``."""
    root = Path(submission) if submission is not None else course.root / "assignments"
    if not root.exists():
        raise UsageError(
            f"{root}: no such file or folder",
            "pass --submission a folder of <id>.py (or <id>.ipynb) files, or one such file",
        )
    stubs = stub_fingerprints(course)
    if root.is_file():
        return {assignment_ids[0]: _single_file(root, assignment_ids, stubs.get(assignment_ids[0]))}
    return {
        assignment_id: _in_folder(root, course.assignment(assignment_id), stubs.get(assignment_id))
        for assignment_id in assignment_ids
    }


def grade_path(grader: Grader, submission: Path | None) -> GradeReport:
    """``grader``'s report of the files found at ``submission`` (a folder or one file; None: the course's
    own assignments/), one per assignment it grades."""
    return grader.grade(read_submission(grader.course, grader.assignment_ids, submission))


def read_submission(course: Course, assignment_ids: Sequence[str], submission: Path | None) -> dict[str, Submitted]:
    """What the engine grades for each assignment of ``assignment_ids``: the code of the file the rule
    chooses, or why there is nothing to grade (no file, the unchanged stub, an unreadable file)."""
    return {
        assignment_id: read_file(file) for assignment_id, file in locate(course, assignment_ids, submission).items()
    }


def read_file(file: SubmissionFile) -> Submitted:
    """``file``'s code, or why it cannot be graded."""
    if file.path is None:
        return NoSource(_nothing_to_grade(file), submitted=file.submitted)
    notes = (file.note,) if file.note is not None else ()
    try:
        return read_source(file)
    except (OSError, UnicodeDecodeError) as exc:
        problem = Unusable(
            msg("check.unreadable", file=file.display_name, error=str(exc)), msg("check.unreadable_hint")
        )
    except NotebookError as exc:
        problem = Unusable(
            msg("notebook.invalid", file=file.display_name, problem=exc.problem), msg("notebook.invalid_hint")
        )
    return NoSource(problem, file=file.display_name, notes=notes)


def _nothing_to_grade(file: SubmissionFile) -> Unusable:
    """Why no file of ``file``'s assignment is graded (missing, the unchanged stub, empty, or two answers), and what to
    do."""
    if file.problem is not None and file.hint is not None:
        return Unusable(file.problem, file.hint)
    return Unusable(
        msg("check.no_submission", expected=file.expected), msg("check.no_submission_hint", expected=file.expected)
    )


def read_source(file: SubmissionFile) -> Source:
    """The file's code (UnicodeDecodeError, OSError and, for a notebook, NotebookError propagate)."""
    assert file.path is not None
    notes = (file.note,) if file.note is not None else ()
    if file.path.suffix == ".ipynb":
        from grader.frontends.notebook.source import notebook_source  # nbformat is imported only for notebooks

        source = notebook_source(file.path, file.display_name)
        return Source(source.text, source.filename, source.line_map, notes + source.notes)
    return Source(file.path.read_text(encoding="utf-8"), file.display_name, notes=notes)


def display_path(path: Path) -> str:
    """Relative to the current folder when the file is inside it, else absolute."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def _single_file(path: Path, assignment_ids: Sequence[str], stub: str | None) -> SubmissionFile:
    if len(assignment_ids) != 1:
        raise UsageError(
            f"--submission {path} is one file, but {len(assignment_ids)} assignments are being graded",
            "name the assignment it answers, e.g. `grader grade conv --submission conv.py`",
        )
    if path.suffix not in SUFFIXES:
        raise UsageError(
            f"--submission {path}: not a .py or .ipynb file", "pass the Python file or the notebook you wrote"
        )
    return _one_file(assignment_ids[0], path, display_path(path), stub, other=None)


def candidate_paths(folder: Path, assignment_id: str) -> list[Path]:
    """Every place a submission is looked for in ``folder``: course layout first, then flat."""
    places = [folder / assignment_id / assignment_id, folder / assignment_id]
    return [place.with_name(place.name + suffix) for place in places for suffix in SUFFIXES]


def _in_folder(folder: Path, assignment: Assignment, stub: str | None) -> SubmissionFile:
    candidates = candidate_paths(folder, assignment.id)
    expected = " or ".join(display_path(path) for path in candidates)
    for index in range(0, len(candidates), len(SUFFIXES)):
        found = [path for path in candidates[index : index + len(SUFFIXES)] if path.is_file()]
        if len(found) == 1:
            return _one_file(
                assignment.id, found[0], expected, stub, other=found[0].with_suffix(_other_suffix(found[0]))
            )
        if found:
            return _choose(assignment, found[0], found[1], expected, stub)
    return SubmissionFile(assignment_id=assignment.id, path=None, expected=expected, state="missing")


def _one_file(assignment_id: str, path: Path, expected: str, stub: str | None, other: Path | None) -> SubmissionFile:
    """The only file found: graded, unless it is the unchanged stub or empty."""
    state = _state(path, stub)
    if state == "answer":
        return SubmissionFile(assignment_id=assignment_id, path=path, expected=expected)
    problem, hint = _not_submitted(state, path, other)
    return SubmissionFile(
        assignment_id=assignment_id, path=None, expected=expected, state=state, problem=problem, hint=hint
    )


def _choose(assignment: Assignment, py: Path, ipynb: Path, expected: str, stub: str | None) -> SubmissionFile:
    """Both <id>.py and <id>.ipynb in one place: the one that differs from the stub (see the module docstring)."""
    states = {py: _state(py, stub), ipynb: _state(ipynb, stub)}
    answers = [path for path in (py, ipynb) if states[path] == "answer"]
    if len(answers) == 1:
        chosen = answers[0]
        other = ipynb if chosen == py else py
        note = msg("submission.chose_changed", chosen=display_path(chosen), other=display_path(other))
        return SubmissionFile(assignment_id=assignment.id, path=chosen, expected=expected, note=note)
    if len(answers) == 2 and assignment.submit is not None:
        chosen = py if assignment.submit == "py" else ipynb
        other = ipynb if chosen == py else py
        note = msg(
            "submission.chose_by_course",
            chosen=display_path(chosen),
            other=display_path(other),
            submit=assignment.submit,
        )
        return SubmissionFile(assignment_id=assignment.id, path=chosen, expected=expected, note=note)
    if len(answers) == 2:
        names = {"id": assignment.id, "py": display_path(py), "ipynb": display_path(ipynb)}
        return SubmissionFile(
            assignment_id=assignment.id,
            path=None,
            expected=expected,
            state="ambiguous",
            problem=msg("submission.ambiguous", **names),
            hint=msg("submission.ambiguous_hint", **names),
        )
    state: State = "stub" if "stub" in states.values() else "empty"
    shown = py if states[py] == state else ipynb
    problem, hint = _not_submitted(state, shown, ipynb if shown == py else py)
    return SubmissionFile(
        assignment_id=assignment.id, path=None, expected=expected, state=state, problem=problem, hint=hint
    )


def _not_submitted(state: State, path: Path, other: Path | None) -> tuple[Msg, Msg]:
    """What to tell a student whose file is the unchanged stub, or empty."""
    shown = display_path(path)
    hint = (
        msg("submission.write_in", file=shown, other=display_path(other))
        if other is not None
        else msg("submission.write_in_one", file=shown)
    )
    return msg(f"submission.{state}", file=shown), hint


def _state(path: Path, stub: str | None) -> State:
    """answer, stub or empty, from the file's code; a file that cannot be read is an answer (grading says why)."""
    try:
        if path.stat().st_size > MAX_STUB_BYTES:
            return "answer"
        fingerprint = code_fingerprint(_code(path))
    except (OSError, UnicodeDecodeError, ValueError):
        return "answer"
    if fingerprint == EMPTY_FINGERPRINT:
        return "empty"
    return "stub" if fingerprint == stub else "answer"


def _code(path: Path) -> str:
    """The Python code of a .py file or, as it is graded, of a notebook's code cells."""
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    from grader.frontends.notebook.convert import notebook_module  # nbformat is imported only for notebooks
    from grader.frontends.notebook.read import read_notebook

    try:
        return notebook_module(read_notebook(path)).text
    except NotebookError as error:  # not a notebook, so not the stub either: grading reports what is wrong
        raise ValueError(str(error)) from None


def _other_suffix(path: Path) -> str:
    return ".ipynb" if path.suffix == ".py" else ".py"
