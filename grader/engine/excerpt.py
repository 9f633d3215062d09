"""The line of a student's file that an error points at, quoted with a caret under its column.

The text comes from the parent's own copy of the submission (for a notebook, the module made of its
cells, whose lines are the cells' lines): only the line and column numbers come from the worker. The
caret is placed by display width, so a line with Korean (two columns a character) still lines up.
"""

from __future__ import annotations

import unicodedata

INDENT = "    "
TAB_SIZE = 4
MAX_WIDTH = 160
"""Characters of the line shown; a longer one is cut with an ellipsis (after the caret's column)."""


def excerpt(source: str, line: int, column: int | None = None) -> str:
    """``source``'s line ``line`` (1-based), dedented, and a caret under ``column`` (1-based, in
    characters of that line) when given; "" when there is no such line."""
    lines = source.splitlines()
    if not 1 <= line <= len(lines) or not lines[line - 1].strip():
        return ""
    raw = lines[line - 1]
    text = raw.expandtabs(TAB_SIZE)
    indent = len(text) - len(text.lstrip())
    shown = text.strip()
    if column is None or not 1 <= column <= len(raw) + 1:
        return INDENT + _cut(shown, MAX_WIDTH)
    before = raw[: column - 1].expandtabs(TAB_SIZE)[indent:]  # tabs expand the same in a prefix
    shown = _cut(shown, max(MAX_WIDTH, len(before) + 10))
    return f"{INDENT}{shown}\n{INDENT}{' ' * _width(before)}^"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _width(text: str) -> int:
    """Terminal columns ``text`` takes: wide (East Asian) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
