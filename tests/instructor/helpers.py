"""Shared by the instructor-workflow tests: paths and a private course to modify."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MINI_COURSE = ROOT / "tests" / "fixtures" / "mini_course"
BUNDLED_IDS = ("rnn_backward", "conv", "logistic_regression", "self_attention")


def copy_course(source: Path, target: Path) -> Path:
    """A private copy of a course (course.yaml, assignments/, solutions/) that a test may change."""
    target.mkdir(parents=True)
    shutil.copy(source / "course.yaml", target / "course.yaml")
    for folder in ("assignments", "solutions"):
        shutil.copytree(source / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a course file; the text to replace must be there exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
