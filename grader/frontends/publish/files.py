"""File helpers for publishing: copies without caches, directories swapped in whole, reproducible zips."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

# Python's caches never belong in a release or a bundle (they would carry an instructor's compiled
# solutions, for one).
_SKIPPED_PARTS = ("__pycache__", ".pytest_cache", ".ipynb_checkpoints")
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
# Zip entries get this timestamp, so that publishing the same course twice gives the same bytes.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def publishable_files(root: Path) -> list[Path]:
    """Every file under ``root`` except caches, sorted."""
    return sorted(
        path
        for path in Path(root).rglob("*")
        if path.is_file()
        and not any(part in _SKIPPED_PARTS for part in path.parts)
        and path.suffix not in _SKIPPED_SUFFIXES
    )


def copy_file(source: Path, target: Path, mode: int | None = None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    if mode is not None:
        target.chmod(mode)


def write_text(target: Path, text: str, mode: int | None = None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    if mode is not None:
        target.chmod(mode)


@contextlib.contextmanager
def replaced_directory(target: Path) -> Iterator[Path]:
    """Build a directory in a temporary sibling; on success it replaces ``target``, on error it is removed.

    Readers never see a half-written release, and a failed publish (a leak found, say) leaves
    nothing behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield staging
        staging.chmod(0o755)
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_zip(source_dir: Path, target: Path) -> None:
    """Zip the contents of ``source_dir`` (paths relative to it, file modes kept) to ``target``, atomically."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(temp_name, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in publishable_files(source_dir):
                info = zipfile.ZipInfo(path.relative_to(source_dir).as_posix(), _ZIP_TIME)
                info.external_attr = (path.stat().st_mode & 0o777 | 0o100000) << 16  # regular file + mode
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
