"""``grader.check("<id>")`` in a notebook cell: grade the saved notebook, show the table in Jupyter.

The kernel never runs the student's code for grading: it only asks the grader, which grades the
file on disk with the public checks in sandboxed workers, exactly as ``grader grade --public-only``
would, and renders the same report (same messages, same hints) as HTML.

Where things are found (the current folder is the notebook's, where Jupyter runs it):

- the course: ``course=`` if given, else a folder passed as ``path`` that holds course.yaml, else
  the nearest course.yaml in the current folder or a folder above it (so Jupyter may run in the
  course folder or in ``assignments/<id>/``);
- the submission: ``path`` if given (a ``.py`` or ``.ipynb`` file, or a folder as for
  ``--submission``), else the folder of the saved notebook, the first of ``./<id>.ipynb`` and
  ``<course>/assignments/<id>/<id>.ipynb``; in that folder the file graded is chosen as everywhere
  (:mod:`grader.frontends.submission`): the one of ``<id>.ipynb`` and ``<id>.py`` that differs from its stub.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.jupyter import JUPYTER_HTML_FORMAT
from rich.text import Text

from grader.course import COURSE_FILE, Course, find_course, load_course
from grader.engine.grader import GradeOptions, Grader
from grader.engine.results import AssignmentResult, CheckResult, GradeReport
from grader.errors import GraderError, UsageError
from grader.frontends.report.text import print_report
from grader.frontends.submission import display_path, grade_path
from grader.i18n import msg, render, resolve_language
from grader.sandbox.launcher import Launcher

_WIDTH = 100  # columns of the rendered table (Jupyter's output area fits about 110)


class CheckProblem(GraderError):
    """Why ``grader.check`` could not grade; shown in a notebook as two lines, not a traceback."""

    def __init__(self, error: GraderError) -> None:
        super().__init__(error.message, error.fix)
        self.exit_code = error.exit_code

    def _render_traceback_(self) -> list[str]:
        """IPython shows these lines instead of the grader's own stack (which is no help to a student)."""
        return [f"\x1b[1;31merror:\x1b[0m {self.message}", *([f"  fix: {self.fix}"] if self.fix else [])]


@dataclass(frozen=True)
class Feedback:
    """One ``grader.check`` result: renders as a table in Jupyter, and carries the numbers."""

    report: GradeReport
    """The whole report (one assignment, public checks)."""
    saved_at: datetime | None
    """When the graded file was last saved (None when there was no file)."""

    @property
    def result(self) -> AssignmentResult:
        """The assignment's result."""
        return self.report.assignments[0]

    @property
    def score(self) -> float:
        return self.result.score

    @property
    def max_score(self) -> float:
        return self.result.max_score

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        return self.result.checks

    def _record(self) -> Console:
        # force_jupyter=False: in a kernel, rich would otherwise display every print at once (escape codes in its
        # text/plain), and the cell's result would show the table a second time.
        console = Console(
            record=True,
            width=_WIDTH,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            force_jupyter=False,
        )
        print_report(self.report, console, box=box.SIMPLE_HEAD)
        if self.saved_at is not None:
            saved = msg("notebook.graded_file", file=self.result.file, saved=self.saved_at.strftime("%H:%M:%S"))
            console.print(Text(render(saved, self.report.language), style="dim"))
        return console

    def _repr_html_(self) -> str:
        return self._record().export_html(inline_styles=True, code_format=JUPYTER_HTML_FORMAT)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        console = self._record()
        html = console.export_html(inline_styles=True, code_format=JUPYTER_HTML_FORMAT, clear=False)
        return {"text/plain": console.export_text(), "text/html": html}

    def __str__(self) -> str:
        return self._record().export_text()

    def __repr__(self) -> str:
        return f"<Feedback {self.result.id}: {self.score:g}/{self.max_score:g}>"


def check_notebook(
    assignment_id: str,
    path: str | Path | None = None,
    *,
    course: str | Path | None = None,
    lang: str | None = None,
    cwd: Path | None = None,
) -> Feedback:
    """Grade ``assignment_id`` with its public checks (see the module docstring for what is found where)."""
    try:
        return _check(assignment_id, path, course, lang, Path(cwd or Path.cwd()))
    except GraderError as error:
        raise CheckProblem(error) from None


def _check(
    assignment_id: str, path: str | Path | None, course_dir: str | Path | None, lang: str | None, cwd: Path
) -> Feedback:
    given = _existing(cwd, path, lang) if path is not None else None
    if course_dir is None and given is not None and (given / COURSE_FILE).is_file():
        course_dir, given = given, None
    root = _existing(cwd, course_dir, lang) if course_dir is not None else _nearest_course(cwd, assignment_id, lang)
    course = load_course(root)
    language = resolve_language(lang, course.language)
    # The notebook's folder, not the notebook itself: the file graded there follows the one rule of every
    # command (grader.frontends.submission), so a student who worked in <id>.py sees what the autograder will grade.
    submission = given if given is not None else saved_notebook(course, assignment_id, cwd, language).parent
    options = GradeOptions(assignment_ids=(assignment_id,), public_only=True, language=language)
    with Launcher(denied_roots=course.instructor_only) as launcher:
        report = grade_path(Grader(course, options, launcher=launcher), submission)
    graded = report.assignments[0].file  # as display_path wrote it: relative to the process's folder
    return Feedback(report, _saved_at(Path(graded)) if graded else None)


def _nearest_course(start: Path, assignment_id: str, lang: str | None) -> Path:
    """The nearest folder, from ``start`` upwards, that holds course.yaml (as ``grader grade`` finds it)."""
    found = find_course(start)
    if found is not None:
        return found
    language = resolve_language(lang, None)
    raise UsageError(
        render(msg("notebook.no_course", folder=start), language),
        render(msg("notebook.no_course_hint", id=assignment_id), language),
    )


def saved_notebook(course: Course, assignment_id: str, cwd: Path, language: str) -> Path:
    """The student's saved ``<id>.ipynb``: in the current folder, else in the course's assignment folder."""
    places = [cwd / f"{assignment_id}.ipynb", course.root / "assignments" / assignment_id / f"{assignment_id}.ipynb"]
    for place in places:
        if place.is_file():
            return place
    where = ", ".join(display_path(place) for place in dict.fromkeys(places))
    raise UsageError(
        render(msg("notebook.not_found", id=assignment_id, places=where), language),
        render(msg("notebook.not_found_hint", id=assignment_id), language),
    )


def _existing(cwd: Path, path: str | Path, lang: str | None) -> Path:
    resolved = cwd / Path(path).expanduser()
    if not resolved.exists():
        language = resolve_language(lang, None)
        raise UsageError(
            render(msg("notebook.no_such_path", path=path), language),
            render(msg("notebook.no_such_path_hint", cwd=cwd), language),
        )
    return resolved


def _saved_at(graded: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(graded.stat().st_mtime)
    except OSError:
        return None
