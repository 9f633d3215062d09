"""Loading the trusted code of a course into the parent: check files and reference solutions.

Only the parent runs this; the worker never sees these files (see DESIGN.md).
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType

from grader.engine.checks.dependencies import validate_dependencies
from grader.engine.checks.registry import CheckSpec, Visibility, collect_checks
from grader.course import Assignment
from grader.errors import CourseError


def load_checks(assignment: Assignment, include_hidden: bool) -> list[CheckSpec]:
    """Public checks, then (if asked and present) hidden ones; names must be unique per assignment and
    every ``depends`` must name one of them."""
    sources: list[tuple[Path, Visibility]] = [(path, "public") for path in assignment.public_check_files]
    if include_hidden:
        sources += [(path, "hidden") for path in assignment.hidden_check_files]
    specs: list[CheckSpec] = []
    for path, visibility in sources:
        module = load_module(path, f"_grader_course.{assignment.id}.{visibility}.{path.stem}")
        specs += collect_checks(module, visibility, path)
    _require_unique_names(specs)
    validate_dependencies(specs)
    return specs


def load_reference(assignment: Assignment) -> ModuleType:
    return load_module(assignment.reference, f"_grader_course.{assignment.id}.reference")


def load_module(path: Path, module_name: str) -> ModuleType:
    """Import an instructor's file; a broken one is a course error naming the file and line."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise CourseError(f"{path}: cannot be loaded as a Python module", "check the file name ends in .py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except CourseError:
        raise
    except Exception as exc:
        del sys.modules[module_name]
        frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == str(path)]
        line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else (frames[-1].lineno if frames else None)
        where = f"{path}:{line}" if line else str(path)
        raise CourseError(f"{where}: {type(exc).__name__}: {exc}", "fix this course file (grader check runs every check against the reference)") from None
    return module


def _require_unique_names(specs: list[CheckSpec]) -> None:
    seen: dict[str, CheckSpec] = {}
    for spec in specs:
        if spec.name in seen:
            first = seen[spec.name]
            raise CourseError(
                f"{spec.file}:{spec.line}: check name {spec.name!r} is already used at {first.file}:{first.line}",
                "rename one of the two checks (names identify checks in reports and gradebooks)",
            )
        seen[spec.name] = spec
