"""Finding submissions, shards, fingerprints and safe zip extraction."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from pathlib import Path

import pytest

from grader.course import load_course
from grader.errors import UsageError
from grader.frontends.batch.discover import Shard, discover, parse_shard, shard_of
from grader.frontends.batch.hashing import course_hash, submission_hash
from grader.frontends.batch.zips import ZipLimits, ZipRejected, extract_python_files
from grader.i18n import render
from tests.batch.helpers import REFERENCE, write_class, write_zip


def test_folders_and_zips_are_submissions_and_other_entries_are_ignored(tmp_path: Path) -> None:
    folder = write_class(tmp_path / "subs", {"bob": REFERENCE, "alice": REFERENCE})
    write_zip(folder / "carol.zip", {"vectors.py": REFERENCE})
    (folder / ".DS_Store").write_text("")
    (folder / "notes.txt").write_text("")
    (folder / ".hidden").mkdir()
    found = discover(folder)
    assert [(s.student, s.kind, s.problem) for s in found] == [
        ("alice", "folder", None),
        ("bob", "folder", None),
        ("carol", "zip", None),
    ]


def test_a_student_with_both_a_folder_and_a_zip_or_a_link_is_a_problem_for_that_student_only(tmp_path: Path) -> None:
    folder = write_class(tmp_path / "subs", {"alice": REFERENCE, "bob": REFERENCE})
    write_zip(folder / "alice.zip", {"vectors.py": REFERENCE})
    os.symlink(folder / "bob", folder / "mallory")
    problems = {s.student: render(s.problem, "en") if s.problem else None for s in discover(folder)}
    assert problems["bob"] is None
    assert "two submissions" in problems["alice"] and "alice.zip" in problems["alice"]
    assert "symbolic link" in problems["mallory"]


def test_student_ids_select_submissions_and_an_unknown_id_is_a_usage_error(tmp_path: Path) -> None:
    folder = write_class(tmp_path / "subs", {"alice": REFERENCE, "bob": REFERENCE})
    assert [s.student for s in discover(folder, students=("bob",))] == ["bob"]
    with pytest.raises(UsageError, match="no submission for 'zoe'"):
        discover(folder, students=("zoe",))


def test_shards_split_the_class_into_disjoint_parts_by_a_stable_hash_of_the_id(tmp_path: Path) -> None:
    ids = [f"student{i:03d}" for i in range(60)] + ["김민준", "=cmd"]
    folder = write_class(tmp_path / "subs", {student: REFERENCE for student in ids})
    parts = [[s.student for s in discover(folder, Shard(k, 3))] for k in (1, 2, 3)]
    assert sorted(sum(parts, [])) == sorted(ids) and all(parts)
    for k, part in enumerate(parts, start=1):
        for student in part:  # the documented rule, recomputed here: SHA-256 of the UTF-8 id, first 8 bytes
            assert (
                int.from_bytes(hashlib.sha256(student.encode()).digest()[:8], "big") % 3 + 1
                == k
                == shard_of(student, 3)
            )


@pytest.mark.parametrize("text", ["0/3", "4/3", "a/b", "2", "1/0", "-1/2"])
def test_a_malformed_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="K/N"):
        parse_shard(text)


def test_a_submission_fingerprint_changes_with_any_file_and_only_then(tmp_path: Path) -> None:
    folder = write_class(tmp_path / "subs", {"alice": REFERENCE})
    (submission,) = discover(folder)
    first = submission_hash(submission)
    assert submission_hash(submission) == first
    (folder / "alice" / "notes.md").write_text("extra")
    second = submission_hash(submission)
    (folder / "alice" / "notes.md").rename(folder / "alice" / "other.md")
    assert len({first, second, submission_hash(submission)}) == 3


def test_the_course_fingerprint_covers_course_yaml_checks_references_and_options(mini_course: Path) -> None:
    (mini_course / "assignments/vectors/checks_common.py").write_text("SHAPE = (3, 4)\n")
    course = load_course(mini_course)
    base = course_hash(course, {"language": "en"})
    assert course_hash(course, {"language": "en"}) == base and course_hash(course, {"language": "ko"}) != base
    seen = {base}
    for relative in (
        "course.yaml",
        "assignments/vectors/checks.py",
        "assignments/vectors/checks_common.py",
        "solutions/vectors/checks_hidden.py",
        "solutions/vectors/vectors.py",
    ):
        with (mini_course / relative).open("a") as file:
            file.write("\n# changed\n")
        seen.add(course_hash(load_course(mini_course), {"language": "en"}))
    assert len(seen) == 6


def test_a_zip_yields_its_python_files_and_a_zipped_folder_its_folder(tmp_path: Path) -> None:
    plain = write_zip(
        tmp_path / "a.zip", {"vectors.py": REFERENCE, "data.bin": b"\0" * 10, "__MACOSX/._vectors.py": "x"}
    )
    target = tmp_path / "a"
    target.mkdir()
    assert extract_python_files(plain, target) == target
    assert sorted(p.name for p in target.rglob("*") if p.is_file()) == ["vectors.py"]
    nested = write_zip(tmp_path / "b.zip", {"alice/vectors.py": REFERENCE, "alice/vectors/": ""})
    (tmp_path / "b").mkdir()
    assert extract_python_files(nested, tmp_path / "b") == tmp_path / "b" / "alice"


@pytest.mark.parametrize("name", ["/etc/evil.py", "../evil.py", "a/../../evil.py", "C:\\evil.py", "..\\evil.py"])
def test_a_zip_with_a_path_leading_out_is_rejected_before_anything_is_written(tmp_path: Path, name: str) -> None:
    archive = write_zip(tmp_path / "evil.zip", {"vectors.py": REFERENCE, name: "print('escaped')"})
    target = tmp_path / "deep" / "target"
    target.mkdir(parents=True)
    with pytest.raises(ZipRejected, match="unsafe path"):
        extract_python_files(archive, target)
    assert list(tmp_path.rglob("evil.py")) == [] and list(target.iterdir()) == []


def test_a_zip_holding_a_symbolic_link_is_rejected(tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        info = zipfile.ZipInfo("vectors.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(info, "../../bob/vectors.py")
    (tmp_path / "t").mkdir()
    with pytest.raises(ZipRejected, match="symbolic link"):
        extract_python_files(archive, tmp_path / "t")


def test_a_zip_bomb_is_stopped_by_the_bytes_actually_inflated(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "bomb.zip", {"vectors.py": b"#" * (3 * 1024 * 1024)})
    assert archive.stat().st_size < 50_000  # it really is a bomb: tiny on disk
    (tmp_path / "t").mkdir()
    with pytest.raises(ZipRejected, match="more than 1 MB"):
        extract_python_files(archive, tmp_path / "t", ZipLimits(max_total_mb=1))
    assert sum(p.stat().st_size for p in (tmp_path / "t").rglob("*") if p.is_file()) <= 1024 * 1024 + 65536


def test_too_many_members_duplicates_and_garbage_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    many = write_zip(tmp_path / "many.zip", {f"f{i}.txt": "" for i in range(12)})
    with pytest.raises(ZipRejected, match="12 entries"):
        extract_python_files(many, tmp_path / "t", ZipLimits(max_members=10))
    twice = tmp_path / "twice.zip"
    with zipfile.ZipFile(twice, "w") as zipped:
        zipped.writestr("vectors.py", "a = 1")
        with pytest.warns(UserWarning):
            zipped.writestr("vectors.py", "a = 2")
    with pytest.raises(ZipRejected, match="twice"):
        extract_python_files(twice, tmp_path / "t")
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ZipRejected, match="cannot be read"):
        extract_python_files(garbage, tmp_path / "t")
