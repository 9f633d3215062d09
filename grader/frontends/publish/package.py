"""The grader itself, packed for where it goes: a wheel for students, a source tree for the autograder.

Both are made from the grader that runs ``grader publish`` (the installed package's files, never the
course), so students and the autograder grade with exactly the instructor's version. The wheel is
written here rather than by a build backend: a pure-Python wheel is a zip with three small metadata
files, and this way publishing needs no network and no build tools.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from importlib import metadata
from pathlib import Path

from grader.errors import GraderError
from grader.frontends.publish.files import copy_file, publishable_files
from grader.frontends.publish.templates import template

DISTRIBUTION = "grader"
CONSTRAINTS = "constraints.txt"
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def package_dir() -> Path:
    """The folder of the running grader package."""
    return Path(__file__).resolve().parents[2]


def package_files() -> list[tuple[str, Path]]:
    """(path inside an archive, file) for every file of the grader package, caches excluded."""
    root = package_dir()
    return [(f"grader/{path.relative_to(root).as_posix()}", path) for path in publishable_files(root)]


def copy_package(target: Path) -> None:
    """Copy the grader package to ``target/grader/``."""
    for name, path in package_files():
        copy_file(path, target / name)


def requirements() -> list[str]:
    """The grader's run-time dependencies, as declared by its distribution (extras left out)."""
    return [line for line in _distribution().requires or [] if "extra ==" not in line]


def pinned_requirements() -> list[str]:
    """Every package the grader needs to run, ``name==version`` at the versions its tests ran with
    (grader/templates/constraints.txt)."""
    return [line for line in constraints().splitlines() if line.strip() and not line.startswith("#")]


def constraints() -> str:
    """The text of the pins file (shipped as is in the release, read by the bundle and the workflows)."""
    return template(CONSTRAINTS)


def wheel_name() -> str:
    return f"{DISTRIBUTION}-{_distribution().version}-py3-none-any.whl"


def build_wheel(target_dir: Path) -> Path:
    """Write the grader as a pure-Python wheel into ``target_dir``; returns its path."""
    dist = _distribution()
    dist_info = f"{DISTRIBUTION}-{dist.version}.dist-info"
    entries = [(name, path.read_bytes()) for name, path in package_files()]
    entries += [(f"{dist_info}/{name}", text.encode()) for name, text in _metadata_files(dist).items()]
    record = (
        "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in entries) + f"{dist_info}/RECORD,,\n"
    )
    entries.append((f"{dist_info}/RECORD", record.encode()))
    target = Path(target_dir) / wheel_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries:
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
    return target


def _metadata_files(dist: metadata.Distribution) -> dict[str, str]:
    meta = dist.metadata
    lines = ["Metadata-Version: 2.1", f"Name: {DISTRIBUTION}", f"Version: {dist.version}"]
    lines += [f"{field}: {meta[field]}" for field in ("Summary", "Requires-Python") if field in meta and meta[field]]
    lines += [f"Requires-Dist: {requirement}" for requirement in requirements()]
    scripts = [entry for entry in dist.entry_points if entry.group == "console_scripts"]
    return {
        "METADATA": "\n".join(lines) + "\n",
        "WHEEL": "Wheel-Version: 1.0\nGenerator: grader publish\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "entry_points.txt": "[console_scripts]\n" + "".join(f"{e.name} = {e.value}\n" for e in scripts),
        "top_level.txt": "grader\n",
    }


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _distribution() -> metadata.Distribution:
    try:
        return metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise GraderError(
            "the grader is not installed as a package, so it cannot be packed for students and the autograder",
            "install it (`pip install -e .` in the grader's folder) and publish again",
        ) from None
