"""The bundled course and one sandbox launcher for it, shared by a test module's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.course import Course, load_course
from grader.sandbox.launcher import Launcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(ROOT)


@pytest.fixture(scope="module")
def launcher(course: Course, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    base = tmp_path_factory.mktemp("sandbox")
    base.chmod(0o755)  # workers run as other uids and must reach their folders below it
    launcher = Launcher(denied_roots=[course.solutions_dir], base_dir=base)
    yield launcher
    launcher.close()
