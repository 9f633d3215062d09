"""Watch mode: how long from saving a submission to its result on screen.

Run: python benchmarks/bench_watch.py [--saves N] [--course DIR --assignment ID --wrong FILE --right FILE]
Default: the grader's mini course (one assignment, 6 checks with hidden ones), saving a wrong and a
right vectors.py alternately. Target (issue 7): well under a second for one assignment.

Latency is measured from just before the file is written to the moment the result line is read from
the `grader grade --watch` subprocess's output; "grading" is the part the watcher itself reports
(worker fork, import, checks), the rest is noticing the save (50 ms polls), letting it settle (40 ms
quiet) and redrawing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the watch driver is shared with the tests

from tests.students.watching import WatchProcess  # noqa: E402

MINI = ROOT / "tests/fixtures/mini_course"


def measure(course: Path, assignment: str, versions: list[str], saves: int, workdir: Path) -> list[tuple[float, float]]:
    """(save-to-result seconds, grading seconds) of ``saves`` saves cycling through ``versions``."""
    submission = workdir / "submission"
    submission.mkdir()
    target = submission / f"{assignment}.py"
    target.write_text(versions[0])
    watcher = WatchProcess(assignment, "--course", str(course), "--submission", str(submission))
    try:
        watcher.next_result(60)  # the first grade, at start
        samples = []
        for number in range(saves):
            time.sleep(0.2)  # a student does not save twice within a debounce window
            started = time.perf_counter()
            target.write_text(versions[(number + 1) % len(versions)])
            _, grading, _ = watcher.next_result(30)
            samples.append((time.perf_counter() - started, grading))
        watcher.interrupt(30)
        return samples
    finally:
        watcher.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--course", type=Path, default=MINI)
    parser.add_argument("--assignment", default="vectors")
    parser.add_argument("--wrong", type=Path, help="default: the mini course's reference with add() broken")
    parser.add_argument("--right", type=Path, help="default: the mini course's reference")
    args = parser.parse_args()
    right = args.right.read_text() if args.right else (MINI / "solutions/vectors/vectors.py").read_text()
    wrong = args.wrong.read_text() if args.wrong else right.replace("return a + b", "return a - b")
    workdir = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    os.environ["TMPDIR"] = str(workdir)
    try:
        samples = measure(args.course, args.assignment, [wrong, right], args.saves, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    latency = sorted(s[0] * 1e3 for s in samples)
    grading = sorted(s[1] * 1e3 for s in samples)
    print(f"{args.assignment} in {args.course.resolve().name}: {len(samples)} saves")
    print(f"  save to result: median {statistics.median(latency):.0f} ms, max {latency[-1]:.0f} ms")
    print(f"  of which grading: median {statistics.median(grading):.0f} ms, max {grading[-1]:.0f} ms")


if __name__ == "__main__":
    main()
