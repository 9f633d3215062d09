"""Cost of the gradient check against the naive full central-difference loop, by parameter count.

    python benchmarks/bench_gradcheck.py            # 10, 1e3, 1e5, 1e6 parameters
    python benchmarks/bench_gradcheck.py --quick    # 10, 1e3, 1e5 only

The loss is one tanh layer, ``sum(tanh(X W) * R) / n`` with a (d, h) weight matrix W of the given size
and a batch of n = 8, so one loss evaluation costs time proportional to the parameter count. The check
is run on the correct gradient (it must pass) and on its negation (it must fail), and timed on the
correct one. The naive loop perturbs W in place, two evaluations per coordinate; past 10^4 parameters
it is timed on a random subset of coordinates and extrapolated linearly (marked "extrapolated").

BLAS runs on one thread (unless the environment says otherwise): a multi-threaded BLAS on a busy
machine makes the cost of one small matrix product vary a hundredfold, which would swamp the numbers.
"""

from __future__ import annotations

import argparse
import os
import time

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402  (after the thread settings, which BLAS reads when it loads)

from grader.engine.gradcheck import check_gradient  # noqa: E402

SHAPES = {10: (2, 5), 1_000: (25, 40), 100_000: (250, 400), 1_000_000: (1000, 1000)}
NAIVE_SUBSET = 200  # coordinates timed when the full naive loop would take too long
BATCH = 8


def layer(rng: np.random.Generator, d: int, h: int):
    X, R = rng.standard_normal((BATCH, d)), rng.standard_normal((BATCH, h))
    W = rng.standard_normal((d, h)) / np.sqrt(d)

    def loss(W: np.ndarray) -> float:
        return float(np.sum(np.tanh(X @ W) * R) / BATCH)

    Z = np.tanh(X @ W)
    return loss, W, X.T @ ((1 - Z**2) * R) / BATCH


def time_check(loss, W, dW, rng) -> tuple[float, int, str]:
    check_gradient(loss, at={"W": W}, got={"W": dW}, rng=rng)  # warm-up: first calls pay for imports and caches
    start = time.perf_counter()
    report = check_gradient(loss, at={"W": W}, got={"W": dW}, rng=rng)
    elapsed = time.perf_counter() - start
    assert report.ok, "the check failed a correct gradient"
    assert not check_gradient(loss, at={"W": W}, got={"W": -dW}, rng=rng).ok, "the check missed a sign error"
    return elapsed, report.evaluations, report.params[0].how


def time_naive(loss, W, rng) -> tuple[float, int, bool]:
    """Seconds and evaluations of the full central-difference loop; True if extrapolated."""
    flat = W.reshape(-1)
    extrapolate = flat.size > 10_000
    indices = rng.choice(flat.size, NAIVE_SUBSET, replace=False) if extrapolate else np.arange(flat.size)
    h = 1e-5
    start = time.perf_counter()
    for i in indices:
        saved = flat[i]
        flat[i] = saved + h
        up = loss(W)
        flat[i] = saved - h
        down = loss(W)
        flat[i] = saved
        _ = (up - down) / (2 * h)
    elapsed = time.perf_counter() - start
    return elapsed * flat.size / len(indices), 2 * flat.size, extrapolate


def one_call(loss, W) -> float:
    """The time of one loss evaluation (the best of several rounds, to see past other load)."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(5):
            loss(W)
        rounds.append((time.perf_counter() - start) / 5)
    return min(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10^6-parameter row")
    sizes = [size for size in SHAPES if not (parser.parse_args().quick and size > 100_000)]
    print(f"tanh layer, batch {BATCH}; BLAS threads: {os.environ['OPENBLAS_NUM_THREADS']}")
    header = (
        f"{'params':>9} {'mode':>20} {'check evals':>11} {'check time':>11} {'in f-calls':>10} "
        f"{'naive evals':>11} {'naive time':>12} {'speed-up':>9}  note"
    )
    print(header)
    print("-" * len(header))
    for size in sizes:
        rng = np.random.default_rng(size)
        loss, W, dW = layer(rng, *SHAPES[size])
        check_time, evaluations, how = time_check(loss, W, dW, rng)
        naive_time, naive_evaluations, extrapolated = time_naive(loss, W.copy(), rng)
        per_call = one_call(loss, W)
        note = f"naive timed on {NAIVE_SUBSET} coordinates, extrapolated" if extrapolated else "naive measured in full"
        print(
            f"{size:>9,} {how:>20} {evaluations:>11,} {check_time:>10.3f}s {check_time / per_call:>10.0f} "
            f"{naive_evaluations:>11,} {naive_time:>11.3f}s {naive_time / check_time:>8.1f}x  {note}"
        )
    print()
    print("in f-calls: the check's time divided by the time of one loss evaluation (its cost counted in")
    print("evaluations, its own overhead included). Past the budget (100 coordinates and directions per")
    print("parameter) the evaluations stay at 208 (a central difference each) and this stays bounded: the")
    print("check's wall time grows only as one evaluation of f does, while the naive loop's grows with the")
    print("parameter count too.")


if __name__ == "__main__":
    main()
