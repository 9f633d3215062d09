"""Starting a submission in its worker, and saying once why it could not start.

Importing the student's module runs their top-level code: a syntax error, an exception, a hang or a
crash there stops every check of the assignment. What went wrong becomes one :class:`Unusable`, with
the student's line quoted (a caret under a syntax error's column), in notebook cell terms for a notebook.
"""

from __future__ import annotations

from grader.engine.checks.runner import crash_problem, timeout_problem
from grader.engine.excerpt import excerpt
from grader.engine.lines import import_problem
from grader.engine.source import Source
from grader.engine.unusable import Unusable
from grader.i18n import Msg, msg
from grader.sandbox.errors import SandboxError, StudentError, WorkerCrashed, WorkerTimeout
from grader.sandbox.session import StudentSession


def start(session: StudentSession, source: Source, language: str, memory_mb: int) -> Unusable | None:
    """Import the submission in its worker; the problem to report if that fails."""
    notebook = source.line_map is not None  # "run `python x.ipynb`" would be no help
    hint = msg("notebook.import_failed_hint") if notebook else msg("check.import_failed_hint", file=source.filename)
    try:
        session.start()
    except StudentError as error:
        return import_failure(error, source, language, hint)
    except WorkerTimeout as timeout:
        return Unusable(timeout_problem(timeout)[0], hint)
    except WorkerCrashed as crash:
        problem, own_hint = crash_problem(crash, memory_mb)
        return Unusable(problem, own_hint if crash.foreign else hint)  # a kill from outside is nothing to "fix first"
    except SandboxError as error:
        return Unusable(msg("check.import_failed", error=str(error)), hint)
    return None


def import_failure(error: StudentError, source: Source, language: str, hint: Msg) -> Unusable:
    """The submission raised ``error`` while it was imported."""
    quoted = excerpt(source.text, error.line, error.column) if error.line is not None else ""
    if source.line_map is not None:
        message, notebook_hint = import_problem(source.line_map, error, source.filename, language)
        return Unusable(message, notebook_hint, quoted)
    if error.line is not None:
        return Unusable(msg("check.import_failed_at", error=str(error), line=error.line), hint, quoted, error.line)
    return Unusable(msg("check.import_failed", error=str(error)), hint)
