"""Running one check: inject its arguments, time it, and turn whatever happens into a CheckResult.

This is where every way a check can end is mapped to a status and a student-facing message: a
failed expectation, the student's exception, a missing function, a timeout, a crashed worker, or a
check that could not use what the student returned.
"""

from __future__ import annotations

import hashlib
import signal
import time
from dataclasses import KW_ONLY, dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from grader.engine.checks.budget import Budget
from grader.engine.checks.calls import recording_calls
from grader.engine.checks.cases import collecting_cases
from grader.engine.checks.failure import CheckFailure
from grader.engine.checks.oracle import oracle
from grader.engine.checks.registry import CheckSpec
from grader.engine.checks.signatures import Signatures
from grader.engine.results import CheckResult, Status
from grader.engine.scoring import check_score
from grader.i18n import Msg, Text, msg, render
from grader.sandbox.errors import (
    Activity,
    MissingName,
    SkippedCall,
    StaleObject,
    StudentError,
    WorkerCrashed,
    WorkerTimeout,
)
from grader.sandbox.launcher import SandboxUnavailable
from grader.sandbox.proxy import StudentModule
from grader.sandbox.session import StudentSession


@dataclass(frozen=True, kw_only=True)
class CheckContext:
    """Everything a check of one assignment may be given, and how to report it."""

    session: StudentSession
    """The sandboxed submission."""
    reference: ModuleType | None
    """The reference solution (None when hidden checks do not run)."""
    seed: int
    """The course seed."""
    assignment_id: str
    """Part of every check's seed."""
    default_timeout: float
    """Seconds a check may spend in the student's code unless it says otherwise."""
    memory_mb: int
    """The worker's memory limit, named in the hint of a MemoryError."""
    language: str
    """Language of the messages."""
    budget: Budget
    """The assignment's time budget: no check's calls may run past it."""
    signatures: Signatures = field(default_factory=dict)
    """Parameter names of the assignment's functions, for writing out the calls a failing value came from."""
    student: StudentModule = field(init=False)
    """What checks receive as ``student``: one for all the checks, so a function is looked up once per
    worker, not once per check (a lookup is a round trip)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "student", StudentModule(self.session))


@dataclass(frozen=True)
class _Outcome:
    status: Status
    message: Text | None = None
    hint: Text | None = None
    _: KW_ONLY  # status, message, hint read well in order; where the student's code was does not
    traceback: str = ""
    line: int | None = None
    not_implemented: str = ""


def check_seed(course_seed: int, assignment_id: str, check_name: str) -> np.random.SeedSequence:
    """A seed that depends only on these three values: the same on every run and machine."""
    digest = hashlib.sha256(f"{course_seed}\0{assignment_id}\0{check_name}".encode()).digest()
    return np.random.SeedSequence(int.from_bytes(digest[:16], "little"))


def run_check(spec: CheckSpec, context: CheckContext) -> CheckResult:
    """Run ``spec`` within its time limit, or what is left of the assignment's budget if that is less."""
    limit = spec.timeout or context.default_timeout
    seconds = min(limit, context.budget.left_s())
    arguments = {
        "student": context.student,
        "reference": context.reference,
        "oracle": oracle(context.reference, context.student),
        "rng": np.random.default_rng(check_seed(context.seed, context.assignment_id, spec.name)),
    }
    started = time.perf_counter()
    with (
        context.session.check_scope(seconds, spec.numpy_errors, spec.name),
        collecting_cases() as cases,
        recording_calls(context.signatures),
    ):
        outcome = _run(spec, {name: arguments[name] for name in spec.wants}, context, budget_cut=seconds < limit)
    kept = cases.failure()
    if kept is not None:  # the first failure happened before whatever ended the check
        outcome = _Outcome("failed", kept.message, kept.hint)
    return _result(spec, outcome, time.perf_counter() - started, context)


def failed_without_running(
    spec: CheckSpec,
    message: Text,
    hint: Text | None,
    language: str,
    line: int | None = None,
) -> CheckResult:
    """The result of a check that could not run because the whole submission is unusable."""
    return _zero_result(spec, "error", message, language, hint=render(hint, language), line=line)


def not_run_result(spec: CheckSpec, message: Text, language: str, blocked_by: str = "") -> CheckResult:
    """The result of a check that was not attempted (``message`` says why; ``blocked_by`` names the
    failed check it depends on, if that is why); no hint: the fix belongs to whatever stopped it,
    which has its own row."""
    return _zero_result(spec, "not_run", message, language, blocked_by=blocked_by)


def _zero_result(spec: CheckSpec, status: Status, message: Text, language: str, **details: Any) -> CheckResult:
    """A check that scores nothing without having run: its row says ``status`` and ``message``."""
    return CheckResult(
        name=spec.name,
        description=render(spec.description, language),
        score=0.0,
        max_score=spec.points,
        status=status,
        visibility=spec.visibility,
        message=render(message, language),
        **details,
    )


def _run(spec: CheckSpec, arguments: dict[str, Any], context: CheckContext, budget_cut: bool) -> _Outcome:
    """The outcome of calling the check; ``budget_cut``: its time was cut short to what was left of the
    assignment's budget (a timeout then says so)."""
    try:
        spec.function(**arguments)
    except CheckFailure as failure:
        return _Outcome("failed", failure.message, failure.hint)
    except StudentError as error:
        return _student_error(error, context)
    except MissingName as missing:
        return _Outcome("failed", msg("check.missing_name", name=missing.name), msg("check.missing_name_hint"))
    except WorkerTimeout as timeout:
        if budget_cut:
            return _Outcome("timeout", *budget_problem(timeout, context.budget))
        return _Outcome("timeout", *timeout_problem(timeout))
    except SkippedCall as skipped:
        return _Outcome("not_run", msg("check.skipped_unfinished", name=skipped.function, check=skipped.check))
    except WorkerCrashed as crash:
        return _crash(crash, context)
    except SandboxUnavailable:
        raise  # the grader's problem, not this check's: the run stops with its message
    except (StaleObject, AssertionError, Exception) as exc:  # the check could not use what it got
        return _Outcome(
            "error",
            msg("check.unusable_result", error=f"{type(exc).__name__}: {exc}"),
            msg("check.unusable_result_hint"),
        )
    return _Outcome("passed")


def _student_error(error: StudentError, context: CheckContext) -> _Outcome:
    if error.is_instance_of(NotImplementedError):
        return _Outcome(
            "failed",
            msg("check.not_implemented", name=error.call),
            msg("check.not_implemented_hint"),
            traceback=error.traceback,
            line=error.line,
            not_implemented=error.call,
        )
    if error.is_instance_of(SystemExit):
        return _Outcome(
            "error", msg("check.system_exit"), msg("check.system_exit_hint"), traceback=error.traceback, line=error.line
        )
    if error.is_instance_of(FloatingPointError):
        return _Outcome(
            "error",
            msg("check.numpy_error", error=error.message),
            msg("check.numpy_error_hint"),
            traceback=error.traceback,
            line=error.line,
        )
    hint = (
        msg("check.memory_hint", mb=context.memory_mb)
        if error.is_instance_of(MemoryError)
        else msg("check.student_raised_hint")
    )
    return _Outcome(
        "error", msg("check.student_raised", error=str(error)), hint, traceback=error.traceback, line=error.line
    )


def _crash(crash: WorkerCrashed, context: CheckContext) -> _Outcome:
    return _Outcome("error", *crash_problem(crash, context.memory_mb))


def crash_problem(crash: WorkerCrashed, memory_mb: int) -> tuple[Msg, Msg]:
    """Message and hint for a worker that died or broke the protocol (in a check or at import)."""
    during = _during(crash.during)
    if crash.malformed:
        return msg("check.malformed_reply", during=during), msg("check.malformed_reply_hint")
    if crash.signal == signal.SIGXCPU:
        return msg("check.cpu_limit", during=during), msg("check.timeout_hint")
    if crash.signal is not None:  # always so when foreign: only a signal comes from outside
        name = signal.Signals(crash.signal).name
        if crash.foreign:
            return msg("check.killed_from_outside", during=during, signal=name), msg("check.killed_from_outside_hint")
        return msg("check.killed", during=during, signal=name), msg("check.killed_hint", mb=memory_mb)
    return msg("check.exited", during=during, code=crash.exit_code), msg("check.exited_hint")


def timeout_problem(timeout: WorkerTimeout) -> tuple[Msg, Msg]:
    """Message and hint for student code that did not answer in time."""
    return msg("check.timeout", seconds=f"{timeout.seconds:g}", during=_during(timeout.during)), msg(
        "check.timeout_hint"
    )


def budget_problem(timeout: WorkerTimeout, budget: Budget) -> tuple[Msg, Msg]:
    """Message and hint for student code stopped because the assignment's time budget ran out."""
    return msg("check.budget_ran_out", seconds=f"{budget.seconds:g}", during=_during(timeout.during)), msg(
        "check.timeout_hint"
    )


def _during(activity: Activity) -> Msg:
    return msg(f"check.during_{activity.action}", name=activity.name)


def _result(spec: CheckSpec, outcome: _Outcome, duration: float, context: CheckContext) -> CheckResult:
    language = context.language
    return CheckResult(
        name=spec.name,
        description=render(spec.description, language),
        score=check_score(outcome.status, spec.points),
        max_score=spec.points,
        status=outcome.status,
        visibility=spec.visibility,
        message=render(outcome.message, language),
        hint=render(outcome.hint, language),
        duration_s=round(duration, 4),
        output=context.session.take_output(),
        traceback=outcome.traceback,
        line=outcome.line,
        not_implemented=outcome.not_implemented,
    )
