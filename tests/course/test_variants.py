"""The buggy variants are materialised from their reference, and a variant that no longer fits it fails loudly.

What each variant does to the grade is tested in test_checks.py, where it differs from the reference in
test_course_files.py; here: the helper tests/course/variants.py itself.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.course.variants import ROOT, VariantError, load, variant, variants

FLIPPED = """\
bug: |-
  conv2d_forward flips the kernel.
check: |-
  conv2d_forward: "flipped kernel".
affects: [conv2d_forward]
edits:
- old: |2
        return np.einsum("ncijpq,fcpq->nfij", windows, w) + b[None, :, None, None]
  new: |2
        return np.einsum("ncijpq,fcpq->nfij", windows, w[:, :, ::-1, ::-1]) + b[None, :, None, None]
"""


def write(tmp_path: Path, text: str, name: str = "broken") -> Path:
    path = tmp_path / "conv" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_variant_is_its_reference_with_the_header_and_the_edits(tmp_path):
    reference = (ROOT / "solutions/conv/conv.py").read_text(encoding="utf-8")
    source = load(write(tmp_path, FLIPPED)).source()
    assert source.startswith(
        '"""Bug: conv2d_forward flips the kernel.\n\nCheck: conv2d_forward: "flipped kernel".\n'
        'Affects: conv2d_forward\n"""\n'
    )
    assert "w[:, :, ::-1, ::-1]" in source and "w[:, :, ::-1, ::-1]" not in reference
    assert "# BEGIN SOLUTION" in reference and "SOLUTION" not in source
    compile(source, "flipped.py", "exec")


@pytest.mark.parametrize("old, count", [("w_not_in_the_reference", 0), ("np.einsum", 3)])
def test_an_edit_whose_old_text_is_not_there_exactly_once_fails_naming_the_variant_file(tmp_path, old, count):
    reference = (ROOT / "solutions/conv/conv.py").read_text(encoding="utf-8")
    assert reference.count(old) == count
    path = write(tmp_path, FLIPPED + f"- old: {old}\n  new: x\n")
    with pytest.raises(VariantError, match=re.escape(f"{path}: edit 2: its old text is found {count} times")):
        load(path).source()


@pytest.mark.parametrize(
    "text",
    [
        "bug: b\ncheck: c\naffects: [f]\n",
        FLIPPED + "fixed: true\n",
        FLIPPED.replace("affects: [conv2d_forward]", "affects: conv2d_forward"),
        FLIPPED.replace("  new: |2", "  neww: |2"),
        "bug: [unclosed\n",
    ],
    ids=["no edits", "an unknown key", "affects not a list", "a misspelt edit field", "not YAML"],
)
def test_a_malformed_variant_file_is_an_error_naming_it(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(VariantError, match=re.escape(str(path))):
        load(path)


def test_variants_are_listed_by_assignment_and_name():
    everything = variants()
    assert everything == sorted(everything, key=lambda v: (v.assignment, v.name))
    assert [v for v in everything if v.assignment == "conv"] == variants("conv")
    assert variant("conv", "flipped_kernel") in variants("conv")
    with pytest.raises(VariantError, match="flipped_kernel"):  # an unknown name lists the known ones
        variant("conv", "no_such_variant")


def test_each_variant_is_written_as_a_python_file(tmp_path):
    for v in variants():
        path = v.write(tmp_path / v.assignment)
        assert path == tmp_path / v.assignment / f"{v.name}.py"
        assert path.read_bytes() == v.source().encode("utf-8")
        compile(v.source(), str(path), "exec")


def test_the_command_line_prints_one_variant():
    done = subprocess.run(
        [sys.executable, "-m", "tests.course.variants", "conv", "flipped_kernel"],
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert done.stdout == variant("conv", "flipped_kernel").source().encode("utf-8")
