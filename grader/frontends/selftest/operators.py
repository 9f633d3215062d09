"""Mutation operators: the small, typical mistakes of deep-learning math code, as AST rewrites.

Each operator looks at one node and proposes replacement nodes, each labelled with the kind of
mistake it imitates (a flipped sign, swapped operands, a constant off by one, a dropped term, a
missing transpose, a wrong axis, ...). :mod:`grader.frontends.selftest.mutants` decides where they may apply
(inside solution blocks only) and turns each proposal into a one-line change of the source.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator

Proposal = tuple[str, ast.AST]
"""(label of the mistake, node to put in place of the original)."""

SIGN_FLIP = "sign flip"
SWAPPED = "swapped operands"
OFF_BY_ONE = "constant off by one"
DROPPED_TERM = "dropped term"
TRANSPOSED = "transposed matrix"
CHANGED_AXIS = "changed axis"
CHANGED_OPERATOR = "changed operator"
CHANGED_COMPARISON = "changed comparison"
CHANGED_REDUCTION = "changed reduction"
DROPPED_CALL = "dropped call"
FLIPPED_BOOLEAN = "flipped boolean"

_SIGN = {ast.Add: ast.Sub, ast.Sub: ast.Add}
_SCALE = {ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div}
_NOT_COMMUTATIVE = (ast.Sub, ast.Div, ast.FloorDiv, ast.MatMult, ast.Mod, ast.Pow)
_COMPARISONS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
_REDUCTIONS = {
    "sum": "mean",
    "mean": "sum",
    "max": "min",
    "min": "max",
    "argmax": "argmin",
    "argmin": "argmax",
    "maximum": "minimum",
    "minimum": "maximum",
    "amax": "amin",
    "amin": "amax",
}
_TRANSPOSES = ("transpose", "swapaxes")
_NUMPY = ("np", "numpy")


def proposals(node: ast.AST, axis_values: set[int], own_functions: frozenset[str]) -> Iterator[Proposal]:
    """Every mutation of ``node`` alone (its children are visited separately).

    ``axis_values`` holds the ids of nodes that are the value of an ``axis=`` argument, so that
    constants there are reported as a changed axis; ``own_functions`` names the module's functions,
    whose calls may be dropped like numpy's.
    """
    for operator in _OPERATORS:
        yield from operator(node, axis_values, own_functions)


def _binary(node: ast.AST, *_: object) -> Iterator[Proposal]:
    if not isinstance(node, ast.BinOp):
        return
    op = type(node.op)
    if op in _SIGN:
        yield SIGN_FLIP, _with(node, op=_SIGN[op]())
    if op in _SCALE:
        yield CHANGED_OPERATOR, _with(node, op=_SCALE[op]())
    if op in _NOT_COMMUTATIVE:
        yield SWAPPED, _with(node, left=node.right, right=node.left)
    if op in (ast.Add, ast.Sub, ast.Mult, ast.Div):
        yield DROPPED_TERM, node.left
    if op in (ast.Add, ast.Mult):
        yield DROPPED_TERM, node.right
    if op is ast.Sub:
        yield DROPPED_TERM, ast.UnaryOp(op=ast.USub(), operand=node.right)
    if op is ast.MatMult:
        if not _is_transpose(node.left):
            yield TRANSPOSED, _with(node, left=_transposed(node.left))
        if not _is_transpose(node.right):
            yield TRANSPOSED, _with(node, right=_transposed(node.right))


def _unary(node: ast.AST, axis_values: set[int], *_: object) -> Iterator[Proposal]:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield CHANGED_AXIS if id(node) in axis_values else SIGN_FLIP, node.operand  # axis=-1 -> axis=1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield FLIPPED_BOOLEAN, node.operand


def _augmented(node: ast.AST, *_: object) -> Iterator[Proposal]:
    if isinstance(node, ast.AugAssign):
        op = type(node.op)
        if op in _SIGN:
            yield SIGN_FLIP, _with(node, op=_SIGN[op]())
        if op in _SCALE:
            yield CHANGED_OPERATOR, _with(node, op=_SCALE[op]())


def _constant(node: ast.AST, axis_values: set[int], *_: object) -> Iterator[Proposal]:
    if not isinstance(node, ast.Constant):
        return
    value = node.value
    if isinstance(value, bool):
        yield FLIPPED_BOOLEAN, ast.Constant(not value)
    elif isinstance(value, (int, float)):
        label = CHANGED_AXIS if id(node) in axis_values else OFF_BY_ONE
        yield label, _number(value + 1)
        yield label, _number(value - 1)


def _comparison(node: ast.AST, *_: object) -> Iterator[Proposal]:
    if isinstance(node, ast.Compare) and type(node.ops[0]) in _COMPARISONS:
        yield CHANGED_COMPARISON, _with(node, ops=[_COMPARISONS[type(node.ops[0])](), *node.ops[1:]])


def _transpose(node: ast.AST, *_: object) -> Iterator[Proposal]:
    if isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        yield TRANSPOSED, node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _TRANSPOSES:
        if _is_numpy(node.func.value) and node.args:
            yield TRANSPOSED, node.args[0]  # np.transpose(x, ...) -> x
        elif not _is_numpy(node.func.value):
            yield TRANSPOSED, node.func.value  # x.transpose(...) -> x


def _call(node: ast.AST, _axis: set[int], own_functions: frozenset[str]) -> Iterator[Proposal]:
    if not isinstance(node, ast.Call):
        return
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _REDUCTIONS:  # np.sum(x) and x.sum() alike
        yield CHANGED_REDUCTION, _with(node, func=_with(func, attr=_REDUCTIONS[func.attr]))
    for keyword in node.keywords:
        if keyword.arg == "axis" and not _is_none(keyword.value):  # reduce over everything instead
            yield (
                CHANGED_AXIS,
                _with(
                    node, keywords=[_with(k, value=ast.Constant(None)) if k is keyword else k for k in node.keywords]
                ),
            )
    if not _is_function(func, own_functions) or any(isinstance(arg, ast.Starred) for arg in node.args):
        return  # methods and builtins: dropping or swapping their arguments is rarely a plausible mistake
    if len(node.args) == 1 and not node.keywords and not (isinstance(func, ast.Attribute) and func.attr in _TRANSPOSES):
        yield DROPPED_CALL, node.args[0]
    if len(node.args) == 2:
        yield SWAPPED, _with(node, args=[node.args[1], node.args[0]])


def _tuple(node: ast.AST, axis_values: set[int], *_: object) -> Iterator[Proposal]:
    """Neighbours swapped in a tuple: returned gradients, a shape, an index such as ``x[:, i]``
    (not a tuple of axes: reducing over (2, 0) is reducing over (0, 2))."""
    if id(node) in axis_values:
        return
    if (
        isinstance(node, ast.Tuple)
        and isinstance(node.ctx, ast.Load)
        and not any(isinstance(e, ast.Starred) for e in node.elts)
    ):
        items = node.elts
        for i in range(len(items) - 1):
            yield SWAPPED, _with(node, elts=[*items[:i], items[i + 1], items[i], *items[i + 2 :]])


_OPERATORS: tuple[Callable[..., Iterator[Proposal]], ...] = (
    _binary,
    _unary,
    _augmented,
    _constant,
    _comparison,
    _transpose,
    _call,
    _tuple,
)


def axis_value_ids(tree: ast.AST) -> set[int]:
    """Ids of the nodes that give an ``axis=`` argument: constants, negative constants, tuples of axes."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("axis", "axes"):
            found.update(
                id(part) for part in ast.walk(node.value) if isinstance(part, (ast.Constant, ast.UnaryOp, ast.Tuple))
            )
    return found


def _is_function(func: ast.expr, own_functions: frozenset[str]) -> bool:
    """A numpy function (``np.tanh``, ``np.linalg.norm``) or one of the module's own functions."""
    return (isinstance(func, ast.Attribute) and _is_numpy(func.value)) or (
        isinstance(func, ast.Name) and func.id in own_functions
    )


def _with(node: ast.AST, **fields: object) -> ast.AST:
    """A shallow copy of ``node`` with some fields replaced (the original tree stays intact)."""
    clone = copy.copy(node)
    for name, value in fields.items():
        setattr(clone, name, value)
    return clone


def _number(value: int | float) -> ast.expr:
    """A numeric literal as the parser builds it: a negative number is a minus applied to a constant."""
    return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-value)) if value < 0 else ast.Constant(value)


def _transposed(node: ast.expr) -> ast.expr:
    return ast.Attribute(value=node, attr="T", ctx=ast.Load())


def _is_transpose(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "T"


def _is_numpy(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Name)
        and node.id in _NUMPY
        or (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in _NUMPY)
    )  # np.sum, np.linalg.norm


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
