"""`run_batch` on small classes of the mini course: results, gradebook, resume, isolation, shards and merge."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.course import load_course
from grader.errors import CourseError, UsageError
from grader.frontends.batch.discover import Shard
from grader.frontends.batch.options import BatchOptions
from grader.frontends.batch.outputs import merge
from grader.frontends.batch.runner import run_batch
from grader.frontends.notebook.stub import stub_notebook
from grader.frontends.report.jsonreport import to_dict
from tests.batch.helpers import REFERENCE, STUB, WRONG_ADD, results, write_class, write_zip
from tests.commandline import run_grader
from tests.engine.helpers import grade_files


def statuses(document: dict) -> list[tuple[str, str]]:
    return [(check["name"], check["status"]) for a in document["assignments"] for check in a["checks"]]


def grades_rows(out: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8-sig"), newline="")))


@pytest.fixture
def small_class(tmp_path: Path) -> Path:
    folder = write_class(tmp_path / "subs", {"alice": REFERENCE, "bob": STUB, "carol": WRONG_ADD, "=cmd": REFERENCE})
    write_zip(folder / "dave.zip", {"dave/vectors.py": REFERENCE})
    (folder / "eve.zip").write_bytes(b"not a zip at all")
    return folder


@pytest.mark.slow
def test_a_class_is_graded_like_grade_grades_each_student(mini_course: Path, small_class: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_batch(BatchOptions(submissions_dir=small_class, course_dir=mini_course, out_dir=out, jobs=2))
    assert (summary.submissions, summary.graded, summary.failed, summary.skipped, summary.interrupted) == (
        6,
        6,
        1,
        0,
        False,
    )
    stored = results(out)
    assert sorted(stored) == ["=cmd", "alice", "bob", "carol", "dave", "eve"]
    course = load_course(mini_course)
    for student in ("alice", "bob", "carol", "=cmd"):
        expected = to_dict(grade_files(course, small_class / student))
        assert stored[student]["score"] == expected["score"] and statuses(stored[student]) == statuses(expected)
        assert stored[student]["batch"]["status"] == "graded"
    assert (
        stored["dave"]["score"] == stored["alice"]["score"]
        and stored["dave"]["assignments"][0]["file"] == "dave.zip/dave/vectors.py"
    )
    assert stored["eve"]["batch"]["status"] == "error" and "cannot be read as a zip" in stored["eve"]["batch"]["error"]
    rows = {row[0]: row for row in grades_rows(out)[1:]}
    assert set(rows) == {"'=cmd", "alice", "bob", "carol", "dave", "eve"}
    assert rows["alice"][2] == str(int(stored["alice"]["score"])) and rows["eve"][2] == ""
    assert (out / "report.html").is_file() and (out / "checks.csv").is_file()
    assert not (out / ".staging").exists() and not list(out.rglob("*.tmp"))


@pytest.mark.slow
def test_a_rerun_grades_only_what_changed(mini_course: Path, tmp_path: Path) -> None:
    folder = write_class(tmp_path / "subs", {"alice": REFERENCE, "bob": STUB, "carol": WRONG_ADD})
    options = BatchOptions(submissions_dir=folder, course_dir=mini_course, out_dir=tmp_path / "out", jobs=1)
    first = run_batch(options)
    graded_at = {student: document["batch"]["graded_at"] for student, document in results(options.out_dir).items()}
    again = run_batch(options)
    assert (first.graded, again.graded, again.skipped) == (3, 0, 3)
    assert {s: d["batch"]["graded_at"] for s, d in results(options.out_dir).items()} == graded_at
    (folder / "bob" / "vectors.py").write_text(REFERENCE)
    after_fix = run_batch(options)
    assert (after_fix.graded, after_fix.skipped) == (1, 2) and results(options.out_dir)["bob"]["percent"] == 100.0
    with (mini_course / "assignments/vectors/checks.py").open("a") as checks:
        checks.write("\n# the instructor edits a check\n")
    assert run_batch(options).graded == 3
    assert (
        run_batch(
            BatchOptions(submissions_dir=folder, course_dir=mini_course, out_dir=options.out_dir, jobs=1, force=True)
        ).graded
        == 3
    )


@pytest.mark.slow
def test_selected_students_are_graded_and_the_gradebook_still_lists_everyone_graded(
    mini_course: Path, tmp_path: Path
) -> None:
    folder = write_class(tmp_path / "subs", {"alice": REFERENCE, "bob": STUB})
    out = tmp_path / "out"
    assert (
        run_batch(
            BatchOptions(submissions_dir=folder, course_dir=mini_course, out_dir=out, jobs=1, students=("bob",))
        ).graded
        == 1
    )
    assert [row[0] for row in grades_rows(out)[1:]] == ["bob"]
    run_batch(BatchOptions(submissions_dir=folder, course_dir=mini_course, out_dir=out, jobs=1, students=("alice",)))
    assert [row[0] for row in grades_rows(out)[1:]] == ["alice", "bob"]


def test_a_students_code_cannot_read_other_submissions_or_the_results(mini_course: Path, tmp_path: Path) -> None:
    subs, out = tmp_path / "subs", tmp_path / "out"
    spy = (
        "import os\n"
        "def attempt(action):\n"
        "    try:\n"
        "        return 'LEAK ' + str(action())[:40]\n"
        "    except Exception as exc:\n"
        "        return 'denied ' + type(exc).__name__ + ': ' + str(exc)\n"
        f"FOUND = [attempt(lambda: open({str(subs / 'alice' / 'vectors.py')!r}).read()),\n"
        f"         attempt(lambda: os.listdir({str(subs)!r})),\n"
        f"         attempt(lambda: os.listdir({str(out)!r})),\n"
        f"         attempt(lambda: open({str(out / 'results' / 'alice.json')!r}).read())]\n"
        "def add(a, b):\n"
        "    raise RuntimeError(' | '.join(FOUND))\n"
    )
    write_class(subs, {"alice": REFERENCE + "\nSECRET = 'alice-private-token'\n", "zed": spy})
    run_batch(
        BatchOptions(submissions_dir=subs, course_dir=mini_course, out_dir=out, jobs=1)
    )  # alice is graded (and written) first
    message = next(c["message"] for c in results(out)["zed"]["assignments"][0]["checks"] if c["name"] == "add_small")
    # The fence's own words: the worker is denied by the batch's denied roots, not only by file modes.
    assert message.count("denied PermissionError") == 4 and message.count("not allowed in graded code") == 4, message
    assert "LEAK" not in message and "alice-private-token" not in json.dumps(results(out)["zed"])


@pytest.mark.slow
def test_shards_graded_apart_and_merged_give_the_gradebook_of_one_run(mini_course: Path, tmp_path: Path) -> None:
    students = {f"s{i}": (REFERENCE, STUB, WRONG_ADD)[i % 3] for i in range(7)}
    folder = write_class(tmp_path / "subs", students)
    whole = tmp_path / "whole"
    run_batch(BatchOptions(submissions_dir=folder, course_dir=mini_course, out_dir=whole, jobs=2))
    parts = [tmp_path / f"part{k}" for k in (1, 2)]
    sizes = [
        run_batch(
            BatchOptions(submissions_dir=folder, course_dir=mini_course, out_dir=part, jobs=1, shard=Shard(k, 2))
        ).submissions
        for k, part in enumerate(parts, start=1)
    ]
    assert sum(sizes) == 7 and all(sizes)
    outputs, warnings = merge(parts, tmp_path / "merged")
    assert warnings == [] and len(outputs.stats.rows) == 7
    assert grades_rows(tmp_path / "merged") == grades_rows(whole)
    assert sorted(results(tmp_path / "merged")) == sorted(students)


def test_a_broken_course_stops_the_batch_before_grading_and_overlapping_folders_are_refused(
    mini_course: Path, tmp_path: Path
) -> None:
    folder = write_class(tmp_path / "subs", {"alice": REFERENCE})
    with pytest.raises(UsageError, match="overlap"):
        run_batch(BatchOptions(submissions_dir=folder, course_dir=mini_course, out_dir=folder / "out"))
    (mini_course / "solutions/vectors/checks_hidden.py").write_text("this is not python\n")
    with pytest.raises(CourseError, match="checks_hidden.py"):
        run_batch(BatchOptions(submissions_dir=folder, course_dir=mini_course, out_dir=tmp_path / "out"))
    assert not (tmp_path / "out" / "results").exists()


def test_a_zipped_notebook_is_graded_and_the_worked_in_file_wins_over_the_stub(
    mini_course: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    notebook = nbformat.writes(new_notebook(cells=[new_code_cell(REFERENCE)]))
    write_zip(folder / "nora.zip", {"vectors.ipynb": notebook, "vectors.py": STUB})  # worked in the notebook
    write_zip(folder / "pyotr.zip", {"vectors.py": REFERENCE, "vectors.ipynb": _stub_notebook(mini_course)})
    run_batch(BatchOptions(submissions_dir=folder, course_dir=mini_course, out_dir=tmp_path / "out", jobs=1))
    stored = results(tmp_path / "out")
    assert stored["nora"]["percent"] == stored["pyotr"]["percent"] == 100.0
    assert stored["nora"]["assignments"][0]["file"] == "nora.zip/vectors.ipynb"
    assert stored["pyotr"]["assignments"][0]["file"] == "pyotr.zip/vectors.py"


def _stub_notebook(course: Path) -> str:
    folder = course / "assignments/vectors"
    return nbformat.writes(stub_notebook(folder / "vectors.py", folder / "README.md", "vectors"))


def test_one_run_one_language_korean_report_errors_and_summary(mini_course: Path, tmp_path: Path) -> None:
    folder = write_class(tmp_path / "subs", {"alice": REFERENCE, "bob": STUB})
    (folder / "eve.zip").write_bytes(b"not a zip at all")
    completed = run_grader(
        "batch",
        str(folder),
        "--course",
        str(mini_course),
        "--out",
        str(tmp_path / "out"),
        "--lang",
        "ko",
        "--jobs",
        "1",
    )
    assert completed.returncode == 0, completed.stderr
    assert (
        completed.stdout.startswith("제출물 3개 중 3개를") and "1명은 자기 답안을 내지 않았습니다" in completed.stdout
    )
    assert "채점 중" in completed.stderr and "grading" not in completed.stderr
    rows = {row[0]: row for row in grades_rows(tmp_path / "out")[1:]}
    assert rows["eve"][-1] == "eve.zip을(를) zip 파일로 읽을 수 없습니다 (BadZipFile: File is not a zip file)"
    page = (tmp_path / "out/report.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in page and "<h2>가장 흔한 실패</h2>" in page and "Most common failures" not in page
    merged = merge([tmp_path / "out"], tmp_path / "merged")[0]
    assert '<html lang="ko">' in merged.files[-1].read_text(encoding="utf-8")  # a merge keeps the run's language
