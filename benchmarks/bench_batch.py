"""Class-grading speed: `grader batch` against one fresh `grader grade` process per submission.

Run: python benchmarks/bench_batch.py [--students 1000] [--sample 200] [--baseline 30] [--jobs 1,2,3]

Builds a synthetic class of the bundled course (per student and assignment: the reference, the stub
or one of the buggy variants tests/course/buggy/<id>/*.yaml, mixed; a tenth of the students hand in a
zip) twice: as copies (the issue's class: many files are identical, and `grader batch` grades an
identical file once) and as distinct files (each file ends with a comment naming its student, so every
file is graded: the engine's own throughput). Then measures:
  1. the baseline: `grader grade --submission S --format json` once per submission, in a fresh process
     (serially, as nbgrader does, and two at a time);
  2. `grader batch` on the first --sample students of the distinct class with each --jobs value;
  3. the kernel's fences on and off (`grader batch` on the sample), and the memoized reference on and off
     (one process, library call, distinct class);
  4. `grader batch` on all --students with the default jobs, timed end to end, for the class of copies
     and for the distinct class, with the peak RSS of the grading processes, fork servers and sandbox
     workers (sampled from /proc);
  5. where the time goes: one grading process, instrumented and pinned to one core, over --breakdown
     students (distinct class); then the sandbox workers' CPU split by replaying what they were sent in
     this process: the submissions' own code, the worker's request handling, and the rest (process
     start and end, page faults, wake-ups).
Targets (issue 6, 2-core machine): 1,000 submissions in under 60 s; < 150 MB peak RSS per worker;
throughput scaling with --jobs up to the core count.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import types
import zipfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the buggy variants are materialised by tests/course/variants.py
from bench_engine import fork_server_cpu  # noqa: E402  (this folder: python benchmarks/bench_batch.py puts it on the path)

from grader.sandbox.wire import Handle  # noqa: E402  (after the path above)
from grader.sandbox.worker import MODULE_HANDLE  # noqa: E402

GRADER = [sys.executable, "-m", "grader"]
MIX = (("reference", 0.45), ("stub", 0.15), ("buggy", 0.40))


# -- the synthetic class ---------------------------------------------------------------------------
def snapshot_course(target: Path) -> Path:
    """A private copy of the bundled course: edits made to the repository during the run do not change it."""
    target.mkdir()
    for part in ("course.yaml", "assignments", "solutions"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(source, target / part)
    return target


def make_class(folder: Path, course_dir: Path, students: int, seed: int = 6, distinct: bool = False) -> list[str]:
    """``students`` submissions under ``folder``; returns their ids in order. With ``distinct`` every file
    ends with a comment naming its student, so no two files are identical (nothing is graded only once)."""
    from grader.course import load_course
    from tests.course.variants import variants

    course = load_course(course_dir)
    rng = random.Random(seed)
    choices = {
        a.id: {
            "reference": [a.reference.read_bytes()],
            "stub": [a.stub.read_bytes()],
            "buggy": [v.source().encode("utf-8") for v in variants(a.id)],
        }
        for a in course.assignments
    }
    ids = [f"s{index:05d}" for index in range(students)]
    for student in ids:
        files = {}
        for assignment_id, kinds in choices.items():
            kind = rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
            files[f"{assignment_id}.py"] = rng.choice(kinds[kind]) + (
                f"\n# handed in by {student}\n".encode() if distinct else b""
            )
        if rng.random() < 0.1:
            with zipfile.ZipFile(folder / f"{student}.zip", "w", zipfile.ZIP_DEFLATED) as zipped:
                for name, data in files.items():
                    zipped.writestr(f"{student}/{name}", data)
        else:
            (folder / student).mkdir(parents=True)
            for name, data in files.items():
                (folder / student / name).write_bytes(data)
    return ids


def subset(source: Path, target: Path, count: int) -> Path:
    """The first ``count`` submissions of ``source`` (by id) as links in ``target``."""
    target.mkdir()
    for entry in sorted(source.iterdir())[:count]:
        shutil.copytree(entry, target / entry.name) if entry.is_dir() else shutil.copyfile(entry, target / entry.name)
    return target


# -- peak memory -----------------------------------------------------------------------------------
class RssSampler(threading.Thread):
    """Peak RSS (VmHWM) of every descendant of ``root``, by role, sampled from /proc."""

    def __init__(self, root: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peaks: dict[str, int] = Counter()
        self.seen: dict[str, set[int]] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            time.sleep(self.interval)

    def stop(self) -> None:
        self.done.set()
        self.join()

    def sample(self) -> None:
        parents, commands = {}, {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    commands[int(entry.name)] = (entry / "cmdline").read_bytes()
                except (OSError, IndexError, ValueError):
                    continue
        family = self._descendants(parents)
        for pid in family:
            role = self._role(pid, parents, commands)
            peak = _vm_hwm_kb(pid)
            if peak:
                self.peaks[role] = max(self.peaks[role], peak)
                self.seen.setdefault(role, set()).add(pid)

    def _descendants(self, parents: dict[int, int]) -> set[int]:
        family, frontier = {self.root}, [self.root]
        children: dict[int, list[int]] = {}
        for pid, parent in parents.items():
            children.setdefault(parent, []).append(pid)
        while frontier:
            for child in children.get(frontier.pop(), []):
                family.add(child)
                frontier.append(child)
        return family

    def _role(self, pid: int, parents: dict[int, int], commands: dict[int, bytes]) -> str:
        """A worker is a fork of a fork server: the same command line, but a fork server for a parent."""
        command, parent_command = commands.get(pid, b""), commands.get(parents.get(pid, 0), b"")
        if pid == self.root:
            return "batch main process"
        if b"grader.sandbox.forkserver" in command:
            return "sandbox worker" if b"grader.sandbox.forkserver" in parent_command else "fork server"
        if b"spawn_main" in command:
            return "grading process"
        return "other (multiprocessing resource tracker)"


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds() -> float:
    """CPU time of this process and of every descendant reaped so far (grading processes, fork servers, workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# -- runs ------------------------------------------------------------------------------------------
def baseline(folder: Path, course_dir: Path, count: int, parallel: int) -> tuple[float, float]:
    """Submissions per second, and CPU seconds per submission, for one fresh `grader grade` process each."""
    submissions = sorted(folder.iterdir())[:count]
    scratch = Path(tempfile.mkdtemp(prefix="bench-baseline-"))

    def one(entry: Path) -> None:
        target = entry
        if entry.suffix == ".zip":  # `grade` takes folders: unpack outside the timed loop would be unfair, do it here
            target = scratch / entry.stem
            with zipfile.ZipFile(entry) as zipped:
                zipped.extractall(target)
            target = target / entry.stem
        done = subprocess.run(
            [*GRADER, "grade", "--course", str(course_dir), "--submission", str(target), "--format", "json"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(f"  baseline: `grader grade` failed on {entry.name}: {done.stderr.strip()[-300:]}", file=sys.stderr)

    started, cpu = time.perf_counter(), cpu_seconds()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(one, submissions))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    shutil.rmtree(scratch, ignore_errors=True)
    return count / elapsed, cpu / count


def batch_cli(
    folder: Path,
    course_dir: Path,
    jobs: int | None,
    sample_rss: bool = False,
    layers_off: str = "",
) -> tuple[float, float, int, RssSampler | None, str, str]:
    """Seconds and CPU seconds of `grader batch` (a fresh --out), submissions graded, the RSS sampler, its
    summary line, and the gradebook (grades.csv). ``layers_off``: sandbox layers switched off (GRADER_SANDBOX_OFF)."""
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    command = [*GRADER, "batch", str(folder), "--course", str(course_dir), "--out", str(out)] + (
        ["--jobs", str(jobs)] if jobs else []
    )
    environment = {**os.environ, "GRADER_SANDBOX_OFF": layers_off} if layers_off else None
    if layers_off:
        command.append("--allow-unconfined")
    started, cpu = time.perf_counter(), cpu_seconds()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment)
    sampler = RssSampler(process.pid) if sample_rss else None
    if sampler:
        sampler.start()
    stdout, _ = process.communicate()
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    if sampler:
        sampler.stop()
    graded = len(list((out / "results").glob("*.json")))
    gradebook = (out / "grades.csv").read_text(encoding="utf-8") if (out / "grades.csv").is_file() else ""
    shutil.rmtree(out, ignore_errors=True)
    if process.returncode != 0:
        raise RuntimeError(f"grader batch failed: {stdout}")
    return elapsed, cpu, graded, sampler, stdout.strip(), gradebook


def fences_ab(folder: Path, course_dir: Path, jobs: int, rounds: int = 2) -> None:
    """CPU per submission of `grader batch` with the kernel's fences (seccomp, Landlock, a uid per worker) and
    without them, same students, alternating rounds: what the confinement costs a class."""
    best: dict[bool, float] = {}
    for _ in range(rounds):
        for fenced in (False, True):
            _, cpu, graded, *_ = batch_cli(
                folder, course_dir, jobs, layers_off="" if fenced else "seccomp,landlock,uids"
            )
            best[fenced] = min(best.get(fenced, float("inf")), cpu / graded)
    print(
        f"\nkernel fences (seccomp + Landlock + a uid per worker), `grader batch --jobs {jobs}`, best of {rounds}: "
        f"{best[True]:.3f} CPU s per submission with them, {best[False]:.3f} without "
        f"({100 * (best[True] / best[False] - 1):+.1f}%)"
    )


def _settings(course_dir: Path, folder: Path, out: Path, **options: Any) -> Any:
    """What a batch's grading process is given, to grade ``folder`` into ``out`` (``options``: BatchOptions fields)."""
    from grader.frontends.batch.options import BatchOptions
    from grader.frontends.batch.process import BatchSettings

    return BatchSettings(
        options=BatchOptions(submissions_dir=folder, out_dir=out, **options), course_dir=course_dir, course_hash="bench"
    )


def memo_ab(folder: Path, course_dir: Path, count: int, rounds: int = 2) -> None:
    """Parent CPU per student with the memoized reference off and on: one grading process each, same students,
    alternating rounds (the reference runs in the parent, so that is where the memo shows)."""
    from grader.frontends.batch.process import ProcessGrader

    tasks = _tasks(folder, count)
    best: dict[bool, float] = {}
    for _ in range(rounds):
        for memoize in (False, True):
            out = Path(tempfile.mkdtemp(prefix="bench-memo-"))
            grader = ProcessGrader(_settings(course_dir, folder, out, memoize=memoize))
            try:
                grader.grade(tasks[0])  # the first student pays for the fork server's start and the cache's misses
                started = time.process_time()
                for task in tasks:
                    grader.grade(task)
                per_student = (time.process_time() - started) / len(tasks)
            finally:
                grader.close()
                shutil.rmtree(out, ignore_errors=True)
            best[memoize] = min(best.get(memoize, per_student), per_student)
    saved = best[False] - best[True]
    print(
        f"\nMemoized reference, one grading process, {count} students (best of {rounds} alternating rounds): parent "
        f"CPU {1e3 * best[False]:.0f} ms per student without, {1e3 * best[True]:.0f} ms with ({1e3 * saved:.0f} ms, "
        f"{100 * saved / best[False]:.0f}% of the parent's CPU saved)",
        flush=True,
    )


# -- where the time goes ---------------------------------------------------------------------------
class Timers:
    """Exclusive wall time per category: time in a wrapped call minus time in wrapped calls inside it."""

    def __init__(self) -> None:
        self.totals: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.stack: list[float] = []

    def wrap(self, category, function):
        def timed(*args, **kwargs):
            name = category(*args, **kwargs) if callable(category) else category
            started = time.perf_counter()
            self.stack.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                self.totals[name] += elapsed - self.stack.pop()
                self.counts[name] += 1
                if self.stack:
                    self.stack[-1] += elapsed

        return timed


class CheckAttribution:
    """Which checks the sandbox round trips come from; used as the category function of :class:`Timers`."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.trips: Counter[str] = Counter()
        self.numeric: set[str] = set()

    def check(self, spec, context) -> str:
        self.current = f"{context.assignment_id}.{spec.name}"
        return "other parent-side check work (check code, expect, wire)"

    def round_trip(self, session, message, *rest) -> str:
        if message.get("op") == "load":
            return "submission import (load round trip)"
        self.trips[self.current or "?"] += 1
        return "sandbox round trips (calls)"

    def gradient(self, *args, **kwargs) -> str:
        self.numeric.add(self.current or "?")
        return "gradient checks (parent side)"

    def report(self, students: int) -> None:
        total = sum(self.trips.values()) or 1
        in_numeric = sum(count for name, count in self.trips.items() if name in self.numeric)
        print(
            f"\n  round trips in checks that compare with numeric gradients: {100 * in_numeric / total:.0f}% "
            f"({len(self.numeric)} such checks); the checks with the most round trips per student:"
        )
        for name, count in self.trips.most_common(8):
            print(f"    {name:60s}{count / students:7.0f}{'  (numeric gradient)' if name in self.numeric else ''}")


class Replay:
    """Records what the checks send into each submission, then replays it in this process, to split the
    sandbox workers' CPU into the submissions' own code, the worker's handling of requests (decoding,
    fresh copies, encoding), and the rest (process start and end, page faults, waking up per request).

    ``student_code`` times only the student's functions, called with the recorded arguments against the
    same source: a floor under any grader of these checks (calls on the student's objects, rather than
    its functions, are counted as not replayed). ``worker`` feeds the recorded requests to the worker's
    own request handler, student code included."""

    def __init__(self) -> None:
        self.sessions: list[tuple[Any, dict[int, str], list[tuple]]] = []
        self.requests: list[list[dict]] = []
        self.index: dict[int, int] = {}

    def _entry(self, session) -> tuple[Any, dict[int, str], list[tuple]]:
        key = id(session)
        if key not in self.index or self.sessions[self.index[key]][0] is not session:
            self.index[key] = len(self.sessions)
            self.sessions.append((session, {}, []))
            self.requests.append([])
        return self.sessions[self.index[key]]

    def patches(self, session_class) -> list[tuple[Any, str, Callable]]:
        getattr_, call, call_many, exchange = (
            session_class.getattr,
            session_class.call,
            session_class.call_many,
            session_class._exchange,
        )

        def recorded_exchange(session, message, *rest):
            self._entry(session)
            self.requests[self.index[id(session)]].append(message)  # encoded when replayed, not here
            return exchange(session, message, *rest)

        def recorded_getattr(session, target, name):
            value = getattr_(session, target, name)
            if target == MODULE_HANDLE and type(value) is Handle:
                self._entry(session)[1][value.id] = name
            return value

        def recorded_call(session, target, name, args, kwargs, label):
            # Kept as sent (copied only when replayed): copying here would be charged to the parent's time.
            self._entry(session)[2].append((target, name, [(args, kwargs)], None))
            return call(session, target, name, args, kwargs, label)

        def recorded_call_many(session, target, calls, label, then=None):
            self._entry(session)[2].append((target, None, calls, then))
            return call_many(session, target, calls, label, then)

        return [
            (session_class, "getattr", recorded_getattr),
            (session_class, "call", recorded_call),
            (session_class, "call_many", recorded_call_many),
            (session_class, "_exchange", recorded_exchange),
        ]

    def worker(self) -> float:
        """CPU seconds of the worker's request handler over every recorded request (decoding included)."""
        from grader.sandbox.wire import decode, encode
        from grader.sandbox.worker import CappedOutput, Worker

        seconds = 0.0
        for messages in self.requests:
            frames = [encode(message) for message in messages]
            handler = Worker(None, CappedOutput(1 << 20))  # type: ignore[arg-type]  (no channel: called directly)
            started = time.process_time()
            _quietly(lambda: [handler._reply(decode(frame)) for frame in frames])
            seconds += time.process_time() - started
        return seconds

    def student_code(self) -> tuple[float, int, int]:
        """CPU seconds inside the student's functions, calls replayed, calls not replayed."""
        seconds, replayed, skipped = 0.0, 0, 0
        for session, names, calls in self.sessions:
            module = self._load(session.load_request)
            for target, name, arguments, then in calls:
                function = self._function(module, names, target, name)
                stage = None if then is None else self._function(module, names, then["target"], None)
                if function is None or (then is not None and stage is None) or _has_handle(arguments):
                    skipped += len(arguments)
                    continue
                for args, kwargs in arguments:
                    args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
                    started = time.process_time()
                    _quietly(lambda: self._call(function, args, kwargs, stage, then))
                    seconds += time.process_time() - started
                    replayed += 1
        return seconds, replayed, skipped

    @staticmethod
    def _load(request: dict) -> types.ModuleType:
        module = types.ModuleType(request["module"])
        _quietly(lambda: exec(compile(request["source"], request["filename"], "exec"), module.__dict__))
        return module

    @staticmethod
    def _function(module, names: dict[int, str], target: int, name: str | None):
        if target == MODULE_HANDLE:
            return getattr(module, name, None) if name else None
        return getattr(module, names[target], None) if target in names and name is None else None

    @staticmethod
    def _call(function, args, kwargs, stage, then) -> None:
        result = function(*args, **kwargs)
        if stage is not None:
            stage_args, stage_kwargs = list(copy.deepcopy(then["args"])), dict(copy.deepcopy(then["kwargs"]))
            if type(then["slot"]) is int:
                stage_args[then["slot"]] = result
            else:
                stage_kwargs[then["slot"]] = result
            stage(*stage_args, **stage_kwargs)


def _has_handle(value: Any) -> bool:
    if type(value) is Handle:
        return True
    if type(value) in (list, tuple):
        return any(_has_handle(item) for item in value)
    if type(value) is dict:
        return any(_has_handle(item) for item in value.values())
    return False


def _quietly(action: Callable[[], Any]) -> None:
    """Run a student's code for its cost only: its output and its errors are not the benchmark's."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            action()
        except Exception:
            pass


def breakdown(folder: Path, course_dir: Path, count: int) -> None:
    """Grade ``count`` students in this process, as one grading process of a batch does, and attribute the time."""
    from grader.engine.checks import expect, refcache, schedule
    from grader.frontends.batch import process as batch_process
    from grader.frontends.batch import records
    from grader.sandbox import launcher as launcher_module
    from grader.sandbox import session as session_module

    timers = Timers()
    checks = CheckAttribution()
    patches = [
        (session_module.StudentSession, "_exchange", checks.round_trip),
        (launcher_module.Launcher, "spawn", "worker fork (fork server spawn)"),
        (launcher_module.WorkerProcess, "kill", "worker kill + reap"),
        (records, "write_atomic", "result file write (atomic, fsync)"),
    ]
    patches += [(expect, name, checks.gradient) for name in ("gradient", "vjp") if hasattr(expect, name)]
    patches.append((schedule, "run_check", checks.check))
    replay = Replay()
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, category in patches:
        setattr(owner, name, timers.wrap(category, getattr(owner, name)))
    recorders = replay.patches(session_module.StudentSession)
    originals += [(owner, name, getattr(owner, name)) for owner, name, _ in recorders]
    for owner, name, recorder in recorders:
        setattr(owner, name, recorder)
    memo_factory = refcache._memoized
    refcache._memoized = lambda function, qualname, cache: _timed_memo(timers, memo_factory(function, qualname, cache))
    tasks = _tasks(folder, count)
    out = Path(tempfile.mkdtemp(prefix="bench-breakdown-"))
    settings = _settings(course_dir, folder, out)
    affinity = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(affinity)})  # inherited by the fork server and its workers
    try:
        started = time.perf_counter()
        grader = batch_process.ProcessGrader(settings)
        setup = time.perf_counter() - started
        server_before, parent_cpu_before = fork_server_cpu(grader.launcher.process.pid), time.process_time()
        started = time.perf_counter()
        for task in tasks:
            grader.grade(task)
        total = time.perf_counter() - started
        server_after = fork_server_cpu(grader.launcher.process.pid)
        parent_cpu, server_cpu, worker_cpu = (
            time.process_time() - parent_cpu_before,
            server_after[0] - server_before[0],
            server_after[1] - server_before[1],
        )
        stats = grader.code.cache.stats if grader.code.cache else None
        grader.close()
    finally:
        os.sched_setaffinity(0, affinity)
        for owner, name, original in originals:
            setattr(owner, name, original)
        refcache._memoized = memo_factory
        shutil.rmtree(out, ignore_errors=True)
    _print_breakdown(timers, total, count, setup, (parent_cpu, server_cpu, worker_cpu), stats)
    checks.report(count)
    seconds, replayed, skipped = replay.student_code()
    handler = replay.worker()
    print(f"\n  the sandbox workers' CPU, {1e3 * worker_cpu / count:.1f} ms per student, replayed in this process:")
    print(
        f"    the submissions' own code (same calls): {1e3 * seconds / count:8.1f} ms ({replayed / count:.0f} calls; "
        f"{skipped / count:.1f} on the student's objects not replayed)"
    )
    print(f"    the worker's request handler, that code included: {1e3 * handler / count:8.1f} ms")
    print(f"    so process start/end, page faults and wake-ups: about {1e3 * (worker_cpu - handler) / count:.1f} ms")
    print("  (two cores grading 1,000 in 60 s leave 120 ms of CPU per student for everything)")


def _timed_memo(timers: Timers, memoized):
    timed = timers.wrap("reference calls (parent side)", memoized)
    timed.__wrapped__ = memoized.__wrapped__  # MemoizedModule checks it to reuse the wrapper
    return timed


def _tasks(folder: Path, count: int):
    from grader.frontends.batch.discover import discover
    from grader.frontends.batch.process import Task

    return [
        Task(student=s.student, path=s.path, kind=s.kind, submission_hash="bench") for s in discover(folder)[:count]
    ]


def _print_breakdown(
    timers: Timers, total: float, count: int, setup: float, cpu: tuple[float, float, float], stats
) -> None:
    def per(seconds):
        return f"{1e3 * seconds / count:8.1f} ms"

    accounted = sum(timers.totals.values())
    parent_cpu, server_cpu, worker_cpu = cpu
    print(f"\n## Where the time goes: one grading process, {count} students, memoized reference\n")
    print("  (pinned to one core, as a grading process is in effect when every core has one: a grading process and")
    print("  its worker take turns, and waking the other on another core costs about twice as much; the timers")
    print("  below add their own overhead to every round trip)")
    print(f"  process start (course, checks, references; the fork server starts in the background): {setup:.2f} s once")
    print(f"  {'wall time per student':44s}{per(total)}")
    for name, seconds in timers.totals.most_common():
        calls = timers.counts[name] / count
        print(
            f"    {name:42s}{per(seconds)}  ({calls:.0f} per student, "
            f"{1e3 * seconds / max(timers.counts[name], 1):.3f} ms each)"
        )
    print(f"    {'the rest (grading pipeline, result JSON)':42s}{per(total - accounted)}")
    print(f"  {'parent CPU per student':44s}{per(parent_cpu)}")
    print(f"  {'fork server CPU per student (forking, reaping)':44s}{per(server_cpu)}")
    print(f"  {'sandbox worker CPU per student':44s}{per(worker_cpu)}")
    if stats is not None:
        print(f"  reference cache: {stats.hits} hits, {stats.misses} misses, {stats.bypassed} bypassed")


def _row(label: str, rate: float, cpu: float, serial: float | None, cores: int) -> float:
    """Print one row of the table as soon as it is measured; returns the rate."""
    print(f"| {label} | {rate:.2f} | {rate / (serial or rate):.1f}x | {cpu:.3f} | {cores / cpu:.1f}/s |", flush=True)
    return rate


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# -- main ------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=1000, help="class size of the end-to-end run")
    parser.add_argument("--sample", type=int, default=200, help="students in the per-jobs runs")
    parser.add_argument("--baseline", type=int, default=30, help="students graded by fresh `grader grade` processes")
    parser.add_argument("--jobs", default="1,2,3", help="comma-separated --jobs values for the sample runs")
    parser.add_argument("--breakdown", type=int, default=60, help="students in the instrumented single-process run")
    args = parser.parse_args()
    from grader.frontends.batch.options import default_jobs

    cores = default_jobs()
    scratch = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        course_dir = snapshot_course(scratch / "course")
        copies, distinct = scratch / "class", scratch / "distinct"
        make_class(copies, course_dir, args.students)
        make_class(distinct, course_dir, args.students, distinct=True)
        sample = subset(distinct, scratch / "sample", args.sample)
        print(
            f"# grader batch benchmark: {cores} cores, class of {args.students} (sample {args.sample}), "
            f"mix {', '.join(f'{k} {w:.0%}' for k, w in MIX)} per assignment, 10% zips"
        )
        print(f"load average at start: {_load()} (other work on the machine slows every number below)\n")
        print(
            "| run (distinct files) | submissions/s (wall) | vs serial baseline | CPU s per submission | CPU-bound "
            "ceiling on idle cores |"
        )
        print("|---|---:|---:|---:|---:|", flush=True)
        serial = _row(
            "fresh `grader grade` per submission, serial", *baseline(sample, course_dir, args.baseline, 1), None, cores
        )
        _row(
            f"fresh `grader grade` per submission, {cores} at a time",
            *baseline(sample, course_dir, args.baseline, cores),
            serial,
            cores,
        )
        for jobs in [int(j) for j in args.jobs.split(",")]:
            seconds, cpu, graded, *_ = batch_cli(sample, course_dir, jobs)
            _row(
                f"`grader batch --jobs {jobs}` ({graded} students, incl. start-up)",
                graded / seconds,
                cpu / graded,
                serial,
                cores,
            )
        fences_ab(sample, course_dir, cores)
        memo_ab(distinct, course_dir, args.breakdown)
        gradebooks = []
        for label, folder in (("the issue's class of copies", copies), ("every file distinct", distinct)):
            seconds, cpu, graded, sampler, summary, gradebook = batch_cli(folder, course_dir, None, sample_rss=True)
            gradebooks.append(gradebook)
            print(
                f"\n## {graded} submissions ({label}), `grader batch` with the default jobs ({cores}): {seconds:.1f} s "
                f"wall ({graded / seconds:.2f}/s; target: under 60 s), {cpu:.1f} CPU s "
                f"({cpu / graded:.3f} per submission; "
                f"{cpu / cores:.1f} s on {cores} idle cores at best)\n  {summary}\n"
            )
            print("| process | peak RSS (VmHWM) | processes sampled |\n|---|---:|---:|")
            for role in sorted(sampler.peaks):
                print(f"| {role} | {sampler.peaks[role] / 1024:.1f} MB | {len(sampler.seen[role])} |")
        same = gradebooks[0] == gradebooks[1] and gradebooks[0].count("\n") > args.students
        print(
            f"\ngrades.csv of the class of copies (identical files graded once) and of the distinct class (every file "
            f"graded): {'identical' if same else 'DIFFERENT: reusing results changed a grade'}"
        )
        breakdown(distinct, course_dir, args.breakdown)
        print(f"\nload average at the end: {_load()}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
