"""``oracle``: the forward a check differentiates — the reference's when grading is official, else the student's.

A public check of a backward pass compares it with the numeric gradient of a forward. A student running
the public checks has no reference, so that forward is their own, and the check depends on the forward's
checks (``depends=``): a wrong forward makes it "not run", never a false verdict on the backward. Where
the reference is present (official grading), the check differentiates the reference's forward instead,
so a correct backward keeps its points however wrong the forward is (the forward's own checks cost
those points), and the dependencies are waived.

:class:`LocalModule` gives the reference the shape of the ``student`` proxy: ``oracle.f.partial(...)``
and ``.then(...)`` build the same batched calls (:class:`grader.sandbox.proxy.RemoteCall`), made here in
the parent instead of in a worker.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from grader.sandbox.proxy import RemoteCall, StudentModule
from grader.sandbox.wire import fresh_copy


class LocalFunction:
    """A function of the reference, callable as a remote one is (``partial``, batched calls)."""

    def __init__(self, function: Any, label: str) -> None:
        self._function = function
        self._label = label

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*fresh_copy(args), **fresh_copy(kwargs))

    def partial(self, *args: Any, **kwargs: Any) -> RemoteCall:
        """This function with some arguments open (``expect.param``), as ``student.f.partial`` is."""
        return RemoteCall(self, args, kwargs)

    def _call_many(
        self,
        calls: list[tuple[list[Any], dict[str, Any]]],
        then: tuple[LocalFunction, list[Any], dict[str, Any], int | str] | None = None,
    ) -> list[Any]:
        """What :meth:`RemoteCall.many` asks of its function: every call, each result passed to ``then``."""
        results = [self(*args, **kwargs) for args, kwargs in calls]
        if then is None:
            return results
        function, stage_args, stage_kwargs, slot = then
        staged = []
        for result in results:
            args, kwargs = _filled(stage_args, stage_kwargs, slot, result)
            staged.append(function(*args, **kwargs))
        return staged

    def __repr__(self) -> str:
        return f"<the reference's {self._label}>"


class LocalModule:
    """The reference module seen through the ``student`` interface."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self._module, name)
        return LocalFunction(value, name) if callable(value) else value

    def __repr__(self) -> str:
        return "<the reference solution, as the oracle>"


def oracle(reference: ModuleType | None, student: StudentModule) -> LocalModule | StudentModule:
    """The module whose forward a check differentiates: the reference where present, else the student's."""
    return LocalModule(reference) if reference is not None else student


def _filled(args: list[Any], kwargs: dict[str, Any], slot: int | str, result: Any) -> tuple[list[Any], dict[str, Any]]:
    args, kwargs = list(args), dict(kwargs)
    if isinstance(slot, int):
        args[slot] = result
    else:
        kwargs[slot] = result
    return args, kwargs
