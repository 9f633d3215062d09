"""The parameter names of an assignment's functions, so that a call can be written out with them.

They are read from the course's own text, never from a submission: the reference where solutions/
exists (the instructor's machine, a batch, the autograder), else the stub students were given
(assignments/<id>/<id>.py; in a student's release that is the file they work in, on their own
machine). The file is parsed, never run. A function the file does not define at its top level (or in
a class there) simply has no names: its calls are written with values only.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from grader.course import Assignment

Signatures = Mapping[str, tuple[str, ...]]
"""``"conv2d_forward"`` → ``("x", "w", "b", "stride", "pad")``; a method as ``"LogisticNeuron.fit"`` (without
``self``), a class's own call (``__init__``) as ``"LogisticNeuron"``."""


def assignment_signatures(assignment: Assignment) -> Signatures:
    """The positional parameter names of the assignment's functions and methods (see the module docstring)."""
    source = assignment.reference if assignment.has_solutions else assignment.stub
    try:
        return parameter_names(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError, MemoryError):
        return {}  # only the words of messages depend on it: a call is then written with its values alone


def parameter_names(source: str) -> dict[str, tuple[str, ...]]:
    """The positional parameters of every top-level function, and of every method of a top-level class."""
    names: dict[str, tuple[str, ...]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names[node.name] = _positional(node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    method = _positional(item) if _is_static(item) else _positional(item)[1:]
                    names[f"{node.name}.{item.name}"] = method
                    if item.name == "__init__":
                        names[node.name] = method
    return names


def _positional(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    return tuple(argument.arg for argument in (*function.args.posonlyargs, *function.args.args))


def _is_static(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    decorators = function.decorator_list
    return any(isinstance(decorator, ast.Name) and decorator.id == "staticmethod" for decorator in decorators)
