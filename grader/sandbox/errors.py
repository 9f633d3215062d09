"""What can go wrong on the student's side of the sandbox, as seen by the trusted parent."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass


class SandboxError(Exception):
    """Base of everything the sandbox raises into a check."""


@dataclass(kw_only=True)
class StudentError(SandboxError):
    """The student's code raised an exception (in a call, or while the module was imported).

    Only names and text cross the wire: ``class_names`` lists the exception class and its bases as
    ``module.qualname`` strings so that ``expect.raises(ValueError, ...)`` can accept subclasses.
    """

    type_name: str
    class_names: tuple[str, ...]
    message: str
    traceback: str
    line: int | None
    column: int | None = None
    """For a SyntaxError in the student's file: the 1-based column it points at."""
    call: str = ""
    """The function (or attribute) the parent was calling or reading when it was raised ("" at import)."""

    def __str__(self) -> str:
        return f"{self.type_name}: {self.message}" if self.message else self.type_name

    def is_instance_of(self, exc_type: type[BaseException]) -> bool:
        return f"{exc_type.__module__}.{exc_type.__qualname__}" in self.class_names


@dataclass
class MissingName(SandboxError):
    """The submission does not define a name the check asked for."""

    name: str

    def __str__(self) -> str:
        return f"the submission defines no {self.name!r}"


@dataclass(frozen=True)
class Activity:
    """What the worker was doing when it failed: ``action`` is import, call, getattr or setattr."""

    action: str
    name: str


@dataclass
class WorkerTimeout(SandboxError):
    """The student's code did not answer within the time allowed; the worker was killed."""

    seconds: float
    during: Activity


@dataclass
class WorkerCrashed(SandboxError):
    """The worker process ended (os._exit, a signal, a CPU limit) or broke the protocol.

    ``signal`` is the signal that ended it, ``exit_code`` its exit code (None when unknown),
    ``malformed`` says it was killed for sending something that is not a valid reply, and ``foreign``
    that the signal came from outside: none of its limits or faults sends it.
    """

    during: Activity
    _: KW_ONLY  # ``WorkerCrashed(during, malformed=True)``: what it was doing, then how it ended, by name
    signal: int | None = None
    exit_code: int | None = None
    malformed: bool = False
    foreign: bool = False


class StaleObject(SandboxError):
    """A handle from a worker that has since been replaced was used."""


@dataclass
class SkippedCall(SandboxError):
    """A call that was not made: ``function`` was stopped by a timeout in ``check`` after ``ran_s``
    seconds, and this call could not have had much longer (see :mod:`grader.sandbox.unfinished`)."""

    function: str
    check: str
    ran_s: float
