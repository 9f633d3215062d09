"""One bad submission never stops a batch: grader crashes, dead grading processes, and Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import grader.frontends.batch.process as process_module
from grader.frontends.batch.pool import Pool
from grader.frontends.batch.process import BatchSettings, ProcessGrader, Task
from tests.batch.helpers import REFERENCE, STUB, batch_settings, processes_with_tmpdir, results, write_class
from tests.commandline import run_grader
from tests.waiting import wait_until, workers_in

SLEEPY = "import time\ntime.sleep(30)\n" + REFERENCE


def settings_for(mini_course: Path, subs: Path, out: Path) -> BatchSettings:
    return batch_settings(mini_course, subs, out)


def test_an_exception_in_the_graders_own_code_is_that_students_error(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subs = write_class(tmp_path / "subs", {"boom": REFERENCE, "fine": REFERENCE})
    real_grade = process_module.grade_path

    def fragile_grade(grader, submission):
        if submission.name == "boom":
            raise ZeroDivisionError("a bug in trusted code")
        return real_grade(grader, submission)

    monkeypatch.setattr(process_module, "grade_path", fragile_grade)
    grader = ProcessGrader(settings_for(mini_course, subs, tmp_path / "out"))
    try:
        outcomes = [
            grader.grade(Task(student=s, path=subs / s, kind="folder", submission_hash="h")) for s in ("boom", "fine")
        ]
    finally:
        grader.close()
    assert [o.graded for o in outcomes] == [False, True]
    assert "ZeroDivisionError: a bug in trusted code" in outcomes[0].error and "please report" in outcomes[0].error
    assert (
        results(tmp_path / "out")["boom"]["batch"]["status"] == "error"
        and results(tmp_path / "out")["fine"]["percent"] == 100.0
    )


def kill_while_grading(pool: Pool, student: str, times: int, sandbox_tmp: Path) -> threading.Thread:
    """A thread that SIGKILLs the pool's process ``times`` times, each time while a worker runs ``student``'s
    code (the pool grades one student at a time: its only worker under ``sandbox_tmp`` is theirs)."""

    def kill() -> None:
        for _ in range(times):

            def busy():
                return pool.slots and pool.slots[0].task is not None and pool.slots[0].task.student == student

            wait_until(busy, 60, f"the grading process to take {student}")
            pid = pool.slots[0].process.pid
            wait_until(lambda: workers_in(sandbox_tmp), 60, f"a worker running {student}'s code")
            os.kill(pid, signal.SIGKILL)
            wait_until(
                lambda: not pool.slots or pool.slots[0].process.pid != pid, 60, "the killed process to be replaced"
            )

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
@pytest.mark.parametrize("deaths", [1, 2])
def test_a_grading_process_that_dies_is_replaced_and_costs_at_most_its_student(
    mini_course: Path, tmp_path: Path, deaths: int
) -> None:
    slow = "import time\ntime.sleep(1.5)\n" + REFERENCE  # long enough to be killed in, short enough to be graded
    subs = write_class(tmp_path / "subs", {"victim": slow, "alice": REFERENCE, "bob": STUB})
    out = tmp_path / "out"
    outcomes = []
    pool = Pool(settings_for(mini_course, subs, out), 1, outcomes.append)
    killer = kill_while_grading(pool, "victim", deaths, tmp_path / "tmp")
    pool.run([Task(student=s, path=subs / s, kind="folder", submission_hash="h") for s in ("victim", "alice", "bob")])
    killer.join(5)
    by_student = {o.student: o for o in outcomes}
    assert len(outcomes) == 3 and by_student["alice"].percent == 100.0 and by_student["bob"].percent == 0.0
    if deaths == 1:  # not the student's doing (their code never runs in this process): graded on the retry
        assert by_student["victim"].percent == 100.0
    else:
        assert not by_student["victim"].graded and "killed by signal 9" in by_student["victim"].error
        assert results(out)["victim"]["batch"]["status"] == "error"
    wait_until(lambda: not processes_with_tmpdir(tmp_path / "tmp"), 15, "orphaned fork servers to be cleaned up")


def test_batch_and_merge_from_the_command_line(mini_course: Path, tmp_path: Path) -> None:
    write_class(tmp_path / "subs", {"alice": REFERENCE, "bob": STUB, "carol": REFERENCE})
    done = run_grader(
        "batch", "subs", "--course", str(mini_course), "--out", "one", "--jobs", "2", "--shard", "1/1", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Graded 3 of 3 submissions"), done.stdout + done.stderr
    # bob handed in the unchanged stub: counted apart, and not in the mean of those who submitted
    assert (
        "1 handed in nothing of their own (not submitted); class mean 100.0% (of the students who submitted)"
        in done.stdout
    )
    again = run_grader("batch", "subs", "--course", str(mini_course), "--out", "one", cwd=tmp_path)
    assert again.returncode == 0 and "Graded 0 of 3" in again.stdout and "3 unchanged" in again.stdout, (
        again.stdout + again.stderr
    )
    merged = run_grader("merge", "one", "--out", "all", cwd=tmp_path)
    assert merged.returncode == 0 and "Merged 3 students" in merged.stdout, merged.stdout + merged.stderr
    assert (tmp_path / "all/grades.csv").read_bytes() == (tmp_path / "one/grades.csv").read_bytes()
    bad = run_grader("batch", "subs", "--course", str(mini_course), "--shard", "3/2", cwd=tmp_path)
    assert bad.returncode == 2 and "K/N" in bad.stderr


@pytest.mark.slow
def test_ctrl_c_stops_everything_cleanly_and_keeps_what_was_graded(mini_course: Path, tmp_path: Path) -> None:
    subs = write_class(tmp_path / "subs", {"alice": REFERENCE, "bob": STUB, "sleepy1": SLEEPY, "sleepy2": SLEEPY})
    out, sandbox_tmp = tmp_path / "out", tmp_path / "tmp"
    batch = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "grader",
            "batch",
            str(subs),
            "--course",
            str(mini_course),
            "--out",
            str(out),
            "--jobs",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:

        def graded():
            return (out / "results/alice.json").exists() and (out / "results/bob.json").exists()

        wait_until(graded, 60, "alice's and bob's results", batch)
        wait_until(lambda: len(workers_in(sandbox_tmp)) == 2, 60, "both processes inside a sleepy submission", batch)
        os.killpg(batch.pid, signal.SIGINT)  # what a terminal does on Ctrl-C: the whole foreground group
        stdout, stderr = batch.communicate(timeout=60)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
            batch.wait()
    assert batch.returncode == 130, stderr
    assert "Interrupted after grading 2 submissions" in stdout
    assert sorted(results(out)) == ["alice", "bob"] and results(out)["alice"]["percent"] == 100.0
    wait_until(lambda: not processes_with_tmpdir(sandbox_tmp), 15, "every process of the batch to be gone")
    assert not (out / ".staging").exists() and not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not list(sandbox_tmp.glob("grader-worker-*"))
    for sleepy in ("sleepy1", "sleepy2"):
        (subs / sleepy / "vectors.py").write_text(REFERENCE)
    resumed = run_grader("batch", str(subs), "--course", str(mini_course), "--out", str(out), cwd=tmp_path)
    assert "Graded 2 of 4" in resumed.stdout and "2 unchanged" in resumed.stdout
    assert json.loads((out / "batch.json").read_text())["students"] == ["alice", "bob", "sleepy1", "sleepy2"]
