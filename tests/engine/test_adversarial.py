"""Hostile and broken submissions: each fails only what it breaks, and never raises the score.

The mini course has five checks worth 6 points: add_small (1), norm_345 (1) public; add_random (2),
sqrt_rejects_negative (1), counter_counts (1) hidden.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.commandline import run_grader_process
from tests.engine.helpers import REFERENCE, by_name, grade_source, with_function

FULL_MARKS = 6.0


def test_the_reference_scores_full_marks(mini_course: Path) -> None:
    result = grade_source(mini_course, REFERENCE)
    assert result.error is None
    assert [c.status for c in result.checks] == ["passed"] * 5
    assert result.score == result.max_score == FULL_MARKS


def test_an_infinite_loop_fails_only_the_checks_that_call_it_and_times_out_once(mini_course: Path) -> None:
    source = with_function("add", "def add(a, b):\n    while True:\n        pass\n")
    result = grade_source(mini_course, source, timeout=0.5)
    checks = by_name(result)
    assert checks["add_small"].status == "timeout"
    assert "0.5 s" in checks["add_small"].message and "add" in checks["add_small"].message
    assert checks["add_random"].status == "not_run" and checks["add_random"].duration_s < 0.25
    assert checks["add_random"].message == "not run: `add` did not finish in check add_small"
    assert all(checks[name].status == "passed" for name in ("norm_345", "sqrt_rejects_negative", "counter_counts"))
    assert result.score == FULL_MARKS - 3


def test_sys_exit_at_import_fails_every_check_with_one_message(mini_course: Path) -> None:
    result = grade_source(mini_course, "import sys\nsys.exit(0)\n" + REFERENCE)
    assert result.score == 0
    assert result.error is not None and "SystemExit" in result.error
    assert {c.status for c in result.checks} == {"error"}
    assert result.error == "your module could not be imported: SystemExit: 0 (line 2)\n    sys.exit(0)"
    assert {c.message for c in result.checks} == {result.error.splitlines()[0]}
    assert {c.line for c in result.checks} == {2}
    (group,) = result.groups  # the human formats show the checks as one row
    assert group.checks == tuple(c.name for c in result.checks) and group.status == "error" and group.line == 2


def test_os_exit_in_a_function_fails_that_check_and_a_fresh_worker_takes_the_next(mini_course: Path) -> None:
    source = with_function("norm", "def norm(x):\n    import os\n    os._exit(3)\n")
    result = grade_source(mini_course, source)
    checks = by_name(result)
    assert checks["norm_345"].status == "error"
    assert "exit code 3" in checks["norm_345"].message
    assert [checks[n].status for n in ("add_small", "add_random", "sqrt_rejects_negative", "counter_counts")] == [
        "passed"
    ] * 4
    assert result.score == FULL_MARKS - 1


def test_sys_exit_inside_a_function_is_reported_as_such(mini_course: Path) -> None:
    result = grade_source(mini_course, with_function("norm", "def norm(x):\n    raise SystemExit(1)\n"))
    check = by_name(result)["norm_345"]
    assert check.status == "error" and "sys.exit" in check.message
    assert result.score == FULL_MARKS - 1


def test_a_huge_allocation_hits_the_memory_limit_and_says_so(mini_course: Path) -> None:
    source = with_function(
        "add", "def add(a, b):\n    big = np.ones((200_000, 200_000))\n    return a + b + big[0, 0] - 1\n"
    )
    result = grade_source(mini_course, source)
    checks = by_name(result)
    assert checks["add_small"].status == "error"
    assert "MemoryError" in checks["add_small"].message
    assert "MB" in checks["add_small"].hint
    assert checks["norm_345"].status == "passed"
    assert result.score == FULL_MARKS - 3


def test_an_output_flood_is_capped_and_does_not_disturb_grading(mini_course: Path) -> None:
    source = with_function(
        "norm", "def norm(x):\n    print('x' * 10_000_000)\n    return float(np.sqrt(np.sum(x * x)))\n"
    )
    result = grade_source(mini_course, source)
    check = by_name(result)["norm_345"]
    assert check.status == "passed"
    assert 64 * 1024 <= len(check.output) < 65 * 1024
    assert "output truncated at 64 KB" in check.output
    assert result.score == FULL_MARKS


def test_a_fake_json_report_printed_by_the_student_never_reaches_the_real_one(
    mini_course: Path, tmp_path: Path
) -> None:
    fake = json.dumps({"score": 1000, "max_score": 6, "assignments": []})
    source = (
        f"import os, sys\nprint({fake!r})\nos.write(1, {fake!r}.encode())\nsys.__stdout__.write({fake!r})\n"
        + with_function("add", f"def add(a, b):\n    print({fake!r})\n    os.write(1, b'{{}}')\n    return a - b\n")
    )
    submission = tmp_path / "fake"
    submission.mkdir()
    (submission / "vectors.py").write_text(source)
    completed = run_grader_process(
        "grade", "--course", str(mini_course), "--submission", str(submission), "--format", "json", timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)  # the whole of stdout is the one real report
    assert report["score"] == FULL_MARKS - 3
    assert fake not in completed.stderr
    # The student's prints appear only as captured text inside the real report, never as its structure.
    outputs = [check["output"] for check in report["assignments"][0]["checks"]]
    assert any(fake in output for output in outputs)


def test_monkeypatching_numpy_comparisons_in_the_worker_does_not_help(mini_course: Path) -> None:
    patch = (
        "import numpy as np\n"
        "np.allclose = lambda *a, **k: True\nnp.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)\n"
        "np.array_equal = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
        "np.subtract = lambda a, b, *r, **k: np.zeros(np.broadcast(a, b).shape)\n"
    )
    source = patch + with_function("add", "def add(a, b):\n    return a - b\n")
    result = grade_source(mini_course, source)
    checks = by_name(result)
    assert checks["add_small"].status == checks["add_random"].status == "failed"
    assert result.score == FULL_MARKS - 3


_LIARS = {
    "object-with-lying-eq-and-array": (
        "class Liar:\n"
        "    def __eq__(self, other): return True\n"
        "    def __array__(self, *a, **k): return np.array([4.0, 6.0])\n"
        "    def __float__(self): return 5.0\n",
        "Liar()",
    ),
    "float-subclass": (
        "class Liar(float):\n    def __eq__(self, other): return True\n    def __ne__(self, other): return False\n",
        "Liar(0.0)",
    ),
    "ndarray-subclass": (
        "class Liar(np.ndarray):\n"
        "    def __eq__(self, other): return np.ones(self.shape, bool)\n"
        "    def __sub__(self, other): return np.zeros(self.shape)\n",
        "np.zeros_like(a).view(Liar)",
    ),
}


@pytest.mark.parametrize("liar", sorted(_LIARS))
def test_objects_that_lie_about_their_value_do_not_pass(mini_course: Path, liar: str) -> None:
    definition, construct = _LIARS[liar]
    source = REFERENCE + "\n\n" + definition + f"\n\ndef add(a, b):\n    return {construct}\n"
    checks = by_name(grade_source(mini_course, source))
    assert checks["add_small"].status == checks["add_random"].status == "failed"
    assert checks["norm_345"].status == "passed"


def test_reading_the_solutions_is_refused(mini_course: Path) -> None:
    target = mini_course / "solutions" / "vectors" / "vectors.py"
    body = f"def norm(x):\n    text = open({str(target)!r}).read()\n    print(text)\n    return 5.0\n"
    result = grade_source(mini_course, with_function("norm", body))
    check = by_name(result)["norm_345"]
    assert check.status == "error"
    assert "PermissionError" in check.message
    assert "BEGIN SOLUTION" not in check.output
    assert result.score == FULL_MARKS - 1


def test_listing_the_solutions_folder_is_refused(mini_course: Path) -> None:
    body = f"def norm(x):\n    import os\n    return float(len(os.listdir({str(mini_course / 'solutions')!r})))\n"
    check = by_name(grade_source(mini_course, with_function("norm", body)))["norm_345"]
    assert check.status == "error" and "PermissionError" in check.message


def test_killing_the_parent_is_refused_and_grading_goes_on(mini_course: Path) -> None:
    body = (
        "def norm(x):\n    import os, signal\n"
        f"    for pid in (os.getppid(), {os.getpid()}):\n"
        "        try:\n            os.kill(pid, signal.SIGKILL)\n        except PermissionError:\n            pass\n"
        f"    os.kill({os.getpid()}, signal.SIGTERM)\n"
    )
    result = grade_source(mini_course, with_function("norm", body))
    check = by_name(result)["norm_345"]
    assert check.status == "error" and "PermissionError" in check.message
    assert result.score == FULL_MARKS - 1  # and this test process is still alive to assert it


@pytest.mark.parametrize(
    "spawn",
    ["subprocess.run(['true'])", "os.system('true')", "os.fork()", "os.posix_spawn('/bin/true', ['true'], {})"],
)
def test_starting_a_process_is_refused(mini_course: Path, spawn: str) -> None:
    body = f"def norm(x):\n    import os, subprocess\n    {spawn}\n    return 5.0\n"
    check = by_name(grade_source(mini_course, with_function("norm", body)))["norm_345"]
    assert check.status == "error"
    assert "PermissionError" in check.message or "BlockingIOError" in check.message


def test_network_access_is_refused(mini_course: Path) -> None:
    body = "def norm(x):\n    import socket\n    socket.socket()\n    return 5.0\n"
    check = by_name(grade_source(mini_course, with_function("norm", body)))["norm_345"]
    assert check.status == "error" and "network" in check.message


def test_writing_outside_the_worker_directory_is_refused(mini_course: Path, tmp_path: Path) -> None:
    target = tmp_path / "planted.txt"
    body = (
        "def norm(x):\n"
        "    open('scratch.txt', 'w').write('ok')\n"
        f"    open({str(target)!r}, 'w').write('x')\n"
        "    return 5.0\n"
    )
    check = by_name(grade_source(mini_course, with_function("norm", body)))["norm_345"]
    assert check.status == "error" and "PermissionError" in check.message
    assert not target.exists()


def test_mutating_an_input_does_not_corrupt_the_check(mini_course: Path) -> None:
    body = "def add(a, b):\n    result = a + b\n    a[...] = 1e9\n    b[...] = -1e9\n    return result\n"
    result = grade_source(mini_course, with_function("add", body))
    assert result.score == FULL_MARKS


def test_a_student_exception_shows_only_the_students_frames(mini_course: Path) -> None:
    body = "def norm(x):\n    return helper(x)\n\n\ndef helper(x):\n    return x['key']\n"
    check = by_name(grade_source(mini_course, with_function("norm", body)))["norm_345"]
    assert check.status == "error"
    assert "IndexError" in check.message
    assert "in norm" in check.traceback and "in helper" in check.traceback
    assert "grader" not in check.traceback.replace("submission", "")
    assert check.line is not None and "x['key']" in check.traceback


def test_a_syntax_error_fails_the_assignment_with_its_line(mini_course: Path) -> None:
    result = grade_source(mini_course, "import numpy as np\n\ndef add(a, b)\n    return a + b\n")
    assert result.score == 0 and result.error is not None
    # Said once, with the line and a caret under the column Python points at; the line number once only.
    assert (
        result.error == "your module could not be imported: SyntaxError: expected ':' (line 3)\n"
        "    def add(a, b)\n"
        "                 ^"
    )
    assert all(c.status == "error" and c.message == result.error.splitlines()[0] and c.line == 3 for c in result.checks)


def test_importing_a_package_that_is_not_installed_fails_the_assignment(mini_course: Path) -> None:
    result = grade_source(mini_course, "import torchvision_not_here\n" + REFERENCE)
    assert result.error is not None and "ModuleNotFoundError" in result.error and "torchvision_not_here" in result.error
    assert result.score == 0


def test_a_missing_function_fails_only_the_checks_that_need_it(mini_course: Path) -> None:
    source = REFERENCE.replace("def norm(", "def nrom(")
    result = grade_source(mini_course, source)
    check = by_name(result)["norm_345"]
    assert check.status == "failed" and "`norm`" in check.message
    assert result.score == FULL_MARKS - 1


def test_an_infinite_loop_at_import_fails_the_assignment(mini_course: Path) -> None:
    (mini_course / "course.yaml").write_text(
        (mini_course / "course.yaml").read_text().replace("{timeout: 2}", "{timeout: 2, import_timeout: 0.5}")
    )
    result = grade_source(mini_course, "while True:\n    pass\n" + REFERENCE)
    assert result.score == 0 and result.error is not None and "0.5 s" in result.error


@pytest.mark.parametrize(
    "forgery",
    [
        "struct.pack('<Q', 1 << 40)",  # announces a terabyte, sends nothing
        "struct.pack('<Q', 20) + b'\\x80\\x04\\x95' + bytes(17)",  # a pickle where a frame should be
    ],
    ids=["huge-length", "pickle-bytes"],
)
def test_frames_forged_on_the_workers_channel_fail_only_that_check(mini_course: Path, forgery: str) -> None:
    body = (
        "def norm(x):\n    import os, stat, struct, time\n"
        "    fd = next(fd for fd in range(3, 64) if _is_socket(fd))\n"
        f"    os.write(fd, {forgery})\n    time.sleep(30)\n\n\n"
        "def _is_socket(fd):\n    import os, stat\n    try:\n        return stat.S_ISSOCK(os.fstat(fd).st_mode)\n    "
        "except OSError:\n        return False\n"
    )
    result = grade_source(mini_course, with_function("norm", body), timeout=2)
    check = by_name(result)["norm_345"]
    assert check.status == "error" and "invalid answer" in check.message
    assert result.score == FULL_MARKS - 1


def test_a_worker_killed_while_importing_says_how_it_ended(mini_course: Path) -> None:
    result = grade_source(mini_course, "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n" + REFERENCE)
    assert result.score == 0 and result.error is not None
    assert "SIGSEGV" in result.error and "importing your module" in result.error
