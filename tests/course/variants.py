"""The buggy variants of the bundled references, stored as their difference from the reference.

A variant ``tests/course/buggy/<id>/<name>.yaml`` is the reference ``solutions/<id>/<id>.py`` with one
typical student bug. It holds the header fields ``bug``, ``check`` and ``affects`` and a list of ``edits``,
exact ``old`` -> ``new`` text replacements. Its module is materialised on demand:

1. the reference, without its ``# BEGIN SOLUTION`` / ``# END SOLUTION`` lines;
2. its module docstring replaced by the header ``Bug: ...``, ``Check: ...``, ``Affects: ...``;
3. each edit applied in order to the code after that docstring. Its ``old`` text must be there exactly
   once, or materialising fails with a :class:`VariantError` naming the variant file: a change to the
   reference that a variant no longer fits is noticed instead of silently leaving the variant behind.

From the command line (in the repository root)::

    python -m tests.course.variants                            # list the variants
    python -m tests.course.variants conv flipped_kernel > /tmp/flipped_kernel.py
    grader grade conv --submission /tmp/flipped_kernel.py
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from grader.course.markers import solution_blocks, source_lines

ROOT = Path(__file__).resolve().parents[2]
BUGGY = Path(__file__).resolve().parent / "buggy"
FIELDS = ("bug", "check", "affects", "edits")


class VariantError(Exception):
    """A variant file that cannot be read or no longer fits its reference."""


@dataclass(frozen=True)
class Variant:
    """One buggy variant: where it is stored and what it says about itself."""

    assignment: str
    name: str
    path: Path
    """The ``.yaml`` file."""
    bug: str
    check: str
    affects: tuple[str, ...]
    """The graded functions whose results differ from the reference's."""
    edits: tuple[tuple[str, str], ...]
    """``(old, new)`` exact text replacements, applied in order."""

    @property
    def reference(self) -> Path:
        return ROOT / "solutions" / self.assignment / f"{self.assignment}.py"

    def source(self) -> str:
        """The variant's module: the reference without markers, with this header and these edits."""
        text = _without_markers(self.reference)
        code = text[_docstring_end(text, self.reference) :]
        for number, (old, new) in enumerate(self.edits, start=1):
            count = code.count(old)
            if count != 1:
                raise VariantError(
                    f"{self.path}: edit {number}: its old text is found {count} times in "
                    f"{self.reference.relative_to(ROOT)} "
                    f"(solution markers and docstring left out, earlier edits applied), not exactly once:\n{old}"
                )
            code = code.replace(old, new)
        return f'"""Bug: {self.bug}\n\nCheck: {self.check}\nAffects: {", ".join(self.affects)}\n"""' + code

    def write(self, folder: Path, filename: str | None = None) -> Path:
        """Materialise the variant as ``folder/<filename>`` (default ``<name>.py``); returns the path."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (filename or f"{self.name}.py")
        path.write_bytes(self.source().encode("utf-8"))
        return path


def variants(assignment_id: str | None = None) -> list[Variant]:
    """The variants of one assignment (or of all), ordered by assignment and name."""
    folders = [BUGGY / assignment_id] if assignment_id else sorted(p for p in BUGGY.iterdir() if p.is_dir())
    return [load(path) for folder in folders for path in sorted(folder.glob("*.yaml"), key=lambda p: p.stem)]


def variant(assignment_id: str, name: str) -> Variant:
    """One variant by assignment id and name."""
    path = BUGGY / assignment_id / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(v.name for v in variants(assignment_id)) if (BUGGY / assignment_id).is_dir() else "none"
        raise VariantError(f"{path}: no such variant (variants of {assignment_id!r}: {known})")
    return load(path)


def load(path: Path) -> Variant:
    """The variant stored in ``path`` (``<folder named after the assignment>/<name>.yaml``), validated."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise VariantError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict) or set(data) != set(FIELDS):
        keys = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise VariantError(f"{path}: expected exactly the keys {', '.join(FIELDS)}, got {keys}")
    if not (isinstance(data["bug"], str) and isinstance(data["check"], str)):
        raise VariantError(f"{path}: bug and check must be text")
    if not (isinstance(data["affects"], list) and data["affects"] and all(isinstance(a, str) for a in data["affects"])):
        raise VariantError(f"{path}: affects must be a non-empty list of function names")
    edits = data["edits"]
    if not (isinstance(edits, list) and edits):
        raise VariantError(f"{path}: edits must be a non-empty list")
    for number, edit in enumerate(edits, start=1):
        if not (
            isinstance(edit, dict)
            and set(edit) == {"old", "new"}
            and all(isinstance(v, str) for v in edit.values())
            and edit["old"]
        ):
            raise VariantError(f"{path}: edit {number} must have exactly the text fields old (not empty) and new")
    return Variant(
        path.parent.name,
        path.stem,
        path,
        data["bug"],
        data["check"],
        tuple(data["affects"]),
        tuple((edit["old"], edit["new"]) for edit in edits),
    )


def _without_markers(reference: Path) -> str:
    text = reference.read_text(encoding="utf-8")
    markers = {line for block in solution_blocks(text, reference) for line in (block.begin, block.end)}
    return "".join(line for number, line in enumerate(source_lines(text), start=1) if number not in markers)


def _docstring_end(text: str, reference: Path) -> int:
    """Where the module docstring that opens ``text`` ends (after its closing quotes)."""
    close = text.find('"""', 3) if text.startswith('"""') else -1
    if close < 0 or ast.get_docstring(ast.parse(text), clean=False) != text[3:close]:
        raise VariantError(f"{reference}: must open with a module docstring in triple double quotes")
    return close + 3


def main(argv: list[str]) -> int:
    if not argv:
        for v in variants():
            print(f"{v.assignment} {v.name}: {v.bug}")
        return 0
    if len(argv) != 2:
        print("usage: python -m tests.course.variants [ASSIGNMENT NAME]   (no arguments: list them)", file=sys.stderr)
        return 2
    try:
        source = variant(*argv).source()
    except VariantError as error:
        print(error, file=sys.stderr)
        return 1
    sys.stdout.buffer.write(source.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
