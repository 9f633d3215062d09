"""Degenerate submissions of a reference: every function returns zeros, or returns its first input.

Such a submission computes nothing, so every check must fail it (tests/course/test_degenerate.py). The
zeros are as convincing as they can be: each function returns zeros of exactly the shape and type the
reference returns for the same arguments (a tuple of arrays, an int, a bool array...), and never raises
(where the reference raises, it returns 0.0). The module runs the reference's code inside the worker
to learn those shapes; a check sees only the zeros.

From the command line (in the repository root)::

    python -m tests.course.degenerate conv zeros > /tmp/conv.py
    grader grade conv --submission /tmp/conv.py
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("zeros", "identity")

_RUNTIME = '''
import numpy as _np

_REFERENCE = {{}}
exec(compile({source!r}, "reference", "exec"), _REFERENCE)


def _zeros(value):
    """Zeros of the shape and type of ``value`` (None stays None)."""
    if isinstance(value, (tuple, list)):
        return type(value)(_zeros(item) for item in value)
    if isinstance(value, _np.ndarray):
        return _np.zeros_like(value)
    if isinstance(value, (bool, _np.bool_, int, float, _np.number)):
        return type(value)(0)
    return value


def _first(args, kwargs):
    return args[0] if args else next(iter(kwargs.values()), None)


def _zeros_of(function):
    def zeros(*args, **kwargs):
        try:
            return _zeros(function(*args, **kwargs))
        except Exception:  # where the reference raises (a bad argument), say nothing
            return 0.0
    return zeros


def _identity(*args, **kwargs):
    return _first(args, kwargs)


class _ZerosObject:
    """The reference's object, with every method returning zeros and every attribute read as zeros."""

    _class = None

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "_inner", self._class(*args, **kwargs))

    def __getattr__(self, name):
        value = getattr(self._inner, name)
        return _zeros_of(value) if callable(value) else _zeros(value)

    def __setattr__(self, name, value):
        setattr(self._inner, name, value)


class _IdentityObject:
    """Every method returns its first argument; nothing is ever stored but what the caller sets."""

    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return _identity
'''


def degenerate_source(assignment_id: str, kind: str) -> str:
    """The ``kind`` ("zeros" or "identity") submission of the assignment's reference, as module text."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    reference = (ROOT / "solutions" / assignment_id / f"{assignment_id}.py").read_text(encoding="utf-8")
    tree = ast.parse(reference)
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]
    classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    lines = [
        f'"""Degenerate submission of {assignment_id}: every function returns {_what(kind)}."""',
        _RUNTIME.format(source=reference),
    ]
    for name in functions:
        lines.append(f'{name} = _zeros_of(_REFERENCE["{name}"])' if kind == "zeros" else f"{name} = _identity")
    for name in classes:
        if kind == "zeros":
            lines.append(f'{name} = type("{name}", (_ZerosObject,), {{"_class": _REFERENCE["{name}"]}})')
        else:
            lines.append(f'{name} = type("{name}", (_IdentityObject,), {{}})')
    return "\n".join(lines) + "\n"


def _what(kind: str) -> str:
    return "zeros of the reference's shape and type" if kind == "zeros" else "its first input"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: python -m tests.course.degenerate ASSIGNMENT zeros|identity", file=sys.stderr)
        sys.exit(2)
    sys.stdout.write(degenerate_source(*sys.argv[1:]))
