"""The files ``grader publish`` writes verbatim: workflows and the autograder's scripts (grader/templates/)."""

from __future__ import annotations

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"


def template(name: str) -> str:
    """The text of ``grader/templates/<name>`` (e.g. ``workflows/student.yml``)."""
    return (TEMPLATES_DIR / name).read_text(encoding="utf-8")
