"""Reading course.yaml into a :class:`Course`, with errors that name the file, the field and the fix.

Every value goes through one conversion path (:class:`_Reader`), so each bad value is reported the
same way: ``course.yaml:12: assignments[1].limits.timeout: must be a positive number, got 'abc'``.
"""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import yaml

from grader.course.model import (
    SUBMIT_CHOICES,
    VISIBILITIES,
    Assignment,
    AutograderSettings,
    Course,
    LatePolicy,
    LimitSettings,
    PublishedLine,
    Translations,
)
from grader.errors import CourseError
from grader.i18n import LANGUAGES

COURSE_FILE = "course.yaml"
_ID = re.compile(r"[a-z_][a-z0-9_]*")
_TOP_KEYS = ("title", "seed", "language", "limits", "autograder", "assignments")
_AUTOGRADER_KEYS = ("hidden_visibility", "stdout_visibility")
_ASSIGNMENT_KEYS = ("id", "title", "limits", "due", "late_policy", "submit", "published_solution_lines")
_PUBLISHED_LINE_KEYS = ("line", "reason")
_LATE_POLICY_KEYS = ("percent_per_day", "zero_after")
# Below these a worker cannot even hold numpy, and every check would fail for the wrong reason.
_LIMIT_MINIMUMS = {"memory_mb": 256, "cpu_s": 1}


class _Mapping(dict):
    """A YAML mapping that remembers the line of each key, for error messages."""

    lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> _Mapping:  # type: ignore[override]
        mapping = _Mapping(super().construct_mapping(node, deep=True))
        mapping.lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
        return mapping


def _line_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    return loader.construct_mapping(node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _line_mapping)


def find_course(start: Path) -> Path | None:
    """The nearest folder holding course.yaml: ``start`` or a folder above it (as git finds .git)."""
    start = Path(start).resolve()
    return next((folder for folder in (start, *start.parents) if (folder / COURSE_FILE).is_file()), None)


def course_folder(given: Path | None, start: Path | None = None) -> Path:
    """The course to use: ``--course`` when given, else the nearest course folder from ``start``
    (default: the current folder) upwards, so a command works from ``assignments/<id>/`` too."""
    if given is not None:
        return Path(given)
    start = Path(start) if start is not None else Path.cwd()
    found = find_course(start)
    if found is None:
        raise CourseError(
            f"no {COURSE_FILE} in {start.resolve()} or in any folder above it",
            "run the command inside a course folder (or one of its sub-folders), or pass --course DIR (the folder "
            "holding course.yaml)",
        )
    return found


def load_course(root: Path) -> Course:
    """Load and validate ``root/course.yaml``; raise :class:`CourseError` on any problem."""
    root = Path(root)
    path = root / COURSE_FILE
    if not path.is_file():
        raise CourseError(
            f"{path}: no course.yaml here",
            "run the command inside a course folder, or pass --course DIR (the folder holding course.yaml)",
        )
    data = _parse(path)
    reader = _Reader(path)
    reader.keys(data, "", _TOP_KEYS)
    defaults = _limits(reader, data.get("limits"), "limits", LimitSettings())
    assignments = reader.list(data, "assignments", "")
    course = Course(
        root=root.resolve(),
        title=reader.text(data, "title", "", required=True),
        seed=reader.integer(data, "seed", "", default=0, minimum=0),
        language=reader.choice(data, "language", "", LANGUAGES),
        assignments=tuple(
            _assignment(reader, item, f"assignments[{i}]", root, defaults) for i, item in enumerate(assignments)
        ),
        autograder=_autograder(reader, data.get("autograder"), "autograder"),
    )
    _require_unique_ids(reader, course, assignments)
    return course


def _parse(path: Path) -> _Mapping:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise CourseError(
            f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})", "fix the YAML syntax at that line"
        ) from None
    except UnicodeDecodeError:
        raise CourseError(f"{path}: not UTF-8 text", "save course.yaml as UTF-8") from None
    if not isinstance(data, _Mapping):
        raise CourseError(f"{path}: must be a mapping with title and assignments", "see docs/course-format.md")
    return data


def _assignment(reader: _Reader, item: Any, where: str, root: Path, defaults: LimitSettings) -> Assignment:
    if not isinstance(item, dict):
        reader.fail(where, None, f"must be a mapping with an id, got {item!r}", "write `- id: my_assignment`")
    reader.keys(item, where, _ASSIGNMENT_KEYS)
    assignment_id = reader.string(item, "id", where, required=True)
    if not _ID.fullmatch(assignment_id):
        reader.fail(
            f"{where}.id",
            item,
            f"{assignment_id!r} is not a valid id",
            "use lower-case letters, digits and _ (a Python module name)",
        )
    assignment = Assignment(
        id=assignment_id,
        title=reader.text(item, "title", where, default=assignment_id),
        limits=_limits(reader, item.get("limits"), f"{where}.limits", defaults),
        public_dir=root.resolve() / "assignments" / assignment_id,
        solution_dir=root.resolve() / "solutions" / assignment_id,
        due=reader.instant(item, "due", where),
        late_policy=_late_policy(reader, item.get("late_policy"), f"{where}.late_policy"),
        published_solution_lines=_published_lines(reader, item, f"{where}.published_solution_lines"),
        submit=reader.choice(item, "submit", where, SUBMIT_CHOICES),
    )
    if not assignment.stub.is_file():
        reader.fail(
            f"{where}.id",
            item,
            f"assignment {assignment_id!r} has no file {assignment.stub.relative_to(root.resolve())}",
            f"create assignments/{assignment_id}/{assignment_id}.py (the stub), or remove the entry",
        )
    return assignment


def _limits(reader: _Reader, data: Any, where: str, base: LimitSettings) -> LimitSettings:
    if data is None:
        return base
    if not isinstance(data, dict):
        reader.fail(where, None, f"must be a mapping, got {data!r}", "write e.g. `limits: {timeout: 10}`")
    reader.keys(data, where, tuple(field.name for field in dataclasses.fields(LimitSettings)))
    values: dict[str, Any] = {}
    for field in dataclasses.fields(LimitSettings):
        if field.name in data:
            if field.type in (float, "float", "float | None"):
                values[field.name] = reader.positive_number(data, field.name, where)
            else:
                values[field.name] = reader.integer(data, field.name, where, minimum=_LIMIT_MINIMUMS.get(field.name, 1))
    return dataclasses.replace(base, **values)


def _late_policy(reader: _Reader, data: Any, where: str) -> LatePolicy:
    if data is None:
        return LatePolicy()
    if not isinstance(data, dict):
        reader.fail(where, None, f"must be a mapping, got {data!r}", "write e.g. `late_policy: {percent_per_day: 10}`")
    reader.keys(data, where, _LATE_POLICY_KEYS)
    percent = reader.percent(data, "percent_per_day", where) if "percent_per_day" in data else 0.0
    return LatePolicy(percent_per_day=percent, zero_after=reader.instant(data, "zero_after", where))


def _published_lines(reader: _Reader, item: dict, where: str) -> tuple[PublishedLine, ...]:
    if "published_solution_lines" not in item:
        return ()
    entries = item["published_solution_lines"]
    example = 'write `- {line: "h = np.tanh(x @ W)", reason: "the README\'s recurrence"}`'
    if not isinstance(entries, list):
        reader.fail(where, item, f"must be a list of lines with their reasons, got {entries!r}", example)
    lines = []
    for index, entry in enumerate(entries):
        at = f"{where}[{index}]"
        if not isinstance(entry, dict):
            reader.fail(at, None, f"must be a mapping with line and reason, got {entry!r}", example)
        reader.keys(entry, at, _PUBLISHED_LINE_KEYS)
        lines.append(
            PublishedLine(
                reader.string(entry, "line", at, required=True), reader.string(entry, "reason", at, required=True)
            )
        )
    return tuple(lines)


def _autograder(reader: _Reader, data: Any, where: str) -> AutograderSettings:
    if data is None:
        return AutograderSettings()
    if not isinstance(data, dict):
        reader.fail(
            where,
            None,
            f"must be a mapping, got {data!r}",
            "write e.g. `autograder: {hidden_visibility: after_published}`",
        )
    reader.keys(data, where, _AUTOGRADER_KEYS)
    defaults = AutograderSettings()
    return AutograderSettings(
        hidden_visibility=reader.choice(data, "hidden_visibility", where, VISIBILITIES) or defaults.hidden_visibility,
        stdout_visibility=reader.choice(data, "stdout_visibility", where, VISIBILITIES) or defaults.stdout_visibility,
    )


def _require_unique_ids(reader: _Reader, course: Course, items: list) -> None:
    seen: set[str] = set()
    for index, assignment in enumerate(course.assignments):
        if assignment.id in seen:
            reader.fail(
                f"assignments[{index}].id",
                items[index],
                f"duplicate id {assignment.id!r}",
                "give every assignment its own id",
            )
        seen.add(assignment.id)


class _Reader:
    """Typed access to parsed YAML, turning every bad value into a CourseError naming the field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, field: str, mapping: Any, problem: str, fix: str) -> NoReturn:
        key = field.rsplit(".", 1)[-1]
        line = getattr(mapping, "lines", {}).get(key)
        where = f"{self.path}:{line}" if line else str(self.path)
        raise CourseError(f"{where}: {field}: {problem}", fix)

    def keys(self, mapping: dict, where: str, allowed: tuple[str, ...]) -> None:
        for key in mapping:
            if key not in allowed:
                self.fail(
                    _join(where, str(key)), mapping, f"unknown key {key!r}", f"allowed keys here: {', '.join(allowed)}"
                )

    def string(self, mapping: dict, key: str, where: str, required: bool = False, default: str | None = None) -> Any:
        if key not in mapping:
            if required:
                self.fail(_join(where, key), mapping, "is missing", f"add `{key}: ...`")
            return default
        value = mapping[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(
                _join(where, key), mapping, f"must be a non-empty string, got {value!r}", f"write `{key}: some text`"
            )
        return value

    def text(self, mapping: dict, key: str, where: str, required: bool = False, default: str | None = None) -> Any:
        """A text students read: one string for every language, or a mapping from language to string."""
        value = mapping.get(key)
        if not isinstance(value, dict):
            return self.string(mapping, key, where, required, default)
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown or not value:
            self.fail(
                _join(where, key),
                mapping,
                f"has languages {unknown or 'none'}; allowed: {', '.join(LANGUAGES)}",
                f"write `{key}: {{en: ..., ko: ...}}` or one string",
            )
        for language in value:
            self.string(value, language, _join(where, key), required=True)
        return Translations(value)

    def positive_number(self, mapping: dict, key: str, where: str) -> float:
        value = mapping[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            self.fail(
                _join(where, key),
                mapping,
                f"must be a positive number of seconds, got {value!r}",
                f"write e.g. `{key}: 10`",
            )
        return float(value)

    def percent(self, mapping: dict, key: str, where: str) -> float:
        value = mapping[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            self.fail(
                _join(where, key),
                mapping,
                f"must be a percentage between 0 and 100, got {value!r}",
                f"write e.g. `{key}: 10`",
            )
        return float(value)

    def instant(self, mapping: dict, key: str, where: str) -> datetime | None:
        """An ISO 8601 date and time with a UTC offset (``2026-12-01T23:59:00+09:00``)."""
        if key not in mapping:
            return None
        value = mapping[key]
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                pass
        if not isinstance(value, datetime) or value.tzinfo is None:
            self.fail(
                _join(where, key),
                mapping,
                f"must be a date and time with a UTC offset, got {value!r}",
                f"write e.g. `{key}: 2026-12-01T23:59:00+09:00` (the offset makes the deadline unambiguous)",
            )
        return value

    def integer(self, mapping: dict, key: str, where: str, default: int = 0, minimum: int = 0) -> int:
        if key not in mapping:
            return default
        value = mapping[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(
                _join(where, key),
                mapping,
                f"must be a whole number >= {minimum}, got {value!r}",
                f"write e.g. `{key}: {max(minimum, 1)}`",
            )
        return value

    def choice(self, mapping: dict, key: str, where: str, options: tuple[str, ...]) -> Any:
        if key not in mapping:
            return None
        if mapping[key] not in options:
            self.fail(
                _join(where, key),
                mapping,
                f"must be one of {', '.join(options)}, got {mapping[key]!r}",
                f"write `{key}: {options[0]}`",
            )
        return mapping[key]

    def list(self, mapping: dict, key: str, where: str) -> list:
        value = mapping.get(key)
        if not isinstance(value, list) or not value:
            self.fail(
                _join(where, key),
                mapping,
                "must be a non-empty list of assignments",
                "write `assignments:` followed by `- id: ...` entries",
            )
        return value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
