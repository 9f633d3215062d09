"""Memoized calls into a reference module, for grading many submissions against one course.

Checks draw their inputs from an rng seeded by the course seed, the assignment and the check name, so
every submission of a class asks the reference the same questions. :class:`MemoizedModule` stands in
for the reference module and answers a repeated call from a cache keyed by the function's name and a
digest of its arguments (arrays by dtype, shape and bytes), returning a fresh copy each time.

Only plain data is memoized: a call whose arguments or result are anything else (a Generator, a
callable, an instance of a class) goes straight to the reference. A function found to change its
arguments in place is never memoized again (a cached answer would skip that side effect). The cache
is bounded in bytes and drops the least recently used entries first.

It assumes what a reference should be anyway: a function of its arguments. One drawing from numpy's
global random state would be answered with its first draw (take an rng argument instead: a call with
a Generator is never memoized).
"""

from __future__ import annotations

import hashlib
import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
_ENTRY_OVERHEAD = 64  # bytes counted per cached object besides array data
_SCALARS = (bool, int, float, complex, str, bytes, type(None))


class Uncacheable(Exception):
    """A value that is not plain data, so a call involving it is not memoized."""


@dataclass
class CacheStats:
    """How the cache has been used (for the batch benchmark's breakdown)."""

    hits: int = 0
    """Calls answered from the cache."""
    misses: int = 0
    """Calls that ran the reference and stored the result."""
    bypassed: int = 0
    """Calls that ran the reference because something about them is not plain data."""


class ReferenceCache:
    """Results of reference calls by key, least recently used dropped beyond ``max_bytes``."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        # grade() may run assignments in threads: a lookup and an eviction must not interleave.
        self.lock = threading.Lock()
        self.entries: OrderedDict[bytes, tuple[Any, int]] = OrderedDict()
        self.size = 0
        self.stats = CacheStats()
        self.impure: set[str] = set()
        """Qualified names of functions seen changing their arguments: always called directly."""

    def get(self, key: bytes) -> tuple[bool, Any]:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return False, None
            self.entries.move_to_end(key)
        return True, copy_plain(entry[0])  # stored values are never changed, so copying needs no lock

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0

    def put(self, key: bytes, value: Any) -> None:
        size = plain_size(value)
        if size > self.max_bytes:
            return
        with self.lock:
            if key in self.entries:
                return  # another thread stored the same answer first
            self.entries[key] = (value, size)
            self.size += size
            while self.size > self.max_bytes:
                _, (_, dropped) = self.entries.popitem(last=False)
                self.size -= dropped


class MemoizedModule(ModuleType):
    """A reference module whose functions answer repeated calls from a :class:`ReferenceCache`.

    A module itself (so it goes wherever the reference module goes); everything but its functions is
    the wrapped module's own attributes, looked up on each access.
    """

    def __init__(self, module: ModuleType, cache: ReferenceCache) -> None:
        super().__init__(module.__name__, module.__doc__)
        # Stored with object.__setattr__: this class's own __setattr__ forwards to the wrapped module.
        object.__setattr__(self, "__memo_module__", module)
        object.__setattr__(self, "__memo_cache__", cache)
        object.__setattr__(self, "__memo_wrapped__", {})

    def __getattr__(self, name: str) -> Any:
        module: ModuleType = self.__dict__["__memo_module__"]
        value = getattr(module, name)
        if not inspect.isfunction(value):
            return value  # constants, classes and submodules are the module's own
        wrapped_functions = self.__dict__["__memo_wrapped__"]
        wrapped = wrapped_functions.get(name)
        if wrapped is None or wrapped.__wrapped__ is not value:
            wrapped = _memoized(value, f"{module.__name__}.{name}", self.__dict__["__memo_cache__"])
            wrapped_functions[name] = wrapped
        return wrapped

    def __setattr__(self, name: str, value: Any) -> None:
        # A check that changes the reference changes what its functions return: forget every answer.
        setattr(self.__dict__["__memo_module__"], name, value)
        self.__dict__["__memo_cache__"].clear()

    def __repr__(self) -> str:
        return f"<memoized {self.__dict__['__memo_module__']!r}>"


def _memoized(function: Callable[..., Any], qualname: str, cache: ReferenceCache) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        key = _key(qualname, args, kwargs) if qualname not in cache.impure else None
        if key is None:
            cache.stats.bypassed += 1
            return function(*args, **kwargs)
        found, value = cache.get(key)
        if found:
            cache.stats.hits += 1
            return value
        result = function(*args, **kwargs)
        if _key(qualname, args, kwargs) != key:
            cache.impure.add(qualname)  # it changed an argument: a cached answer would skip that
        else:
            _store(cache, key, result)
        return result

    call.__wrapped__ = function  # type: ignore[attr-defined]
    call.__name__ = function.__name__
    call.__doc__ = function.__doc__
    return call


def _store(cache: ReferenceCache, key: bytes, result: Any) -> None:
    try:
        private = copy_plain(result, strict=True)
    except Uncacheable:
        cache.stats.bypassed += 1
        return
    cache.stats.misses += 1
    cache.put(key, private)


def _key(qualname: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes | None:
    parts: list[Any] = [qualname.encode(), b"|"]
    try:
        _collect(parts, args)
        if kwargs:
            _collect(parts, dict(sorted(kwargs.items())))
    except Uncacheable:
        return None
    # One hash over the joined parts: a call's arguments are small, and one C call beats many updates.
    return hashlib.blake2b(b"".join(parts), digest_size=32).digest()


_SCALAR_TAGS = {bool: b"b", int: b"i", float: b"f", complex: b"c", str: b"s", bytes: b"y", type(None): b"n"}


def _collect(parts: list[Any], value: Any) -> None:
    """Append an unambiguous encoding of ``value`` to ``parts``: a type tag, then its content; plain data only.

    Scalars by ``repr`` (exact for floats, quoted and escaped for strings), arrays by a header naming
    dtype and shape followed by exactly that many bytes, containers by their length and items.
    """
    kind = type(value)
    tag = _SCALAR_TAGS.get(kind)
    if tag is not None:
        parts.append(tag + repr(value).encode() + b";")
    elif kind is np.ndarray and value.dtype.kind in "biufc":
        parts.append(f"a{value.dtype.str}{value.shape};".encode())
        parts.append(value.data if value.flags.c_contiguous else value.tobytes())
    elif isinstance(value, np.generic) and kind.__module__ == "numpy" and value.dtype.kind in "biufc":
        parts.append(f"g{value.dtype.str};".encode() + value.tobytes())
    elif kind is list or kind is tuple:
        parts.append(b"L%d[" % len(value) if kind is list else b"T%d[" % len(value))
        for item in value:
            _collect(parts, item)
        parts.append(b"]")
    elif kind is dict:
        parts.append(b"D%d{" % len(value))
        for name, item in value.items():
            if type(name) is not str:
                raise Uncacheable(name)
            _collect(parts, name)
            _collect(parts, item)
        parts.append(b"}")
    else:
        raise Uncacheable(kind.__name__)


def copy_plain(value: Any, strict: bool = False) -> Any:
    """A copy no caller can use to change the original: arrays copied, containers rebuilt.

    With ``strict``, anything that is not plain data raises :class:`Uncacheable` (used before
    storing); without it such values are returned as they are.
    """
    kind = type(value)
    if kind is np.ndarray:
        if strict and value.dtype.kind not in "biufc":
            raise Uncacheable("array of objects")
        return value.copy()
    if kind in (list, tuple):
        return kind(copy_plain(item, strict) for item in value)
    if kind is dict:
        return {name: copy_plain(item, strict) for name, item in value.items()}
    if strict and kind not in _SCALARS and not (isinstance(value, np.generic) and kind.__module__ == "numpy"):
        raise Uncacheable(kind.__name__)
    return value


def plain_size(value: Any) -> int:
    """Bytes a cached value holds, roughly: array data plus a fixed cost per object."""
    if type(value) is np.ndarray:
        return value.nbytes + _ENTRY_OVERHEAD
    if type(value) in (list, tuple):
        return _ENTRY_OVERHEAD + sum(plain_size(item) for item in value)
    if type(value) is dict:
        return _ENTRY_OVERHEAD + sum(plain_size(item) for item in value.values())
    return _ENTRY_OVERHEAD
