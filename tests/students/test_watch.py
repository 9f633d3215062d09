"""`grader grade --watch` as a student runs it: every save graded again, only that assignment, Ctrl-C clean."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.commandline import run_grader
from tests.engine.helpers import REFERENCE
from tests.students.helpers import reference_cells, write_notebook
from tests.students.watching import WatchProcess
from tests.waiting import cpu_seconds, processes_in, wait_until, workers_in

WRONG = REFERENCE.replace("return a + b", "return a - b")
TIMEOUT_S = 30


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of running processes that contain ``text`` (the fork server names its temp folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if entry.name.isdigit() and text in cmdline and int(entry.name) != os.getpid():
            found.append(cmdline)
    return found


def _add_second_assignment(course: Path) -> None:
    (course / "assignments/second").mkdir()
    (course / "assignments/second/second.py").write_text("def one():\n    raise NotImplementedError\n")
    (course / "assignments/second/checks.py").write_text(
        "from grader import check, expect\n\n\n@check(points=1)\ndef returns_one(student):\n    "
        "expect.equal(student.one(), 1)\n"
    )
    with (course / "course.yaml").open("a") as course_yaml:
        course_yaml.write("  - id: second\n    title: Second\n")


@pytest.mark.slow
def test_each_save_is_graded_again_and_only_its_assignment(mini_course: Path, tmp_path: Path) -> None:
    _add_second_assignment(mini_course)
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "second.py").write_text("def one():\n    return 1\n")
    watcher = WatchProcess("--course", str(mini_course), "--submission", str(submission))
    try:
        first = {watcher.next_result(TIMEOUT_S)[0::2], watcher.next_result(TIMEOUT_S)[0::2]}
        assert first == {("vectors", "0/6"), ("second", "1/1")}  # no vectors.py yet: nothing to grade
        (submission / "vectors.py").write_text(WRONG)
        assert watcher.next_result(TIMEOUT_S)[0::2] == ("vectors", "3/6")
        (submission / "vectors.py").write_text(REFERENCE)
        assert watcher.next_result(TIMEOUT_S)[0::2] == ("vectors", "6/6")
        assert _processes_mentioning(str(tmp_path))  # the fork server, running (named by its temp folder)
        assert watcher.interrupt(TIMEOUT_S) == 0
        assert watcher.output[-1] == "Stopped watching." and "Traceback" not in "\n".join(watcher.output)
        assert sum(line.startswith("second graded") for line in watcher.output) == 1  # once, at the start
        assert _processes_mentioning(str(tmp_path)) == []  # the fork server and its workers are gone
    finally:
        watcher.kill()


@pytest.mark.slow
def test_a_notebook_saved_beside_the_py_stub_is_graded_a_bad_one_reported_and_two_answers_not_guessed(
    mini_course: Path,
    tmp_path: Path,
) -> None:
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "vectors.py").write_text((mini_course / "assignments/vectors/vectors.py").read_text())  # the stub
    watcher = WatchProcess("vectors", "--course", str(mini_course), "--submission", "sub", cwd=tmp_path)
    try:
        assert watcher.next_result(TIMEOUT_S)[0::2] == ("vectors", "0/6")
        (submission / "vectors.ipynb").write_text('{"cells": [')  # a half-written save
        assert watcher.next_result(TIMEOUT_S)[0::2] == ("vectors", "0/6")
        write_notebook(submission / "vectors.ipynb", reference_cells())
        assert watcher.next_result(TIMEOUT_S)[0::2] == ("vectors", "6/6")
        (submission / "vectors.py").write_text(WRONG)  # now both differ from the stub: which one is meant?
        assert watcher.next_result(TIMEOUT_S)[0::2] == ("vectors", "0/6")
        shown = "\n".join(watcher.output)
        assert "sub/vectors.py is still the published stub: nothing submitted yet" in shown
        assert "sub/vectors.ipynb is not a valid Jupyter notebook: it is not valid JSON" in shown
        assert (
            "both sub/vectors.ipynb and sub/vectors.py exist: graded sub/vectors.ipynb (sub/vectors.py is the "
            "unchanged stub)" in shown
        )
        assert "both sub/vectors.py and sub/vectors.ipynb differ from the published stub" in shown
    finally:
        watcher.kill()


HANGING = REFERENCE.replace("def add(a, b):", "def add(a, b):\n    while True:\n        pass\n\n\ndef _old_add(a, b):")
STOP_WITHIN_S = 0.5


def _spinning_worker(temporary: Path, watcher: WatchProcess) -> None:
    """Wait until a worker the watch started (under the test's TMPDIR) runs the hanging call: it has used
    0.1 s of CPU (forked from the warm fork server, a worker uses far less before the student's code runs)."""

    def spinning():
        return any(cpu_seconds(pid) >= 0.1 for pid in workers_in(temporary))

    wait_until(spinning, TIMEOUT_S, "a worker running the hanging call", watcher.process, watcher.printed)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "group"),
    [(signal.SIGTERM, False), (signal.SIGTERM, True), (signal.SIGINT, True), (signal.SIGHUP, True)],
    ids=["SIGTERM", "SIGTERM-to-group", "Ctrl-C", "SIGHUP-to-group"],
)
def test_a_stop_signal_while_code_hangs_ends_the_watch_at_once_and_leaves_nothing(
    mini_course: Path,
    tmp_path: Path,
    signum: int,
    group: bool,
) -> None:
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "vectors.py").write_text(HANGING)  # the first check waits for its 2 s time limit
    temporary = Path(os.environ["TMPDIR"])
    watcher = WatchProcess("vectors", "--course", str(mini_course), "--submission", str(submission), new_session=True)
    try:
        _spinning_worker(temporary, watcher)
        started = time.monotonic()
        assert watcher.stop(signum, STOP_WITHIN_S, group=group) == 0
        assert time.monotonic() - started < STOP_WITHIN_S
        assert list(temporary.iterdir()) == []  # no worker folder, no session folder
        assert watcher.output[-1] == "Stopped watching." and "Traceback" not in "\n".join(watcher.output)
        # neither the fork server nor a worker is left running (SIGKILLed workers may take a moment to be gone)
        wait_until(lambda: not processes_in(tmp_path), STOP_WITHIN_S, "the fork server and its workers to be gone")
    finally:
        watcher.kill()


def test_watch_refuses_report_files_and_exit_codes(mini_course: Path) -> None:
    completed = run_grader("grade", "--watch", "--course", str(mini_course), "--format", "json")
    assert completed.returncode == 2 and "--watch shows the terminal report only" in completed.stderr


def test_a_burst_of_writes_settles_into_one_change(tmp_path: Path) -> None:
    import threading
    import time

    from grader.frontends.watch import QUIET_S, settle, signature

    target = tmp_path / "vectors.py"
    target.write_text("")
    paths = (target, tmp_path / "vectors.ipynb")

    def rest_of_burst() -> None:  # an editor's save: several writes a few ms apart
        for size in range(2, 11):
            time.sleep(0.01)
            target.write_text("x" * size)

    writer = threading.Thread(target=rest_of_burst)
    started = time.monotonic()
    target.write_text("x")  # the write the watcher noticed
    writer.start()
    settled = settle(paths)
    writer.join()
    assert settled == signature(paths) and settled[0] is not None and settled[0][1] == 10  # the last write
    assert time.monotonic() - started >= 0.09 + QUIET_S and settled[1] is None  # waited for the quiet after it
