"""Loading the trusted code of a course into the parent: check files and reference solutions.

Only the parent runs this; the worker never sees these files (see DESIGN.md).

An assignment's check files are modules of one package whose folder is assignments/<id>/, so both the
public and the hidden ones import what they share with ``from .checks_common import ...``
(:data:`grader.course.model.CHECKS_COMMON`): one module, loaded once, from the public side (students
have it; a public check file cannot reach into solutions/).
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Collection
from pathlib import Path
from types import ModuleType

from grader.course import Assignment
from grader.engine.checks.dependencies import validate_dependencies
from grader.engine.checks.registry import CheckSpec, Visibility, collect_checks
from grader.errors import CourseError


def load_checks(assignment: Assignment, include_hidden: bool) -> list[CheckSpec]:
    """Public checks, then (if asked and present) hidden ones; names must be unique per assignment and
    every ``depends`` must name one of them."""
    sources: list[tuple[Path, Visibility]] = [(path, "public") for path in assignment.public_check_files]
    if include_hidden:
        sources += [(path, "hidden") for path in assignment.hidden_check_files]
    package = _check_package(assignment)
    specs: list[CheckSpec] = []
    for path, visibility in sources:
        module = load_module(path, f"{package}.{visibility}_{path.stem}", shared=(assignment.checks_common,))
        specs += collect_checks(module, visibility, path)
    _require_unique_names(specs)
    validate_dependencies(specs)
    return specs


def load_reference(assignment: Assignment) -> ModuleType:
    return load_module(assignment.reference, f"_grader_course.{assignment.id}.reference")


def _check_package(assignment: Assignment) -> str:
    """A fresh package for the assignment's check files, its folder assignments/<id>/ (what an earlier
    load imported from it, perhaps of another copy of the course, is forgotten)."""
    name = f"_grader_course.{assignment.id}.checks"
    for loaded in [key for key in sys.modules if key == name or key.startswith(f"{name}.")]:
        del sys.modules[loaded]
    package = ModuleType(name)
    package.__path__ = [str(assignment.public_dir)]
    sys.modules[name] = package
    return name


def load_module(path: Path, module_name: str, shared: Collection[Path] = ()) -> ModuleType:
    """Import an instructor's file; a broken one (or a broken file it imports of ``shared``) is a course
    error naming the file and line."""
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
        where = _where(exc, [str(path), *map(str, shared)]) or str(path)
        package = module_name.rpartition(".")[0]
        folders = getattr(sys.modules.get(package), "__path__", None)
        if isinstance(exc, ModuleNotFoundError) and folders and (exc.name or "").startswith(f"{package}."):
            folder = folders[0]  # the package's internal name would say nothing to the author
            raise CourseError(
                f"{where}: there is no {(exc.name or '').removeprefix(f'{package}.')}.py in {folder}",
                "check files import what they share from assignments/<id>/checks_common.py "
                "(from .checks_common import ...)",
            ) from None
        raise CourseError(
            f"{where}: {type(exc).__name__}: {exc}",
            "fix this course file (grader check runs every check against the reference)",
        ) from None
    return module


def _where(exc: Exception, files: list[str]) -> str | None:
    """``file:line`` of the error in the course's own files: where a syntax error is, else the innermost frame."""
    if isinstance(exc, SyntaxError) and exc.filename in files:
        return f"{exc.filename}:{exc.lineno}" if exc.lineno else exc.filename
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename in files]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else None


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
