"""The package layout is the layering: foundation, sandbox, engine, front ends; no import cycles.

Every ``import`` of a grader module counts, at module level or inside a function, under
``TYPE_CHECKING`` or not: a cycle hidden in a function is still a cycle for the reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

GRADER = Path(__file__).resolve().parents[2] / "grader"
LAYERS = (
    ("grader.errors", "grader.safetext", "grader.atomic", "grader.i18n", "grader.course"),
    ("grader.sandbox",),
    ("grader.engine",),
    ("grader.frontends",),
    ("grader.cli", "grader.__main__", "grader"),
)
"""From the bottom up: a module may import from its own layer and the ones before it."""


def modules() -> dict[str, Path]:
    found = {}
    for path in GRADER.rglob("*.py"):
        parts = path.relative_to(GRADER.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The grader modules ``path`` imports (``from package import module`` names the module)."""
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module.split(".")[0] == "grader"
        ):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                targets.add(submodule if submodule in known else node.module)
        elif isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names if alias.name.split(".")[0] == "grader"}
    return {target for target in targets if target in known}


def layer(module: str) -> int:
    for rank, prefixes in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes if prefix != "grader"):
            return rank
    assert module == "grader", f"{module} is in no layer: add it to LAYERS"
    return len(LAYERS) - 1


def test_every_module_imports_only_from_its_layer_and_the_ones_below() -> None:
    known = modules()
    upward = [
        f"{module} ({layer(module)}) imports {target} ({layer(target)})"
        for module, path in known.items()
        for target in imports(path, known)
        if layer(target) > layer(module)
    ]
    assert upward == []


def test_no_module_imports_itself_through_others() -> None:
    known = modules()
    graph = {module: imports(path, known) - {module} for module, path in known.items()}
    cycles = [component for component in _strongly_connected(graph) if len(component) > 1]
    assert cycles == []


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively (the graph is small, but recursion limits are not worth thinking about)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components
