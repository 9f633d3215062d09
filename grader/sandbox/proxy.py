"""The objects a check holds in place of the student's code: ``student`` and remote handles.

``student.forward(X, w)`` looks like a call into the submission, but the module lives in the
worker: the proxy sends the arguments as data and gets data back. Objects that cannot cross the
wire (an instance of the student's class, a function) come back as :class:`RemoteObject`, whose
attributes and methods are again reached through the worker.

Whoever wants to know what each call returned (the engine, to name a failing value by the call that
produced it) watches the calls made in its context with :func:`watching_calls`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11

from grader.sandbox.errors import StaleObject, StudentError
from grader.sandbox.session import MODULE_HANDLE, StudentSession
from grader.sandbox.wire import Handle

CallWatcher = Callable[[str, tuple[Any, ...], dict[str, Any], Any], None]
"""Told ``(label, args, kwargs, result)`` after each call of a student's function or method returned."""

_WATCHER: ContextVar[CallWatcher | None] = ContextVar("grader_call_watcher", default=None)


@contextlib.contextmanager
def watching_calls(watcher: CallWatcher) -> Iterator[None]:
    """Tell ``watcher`` about every call made through a proxy in this context (this thread)."""
    token = _WATCHER.set(watcher)
    try:
        yield
    finally:
        _WATCHER.reset(token)


class RemoteObject:
    """An object that stays in the worker; attribute access, assignment and calls are forwarded."""

    __slots__ = ("_session", "_generation", "_handle", "_label")
    _session: StudentSession
    _generation: int
    _handle: Handle
    _label: str

    def __init__(self, session: StudentSession, generation: int, handle: Handle, label: str) -> None:
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_generation", generation)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_label", label)

    @property
    def remote_type(self) -> str:
        """The class name of the object in the worker (for messages such as "got a Foo")."""
        return self._handle.type_name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # keep copy, pickle and introspection of the proxy local
        value = self._session.getattr(self._live_id(), name)
        # An instance's method is known by its class ("Counter.tick", however the instance was made):
        # that names it in messages, and a method that hung is recognised in the next check's instance.
        owner = self._label if self._handle.is_callable else self._handle.type_name
        return from_wire(self._session, value, f"{owner}.{name}")

    def __setattr__(self, name: str, value: Any) -> None:
        self._session.setattr(self._live_id(), name, to_wire(value))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self._handle.is_callable:
            raise TypeError(f"{self._label} (a {self._handle.type_name}) is not callable")
        value = self._session.call(self._live_id(), None, to_wire(list(args)), to_wire(kwargs), self._label)
        result = from_wire(self._session, value, f"the result of {self._label}")
        watcher = _WATCHER.get()
        if watcher is not None:
            watcher(self._label, args, kwargs, result)
        return result

    def partial(self, *args: Any, **kwargs: Any) -> RemoteCall:
        """This function with some arguments fixed and the others left open as :class:`Param` placeholders:
        ``student.conv2d_forward.partial(Param("x"), w, b, 2, 1)`` is ``f(x=...)``, callable in batches."""
        return RemoteCall(self, args, kwargs)

    def _call_many(
        self,
        calls: list[tuple[list[Any], dict[str, Any]]],
        then: tuple[RemoteObject, list[Any], dict[str, Any], int | str] | None = None,
    ) -> list[Any]:
        """One call per (args, kwargs) in one round trip; ``then`` (a function, its arguments and the
        slot for each result) is applied to every result inside the worker."""
        if not self._handle.is_callable:
            raise TypeError(f"{self._label} (a {self._handle.type_name}) is not callable")
        wired = [(to_wire(list(args)), to_wire(dict(kwargs))) for args, kwargs in calls]
        stage, label = None, self._label
        if then is not None:
            function, args, kwargs, slot = then
            stage = {"target": function._live_id(), "args": to_wire(args), "kwargs": to_wire(kwargs), "slot": slot}
            label = f"{function._label}({self._label}(...))"
        values = self._session.call_many(self._live_id(), wired, label, stage, function=self._label)
        return [from_wire(self._session, value, f"the result of {label}") for value in values]

    def __repr__(self) -> str:
        return f"<{self._handle.type_name} object in the student's worker>"

    def __bool__(self) -> bool:
        # Truth of a student's object would be decided by the student's __bool__; a check must
        # compare data instead, so refuse rather than guess.
        raise TypeError(f"{self._label} is a {self._handle.type_name} object in the worker, not data")

    def _live_id(self) -> int:
        if self._generation != self._session.generation or self._session.worker is None:
            raise StaleObject(f"{self._label} belonged to a worker that has since been replaced")
        return self._handle.id


@dataclass(frozen=True)
class Param:
    """A placeholder in :meth:`RemoteObject.partial`: filled with the keyword argument ``name``."""

    name: str


class BatchCallable(Protocol):
    """The function a :class:`RemoteCall` calls: the student's (:class:`RemoteObject`) or the reference's
    (``grader.engine.checks.oracle.LocalFunction``). A stage of a batch is a function of the same kind."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

    def _call_many(
        self,
        calls: list[tuple[list[Any], dict[str, Any]]],
        then: tuple[Self, list[Any], dict[str, Any], int | str] | None = None,
    ) -> list[Any]: ...


class RemoteCall:
    """A remote function with some arguments open: ``f(**values)`` calls it once, ``f.many([...])`` in a batch.

    The numeric gradient checker evaluates a function at many points; through ``many`` those points
    cost one round trip to the worker instead of one each.
    """

    def __init__(
        self,
        function: BatchCallable,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        transform: Callable[[Any], Any] | None = None,
        stage: RemoteCall | None = None,
    ) -> None:
        self.function, self.args, self.kwargs, self.transform, self.stage = function, args, kwargs, transform, stage

    def then(self, transform: Callable[[Any], Any] | RemoteCall) -> RemoteCall:
        """The same call, its result passed on: to ``transform`` in the parent (take ``Z`` of ``(Z, A)``),
        or, when ``transform`` is itself a remote call with one open argument
        (``student.loss.partial(expect.param("a"), y)``), to that call inside the worker, so a batch of
        points still costs one round trip."""
        if isinstance(transform, RemoteCall):
            if self.stage is not None or self.transform is not None:
                raise ValueError("a remote .then(...) must come first, and only once")
            transform.open_name()  # the check author's mistake surfaces here, not in the worker
            return RemoteCall(self.function, self.args, self.kwargs, None, transform)
        previous = self.transform
        combined = transform if previous is None else (lambda result: transform(previous(result)))
        return RemoteCall(self.function, self.args, self.kwargs, combined, self.stage)

    def __call__(self, **values: Any) -> Any:
        args, kwargs = self._fill(values)
        result = self.function(*args, **kwargs)
        if self.stage is not None:
            result = self.stage(**{self.stage.open_name(): result})
        return self._finish(result)

    def many(self, points: list[dict[str, Any]]) -> list[Any] | None:
        """Results for every point, or None when one of the calls raised: the caller then calls one by
        one, so the student's error surfaces from the call that caused it."""
        then = None if self.stage is None else self.stage.function_and_slot()
        try:
            results = self.function._call_many([self._fill(values) for values in points], then)
        except StudentError:
            return None
        return [self._finish(result) for result in results]

    def each(self, points: list[dict[str, Any]]) -> list[Any]:
        """Results for every point, in one round trip when none of the calls raises; otherwise the
        calls are repeated one by one, so the student's error is raised by the call that caused it."""
        results = self.many(points)
        return results if results is not None else [self(**values) for values in points]

    def open_name(self) -> str:
        """The name of this call's one open argument (a stage of another call takes exactly one)."""
        names = [value.name for value in (*self.args, *self.kwargs.values()) if isinstance(value, Param)]
        if len(names) != 1:
            raise ValueError(
                f"a call used in .then(...) needs exactly one expect.param(...) argument, not {len(names)}"
            )
        return names[0]

    def function_and_slot(self) -> tuple[BatchCallable, list[Any], dict[str, Any], int | str]:
        """This call as a stage: its function, its fixed arguments, and where the open one goes."""
        index = next((i for i, value in enumerate(self.args) if isinstance(value, Param)), None)
        slot = (
            index if index is not None else next(key for key, value in self.kwargs.items() if isinstance(value, Param))
        )
        args: list[Any] = [None if isinstance(value, Param) else value for value in self.args]
        kwargs: dict[str, Any] = {
            key: None if isinstance(value, Param) else value for key, value in self.kwargs.items()
        }
        return self.function, args, kwargs, slot

    def _finish(self, result: Any) -> Any:
        return result if self.transform is None else self.transform(result)

    def _fill(self, values: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        def fill(value: Any) -> Any:
            return values[value.name] if isinstance(value, Param) else value

        return [fill(arg) for arg in self.args], {key: fill(value) for key, value in self.kwargs.items()}


class StudentModule:
    """What a check receives as ``student``: the submission's module, reached through the sandbox.

    Functions looked up once are remembered for the life of the worker, so a call costs one round trip.
    """

    __slots__ = ("_session", "_functions")
    _session: StudentSession
    _functions: dict[str, RemoteObject]

    def __init__(self, session: StudentSession) -> None:
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_functions", {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        cached = self._functions.get(name)
        if cached is not None and cached._generation == self._session.generation and self._session.worker:
            return cached
        value = from_wire(self._session, self._session.getattr(MODULE_HANDLE, name), name)
        if isinstance(value, RemoteObject) and value._handle.is_callable:
            self._functions[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("checks cannot change the student's module")

    def __repr__(self) -> str:
        return "<the student's submission, running in the sandbox>"


def to_wire(value: Any) -> Any:
    """Replace remote objects in arguments by the handles the worker knows them by."""
    if isinstance(value, RemoteObject):
        value._live_id()
        return value._handle
    if type(value) in (list, tuple):
        return type(value)(to_wire(item) for item in value)
    if type(value) is dict:
        return {key: to_wire(item) for key, item in value.items()}
    return value


def from_wire(session: StudentSession, value: Any, label: str) -> Any:
    """Wrap handles in a reply as :class:`RemoteObject`."""
    if type(value) is Handle:
        return RemoteObject(session, session.generation, value, label)
    if type(value) in (list, tuple):
        return type(value)(from_wire(session, item, label) for item in value)
    if type(value) is dict:
        return {key: from_wire(session, item, label) for key, item in value.items()}
    return value
