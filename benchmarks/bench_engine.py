"""Engine speed: worker start latency, per-call proxy overhead, and the wall time of `grader grade`.

Run: python benchmarks/bench_engine.py [--course DIR] [--submission PATH]
Targets (issue 2, 2-core machine): worker start < 20 ms, call overhead < 0.5 ms, a full grade of a
four-assignment course < 1 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from grader.sandbox.launcher import Launcher
from grader.sandbox.limits import Limits
from grader.sandbox.proxy import StudentModule
from grader.sandbox.session import StudentSession

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "import numpy as np\n\ndef identity(x):\n    return x\n\ndef add(a, b):\n    return a + b\n"


def worker_start_ms(launcher: Launcher, repeats: int) -> list[float]:
    """Fork a worker and import a small submission in it, until it answers."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        session = StudentSession(launcher, SOURCE, "bench.py", "bench", Limits(), load_timeout=10)
        session.start()
        times.append((time.perf_counter() - started) * 1e3)
        session.close()
    return times


def call_overhead_ms(launcher: Launcher, repeats: int) -> dict[str, float]:
    session = StudentSession(launcher, SOURCE, "bench.py", "bench", Limits(), load_timeout=10)
    student = StudentModule(session)
    small = np.ones((4, 4))
    results = {}
    with session.check_scope(600):
        for label, call in [("no arguments (identity(1))", lambda: student.identity(1)),
                            ("4x4 array in and out", lambda: student.identity(small)),
                            ("two 4x4 arrays in, one out", lambda: student.add(small, small))]:
            call()
            started = time.perf_counter()
            for _ in range(repeats):
                call()
            results[label] = (time.perf_counter() - started) / repeats * 1e3
    session.close()
    return results


def grade_wall_s(course: Path, submission: Path | None, repeats: int) -> list[float]:
    command = [sys.executable, "-m", "grader", "grade", "--course", str(course), "--format", "json"]
    if submission is not None:
        command += ["--submission", str(submission)]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        with Launcher(base_dir=Path(scratch)) as launcher:
            worker_start_ms(launcher, 5)  # warm-up
            starts = worker_start_ms(launcher, args.repeats // 4)
            calls = call_overhead_ms(launcher, args.repeats * 10)
        mini = Path(scratch) / "mini_course"
        shutil.copytree(ROOT / "tests/fixtures/mini_course", mini)
        mini_times = grade_wall_s(mini, mini / "solutions", 5)
        course_times = grade_wall_s(ROOT, ROOT / "solutions", 5) if (ROOT / "course.yaml").is_file() else []

    print(f"worker start (fork + import a small module, until it answers), n={len(starts)}:")
    print(f"  median {statistics.median(starts):.2f} ms   p90 {np.percentile(starts, 90):.2f} ms   (target < 20 ms)")
    print("per-call overhead through the proxy (round trip, median of many calls):")
    for label, value in calls.items():
        print(f"  {label:<32} {value:.3f} ms   (target < 0.5 ms)")
    print(f"`grader grade` wall time, mini course (1 assignment, 5 checks), reference submission: "
          f"median {statistics.median(mini_times):.3f} s")
    if course_times:
        print(f"`grader grade` wall time, bundled course (4 assignments, public + hidden), references: "
              f"median {statistics.median(course_times):.3f} s   (target < 1 s)")


if __name__ == "__main__":
    main()
