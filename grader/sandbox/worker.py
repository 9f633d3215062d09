"""The untrusted side: a forked worker that runs one submission and answers the parent's calls.

Everything here runs in a process the student's code controls once it is loaded, so nothing here is
trusted by the parent: replies are plain data checked on arrival, and a worker that misbehaves is
killed and replaced. This module is imported by the fork server before any fork and must not import
anything of the course or of the grader's trusted side.

Protocol (each message a wire frame; the parent speaks first):
  {"op": "load", "source", "filename", "module"}        -> {"ok": None} | {"error": ...}
  {"op": "getattr", "target", "name"}                   -> {"ok": value}  | {"error": ...} | {"missing": name}
  {"op": "setattr", "target", "name", "value"}          -> {"ok": None}   | {"error": ...}
  {"op": "call", "target", "name", "args", "kwargs"[, "errstate"]} -> {"ok": value} | {"error": ...}
  {"op": "call_many", "target", "columns": {...}[, "then"][, "errstate"]} -> {"ok": column} | {"error": ...}
  {"op": "exit"}                                        -> (the worker exits)
Every reply also carries "output": what the student's code printed since the previous reply.
``target`` is a handle id; 0 is the student's module. ``name`` None in "call" calls the target itself;
``errstate`` (``np.errstate`` arguments) makes numpy's floating-point errors raise during the call.
"call_many" calls the target once per item, in order, in one round trip; the first exception ends it.
Its calls come as columns and its results go back as one (see :mod:`grader.sandbox.columns`).
With "then": {"target", "args", "kwargs", "slot"}, each result is passed on to that second call, in
args[slot] (an int) or kwargs[slot] (a str), and its result is the item's value.
"""

from __future__ import annotations

import linecache
import os
import sys
import traceback
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.sandbox import columns
from grader.sandbox.channel import Channel, ChannelClosed
from grader.sandbox.wire import Handle, WireError, decode, encode, fresh_copy

MODULE_HANDLE = 0


class CappedOutput:
    """A text stream standing in for stdout/stderr: keeps the first ``limit`` characters, counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def write(self, text: str) -> int:
        text = str(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def take(self) -> str:
        """Everything written since the last call (with a note of what was dropped)."""
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n... [{self.dropped} more characters of output dropped]\n"
        self.parts, self.kept, self.dropped = [], 0, 0
        return text


class Worker:
    """Holds the student's module and the objects handed out as handles; answers requests."""

    def __init__(self, channel: Channel, output: CappedOutput) -> None:
        self.channel = channel
        self.output = output
        self.objects: dict[int, Any] = {}
        self.filename = "<submission>"

    def serve(self) -> None:
        while True:
            try:
                request = decode(self.channel.recv())
            except (ChannelClosed, WireError):
                return
            if request.get("op") == "exit":
                return
            self.channel.send(self._reply(request))

    def _reply(self, request: dict[str, Any]) -> bytes:
        try:
            reply = self._handle(request)
        except BaseException as exc:  # the student's error, whatever it is, becomes data for the parent
            reply = {"error": self._describe(exc)}
        reply["output"] = self.output.take()
        try:
            return encode(reply, self._to_handle)
        except WireError as exc:
            return encode({"error": self._describe(exc), "output": reply["output"]})

    def _handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "load":
            self._load(request["source"], request["filename"], request["module"])
            return {"ok": None}
        target = self.objects[request["target"]]
        if op == "getattr":
            if request["target"] == MODULE_HANDLE and not hasattr(target, request["name"]):
                return {"missing": request["name"]}
            return {"ok": getattr(target, request["name"])}
        if op == "setattr":
            setattr(target, request["name"], self._resolve(request["value"]))
            return {"ok": None}
        if op == "call":
            function = target if request["name"] is None else getattr(target, request["name"])
            args = [self._resolve(arg) for arg in request["args"]]
            kwargs = {key: self._resolve(value) for key, value in request["kwargs"].items()}
            with np.errstate(**request.get("errstate", {})):
                return {"ok": function(*args, **kwargs)}
        if op == "call_many":
            calls = [
                ([self._resolve(arg) for arg in args], {key: self._resolve(v) for key, v in kwargs.items()})
                for args, kwargs in columns.unpack_calls(request["columns"])
            ]
            then = self._stage(request["then"]) if "then" in request else (lambda result: result)
            with np.errstate(**request.get("errstate", {})):
                results = [then(target(*args, **kwargs)) for args, kwargs in calls]
            return {"ok": columns.pack(results)}
        raise ValueError(f"unknown request {op!r}")

    def _stage(self, stage: dict[str, Any]) -> Callable[[Any], Any]:
        """The second call of a "then": a function of one result."""
        function, slot = self.objects[stage["target"]], stage["slot"]
        args, kwargs = self._resolve(stage["args"]), self._resolve(stage["kwargs"])

        def call(result: Any) -> Any:
            # Fresh copies per call, as each call of the batch gets: a function changing its argument
            # in place must not change what the next point sees.
            filled_args, filled_kwargs = fresh_copy(args), fresh_copy(kwargs)
            if type(slot) is int:
                filled_args[slot] = result
            else:
                filled_kwargs[slot] = result
            return function(*filled_args, **filled_kwargs)

        return call

    def _load(self, source: str, filename: str, module_name: str) -> None:
        self.filename = filename
        # Tracebacks show the student's lines although the file is never read from disk here.
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
        module = types.ModuleType(module_name)
        module.__file__ = filename
        sys.modules[module_name] = module
        self.objects[MODULE_HANDLE] = module
        exec(compile(source, filename, "exec", dont_inherit=True), module.__dict__)

    def _to_handle(self, value: Any) -> Handle:
        handle_id = len(self.objects)
        self.objects[handle_id] = value
        return Handle(handle_id, type(value).__name__, callable(value))

    def _resolve(self, value: Any) -> Any:
        """Turn handles in the parent's arguments back into the objects they stand for."""
        if type(value) is Handle:
            return self.objects[value.id]
        if type(value) in (list, tuple):
            return type(value)(self._resolve(item) for item in value)
        if type(value) is dict:
            return {key: self._resolve(item) for key, item in value.items()}
        return value

    def _describe(self, exc: BaseException) -> dict[str, Any]:
        description = {
            "type": type(exc).__name__,
            "mro": [f"{cls.__module__}.{cls.__qualname__}" for cls in type(exc).__mro__],
            "message": _safe_str(exc),
            "traceback": self._student_traceback(exc),
            "line": _last_student_line(exc, self.filename),
        }
        if isinstance(exc, SyntaxError) and exc.filename == self.filename:
            # Its str() repeats "(file, line N)", which the parent says in its own words; the column
            # lets the parent put a caret under the student's line.
            description["message"] = exc.msg if type(exc.msg) is str else description["message"]
            description["column"] = exc.offset
        return description

    def _student_traceback(self, exc: BaseException) -> str:
        """The traceback with only the student's frames (the worker's own are noise to a student)."""
        frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == self.filename]
        if isinstance(exc, SyntaxError) and exc.filename == self.filename:
            return "".join(traceback.format_exception_only(type(exc), exc))
        lines = ["Traceback (most recent call last):\n"] if frames else []
        lines += traceback.format_list(frames)
        lines += traceback.format_exception_only(type(exc), exc)
        return "".join(lines)


def _last_student_line(exc: BaseException, filename: str) -> int | None:
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        return exc.lineno
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == filename]
    return lines[-1] if lines else None


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except BaseException:  # a student's exception whose __str__ itself fails
        return f"<{type(exc).__name__} whose message could not be shown>"


def run(channel: Channel, output_limit: int) -> None:
    """Serve the parent until it says exit or goes away; stdout/stderr become capped buffers."""
    output = CappedOutput(output_limit)
    sys.stdout = sys.stderr = output
    Worker(channel, output).serve()
    os._exit(0)
