"""One submission's worker, from the parent's side: load it, call into it, replace it after a failure.

Each request waits at most until the current deadline; a worker that does not answer in time is
killed (:class:`WorkerTimeout`), one that dies or breaks the protocol is reaped (:class:`WorkerCrashed`),
and the next request transparently starts a fresh worker and loads the submission again. A call like
one that timed out in an earlier check is not made again when it could not have much longer
(:class:`SkippedCall`, see :mod:`grader.sandbox.unfinished`).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

from grader.safetext import safe_line, safe_text
from grader.sandbox import columns
from grader.sandbox.channel import ChannelClosed, ChannelTimeout, FrameTooLarge
from grader.sandbox.errors import Activity, MissingName, StudentError, WorkerCrashed, WorkerTimeout
from grader.sandbox.launcher import ExitStatus, Launcher, SandboxUnavailable, WorkerProcess
from grader.sandbox.layers import CONFINEMENT_FAILED
from grader.sandbox.limits import Limits
from grader.sandbox.unfinished import CallShape, UnfinishedCalls, call_shape
from grader.sandbox.wire import WireError, decode, encode
from grader.sandbox.worker import MODULE_HANDLE

_MAX_TEXT = 20_000  # characters kept of any text the worker sends (messages, tracebacks)


class StudentSession:
    """The sandboxed submission one assignment is graded against."""

    def __init__(
        self, launcher: Launcher, source: str, filename: str, module_name: str, limits: Limits, load_timeout: float
    ) -> None:
        self.launcher = launcher
        # The worker learns the file's bare name, never the folder it is in (a classmate's, the course's);
        # its tracebacks get the full name back on arrival.
        self.filenames = (os.path.basename(filename), filename)
        self.load_request = {"op": "load", "source": source, "filename": self.filenames[0], "module": module_name}
        self.limits = limits
        self.load_timeout = load_timeout
        self.worker: WorkerProcess | None = None
        self.generation = 0
        self.failures = 0
        """Workers killed for a timeout, a crash or a broken reply: results that depend on the machine."""
        self.deadline: float | None = None
        self.budget_s = 0.0
        self.numpy_errors: dict[str, str] | None = None
        self.scope = ""
        """The check whose calls are being made (names it when one of them times out)."""
        self.unfinished = UnfinishedCalls()
        self.output: list[str] = []
        self.output_size = 0
        self.output_truncated = False

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start a worker and import the submission (raises the student's import error, if any).

        A worker killed from outside while importing (another program, the out-of-memory killer) is not
        the student's doing: it is started once more before the kill is reported.
        """
        try:
            self._start_once()
        except WorkerCrashed as crash:
            if not crash.foreign:
                raise
            self._start_once()

    def _start_once(self) -> None:
        self.worker = self.launcher.spawn(self.limits)
        self.generation += 1
        deadline = time.monotonic() + self.load_timeout
        self._exchange(self.load_request, deadline, Activity("import", self.load_request["module"]), self.load_timeout)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker = None

    @contextlib.contextmanager
    def check_scope(self, seconds: float, numpy_errors: dict[str, str] | None = None, name: str = "") -> Iterator[None]:
        """Calls inside the block (the check ``name``) must finish within ``seconds`` of its start,
        together, and run under ``numpy_errors`` (``np.errstate`` arguments) when given."""
        self.deadline, self.budget_s, self.numpy_errors = time.monotonic() + seconds, seconds, numpy_errors
        self.scope = name
        try:
            yield
        finally:
            self.deadline, self.numpy_errors, self.scope = None, None, ""

    def take_output(self) -> str:
        """What the student's code printed since the last call, capped at the output limit, made inert
        (joined first, so a CRLF split between two replies still reads as one line end)."""
        text = safe_text("".join(self.output))
        if self.output_truncated:
            text += f"\n... [output truncated at {self.limits.output_kb} KB]\n"
        self.output, self.output_size, self.output_truncated = [], 0, False
        return text

    # -- requests --------------------------------------------------------------------------------------
    def getattr(self, target: int, name: str) -> Any:
        return self.request({"op": "getattr", "target": target, "name": name}, Activity("getattr", name))

    def setattr(self, target: int, name: str, value: Any) -> None:
        self.request({"op": "setattr", "target": target, "name": name, "value": value}, Activity("setattr", name))

    def call(self, target: int, name: str | None, args: list[Any], kwargs: dict[str, Any], label: str) -> Any:
        """Call ``target`` (the function ``label``); raises :class:`SkippedCall` instead when a call like
        this did not finish before, and remembers this one if it does not finish."""
        request = {"op": "call", "target": target, "name": name, "args": args, "kwargs": kwargs}
        if self.numpy_errors is not None:
            request["errstate"] = self.numpy_errors
        shape = call_shape(label, args, kwargs)
        self._refuse_unfinished([shape])
        if self.worker is None:
            self.start()  # the import's time is not the function's
        started = time.monotonic()
        try:
            return self.request(request, Activity("call", label))
        except WorkerTimeout:
            if self.deadline is not None:
                self.unfinished.record(shape, self.scope, time.monotonic() - started)
            raise

    def call_many(
        self,
        target: int,
        calls: list[tuple[list[Any], dict[str, Any]]],
        label: str,
        then: dict[str, Any] | None = None,
        function: str = "",
    ) -> list[Any]:
        """Call ``target`` (the function ``function``) once per (args, kwargs), in order, in one round trip
        (each call is still timed against the check's deadline, together); ``then`` passes each result
        on to a second call in the worker (see the worker's protocol). Refused as :meth:`call` is when
        one of the calls is like one that did not finish; a batch that times out is not remembered,
        since the time of one of its calls is not known."""
        if function:
            self._refuse_unfinished({call_shape(function, args, kwargs) for args, kwargs in calls})
        request: dict[str, Any] = {"op": "call_many", "target": target, "columns": columns.pack_calls(calls)}
        if then is not None:
            request["then"] = then
        if self.numpy_errors is not None:
            request["errstate"] = self.numpy_errors
        results = self.request(request, Activity("call", label))
        try:
            return columns.unpack(results, len(calls))
        except columns.ColumnsError:
            self._discard()
            raise WorkerCrashed(Activity("call", label), malformed=True) from None

    def request(self, message: dict[str, Any], during: Activity) -> Any:
        if self.worker is None:
            self.start()
        deadline = self.deadline if self.deadline is not None else time.monotonic() + self.load_timeout
        return self._exchange(message, deadline, during, self.budget_s or self.load_timeout)

    def _refuse_unfinished(self, shapes: Iterable[CallShape]) -> None:
        if self.deadline is not None:
            self.unfinished.refuse(shapes, self.deadline - time.monotonic())

    def _exchange(self, message: dict[str, Any], deadline: float, during: Activity, timeout_s: float) -> Any:
        assert self.worker is not None
        worker = self.worker
        try:
            worker.channel.send(encode(message))
            reply = decode(worker.channel.recv(deadline))
        except ChannelTimeout:
            self._discard()
            raise WorkerTimeout(timeout_s, during) from None
        except (ChannelClosed, WireError, FrameTooLarge) as exc:
            status = self._discard()
            if status.exit_code == CONFINEMENT_FAILED:
                raise SandboxUnavailable(
                    "a worker could not be put behind the fences this run reports (seccomp, "
                    "Landlock, its own uid); nothing of the submission ran",
                    "run again; if it keeps happening, report it with `uname -r`",
                ) from None
            malformed = not isinstance(exc, ChannelClosed)
            foreign = not malformed and status.killed_from_outside(self.limits)
            raise WorkerCrashed(
                during, signal=status.signal, exit_code=status.exit_code, malformed=malformed, foreign=foreign
            ) from None
        return self._unpack(reply, during)

    def _unpack(self, reply: Any, during: Activity) -> Any:
        if type(reply) is not dict or type(reply.get("output", "")) is not str:
            self._discard()
            raise WorkerCrashed(during, malformed=True)
        self._keep_output(reply.get("output", ""))
        if "ok" in reply:
            return reply["ok"]
        if "missing" in reply:
            raise MissingName(safe_line(_text(reply["missing"], 200)))
        if type(reply.get("error")) is dict:
            raise _student_error(reply["error"], *self.filenames, call="" if during.action == "import" else during.name)
        self._discard()
        raise WorkerCrashed(during, malformed=True)

    def _keep_output(self, text: str) -> None:
        room = self.limits.output_kb * 1024 - self.output_size
        if len(text) > room:
            self.output_truncated = True
        if text and room > 0:
            self.output.append(text[:room])
            self.output_size += min(room, len(text))

    def _discard(self) -> ExitStatus:
        assert self.worker is not None
        status = self.worker.kill()
        self.worker = None
        self.failures += 1
        return status


def _student_error(error: dict[str, Any], worker_filename: str, filename: str, call: str) -> StudentError:
    """The student's exception, its text made inert where it enters the trusted parent: whatever the
    parent does with it (a check, a message, a log line), no control character comes along. Its
    traceback names the file as the student knows it (the worker knew only the bare name)."""
    mro = error.get("mro")
    line, column = error.get("line"), error.get("column")
    traceback = _text(error.get("traceback"), _MAX_TEXT).replace(f'File "{worker_filename}"', f'File "{filename}"')
    return StudentError(
        type_name=safe_line(_text(error.get("type"), 200)) or "Exception",
        class_names=tuple(safe_line(_text(name, 200)) for name in mro) if type(mro) is list else (),
        message=safe_text(_text(error.get("message"), _MAX_TEXT)),
        traceback=safe_text(traceback),
        line=line if type(line) is int else None,
        column=column if type(column) is int else None,
        call=call,
    )


def _text(value: Any, limit: int) -> str:
    return value[:limit] if type(value) is str else ""


__all__ = ["StudentSession", "MODULE_HANDLE"]
