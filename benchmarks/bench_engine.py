"""Engine speed: worker start latency, per-call proxy overhead, the CPU a worker process and an empty
round trip cost (parent, fork server and worker; across cores and on one core), and the wall time of
`grader grade`.

Run: python benchmarks/bench_engine.py [--course DIR] [--submission PATH]
Targets (issue 2, 2-core machine): worker start < 20 ms, call overhead < 0.5 ms, a full grade of a
four-assignment course < 1 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from grader.sandbox.launcher import Launcher
from grader.sandbox.limits import Limits
from grader.sandbox.proxy import StudentModule
from grader.sandbox.session import StudentSession
from grader.sandbox.worker import MODULE_HANDLE

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
ROUND_TRIPS = 300
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
        for label, call in [
            ("no arguments (identity(1))", lambda: student.identity(1)),
            ("4x4 array in and out", lambda: student.identity(small)),
            ("two 4x4 arrays in, one out", lambda: student.add(small, small)),
        ]:
            call()
            started = time.perf_counter()
            for _ in range(repeats):
                call()
            results[label] = (time.perf_counter() - started) / repeats * 1e3
    session.close()
    return results


def process_cpu_ms(launcher: Launcher, repeats: int, round_trips: int) -> dict[str, float]:
    """CPU per worker (start, import the small module, ``round_trips`` empty requests, end), split into
    the parent, the fork server (forking, reaping) and the worker itself, in ms."""
    server_before, parent_before = fork_server_cpu(launcher.process.pid), time.process_time()
    for _ in range(repeats):
        session = StudentSession(launcher, SOURCE, "bench.py", "bench", Limits(), load_timeout=10)
        session.start()
        with session.check_scope(600):
            for _ in range(round_trips):
                session.getattr(MODULE_HANDLE, "__name__")
        session.close()
    parent, server_after = time.process_time() - parent_before, fork_server_cpu(launcher.process.pid)
    return {
        "parent": 1e3 * parent / repeats,
        "fork server": 1e3 * (server_after[0] - server_before[0]) / repeats,
        "worker": 1e3 * (server_after[1] - server_before[1]) / repeats,
    }


def fork_server_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds of the fork server ``pid`` itself (forking, reaping) and of its reaped children (the workers)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks, (int(fields[13]) + int(fields[14])) / ticks


def pinned(function: Callable[[], T]) -> T:
    """``function()`` with this process, and the fork server and workers it starts, on one core."""
    affinity = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(affinity)})
    try:
        return function()
    finally:
        os.sched_setaffinity(0, affinity)


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


def _fresh_launcher_cpu(scratch: Path, repeats: int) -> tuple[dict[str, float], dict[str, float]]:
    """Worker CPU without and with ROUND_TRIPS requests, from a fork server started on the current core."""
    with Launcher(base_dir=scratch) as launcher:
        worker_start_ms(launcher, 2)
        return process_cpu_ms(launcher, repeats, 0), process_cpu_ms(launcher, 20, ROUND_TRIPS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        with Launcher(base_dir=Path(scratch)) as launcher:
            worker_start_ms(launcher, 5)  # warm-up
            starts = worker_start_ms(launcher, args.repeats // 4)
            calls = call_overhead_ms(launcher, args.repeats * 10)
            lifecycle = process_cpu_ms(launcher, args.repeats // 4, 0)
            trips = {"across cores": (lifecycle, process_cpu_ms(launcher, 20, ROUND_TRIPS))}
        trips["one core"] = pinned(lambda: _fresh_launcher_cpu(Path(scratch), args.repeats // 4))
        mini = Path(scratch) / "mini_course"
        shutil.copytree(ROOT / "tests/fixtures/mini_course", mini)
        mini_times = grade_wall_s(mini, mini / "solutions", 5)
        course_times = grade_wall_s(ROOT, ROOT / "solutions", 5) if (ROOT / "course.yaml").is_file() else []

    print(f"worker start (fork + import a small module, until it answers), n={len(starts)}:")
    print(f"  median {statistics.median(starts):.2f} ms   p90 {np.percentile(starts, 90):.2f} ms   (target < 20 ms)")
    print("per-call overhead through the proxy (round trip, median of many calls):")
    for label, value in calls.items():
        print(f"  {label:<32} {value:.3f} ms   (target < 0.5 ms)")
    print("CPU per worker, start to end with no requests (a process per assignment: paid four times per student):")
    print(
        "  "
        + ", ".join(f"{name} {value:.2f} ms" for name, value in lifecycle.items())
        + f"; total {sum(lifecycle.values()):.2f} ms"
    )
    print(f"CPU per empty round trip (both sides; {ROUND_TRIPS} per worker, its start and end subtracted):")
    for where, (empty, cpu) in trips.items():
        per_trip = {name: (cpu[name] - empty[name]) / ROUND_TRIPS for name in cpu}
        print(f"  {where:<13} parent {1e3 * per_trip['parent']:.0f} us, worker {1e3 * per_trip['worker']:.0f} us")
    print(
        f"`grader grade` wall time, mini course (1 assignment, 5 checks), reference submission: "
        f"median {statistics.median(mini_times):.3f} s"
    )
    if course_times:
        print(
            f"`grader grade` wall time, bundled course (4 assignments, public + hidden), references: "
            f"median {statistics.median(course_times):.3f} s   (target < 1 s)"
        )


if __name__ == "__main__":
    main()
