"""Diagnosis per case: a gradient off by a different constant in each case of a check, k = N / size.

The planted bug is the real one: the student divides by a hard-coded size (100) where the loss
divides by the batch size N, so every gradient of a case is N/100 times the true one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from gradcheck_models import REGIMES, linear_rnn, logistic_bce, mse, tanh_rnn

from grader import expect
from grader.engine.checks.cases import collecting_cases
from grader.engine.checks.failure import CheckFailure
from grader.engine.gradcheck import check_gradient
from grader.engine.gradcheck.diagnose import follows_batch_size
from grader.engine.gradcheck.report import Factor
from grader.i18n import render
from tests.engine.helpers import REFERENCE, by_name, grade_source, with_checks

BATCH_MODELS = {"linear_rnn": linear_rnn, "tanh_rnn": tanh_rnn, "logistic_bce": logistic_bce, "mse": mse}
SATURATING = ("tanh_rnn", "logistic_bce")  # at ~1e3 their true gradient is 0 to rounding: no factor to see
HARD_CODED = 100
SEEDS = 200


def _sizes(rng: np.random.Generator) -> tuple[int, ...]:
    """Three different batch sizes, none of them the hard-coded one."""
    return tuple(int(n) for n in rng.choice(np.arange(1, 13), size=3, replace=False))


def _regime(model: str, seed: int) -> str:
    regimes = [regime for regime in REGIMES if not (model in SATURATING and regime == "large")]
    return regimes[seed % len(regimes)]


def _run_cases(model: str, seed: int, factor_of: Callable[[int], float]) -> tuple[CheckFailure | None, tuple[int, ...]]:
    """One check's cases as the runner runs them: ``expect.gradient`` per batch size, every gradient
    scaled by ``factor_of(n)``, a raised failure ending the check; returns what the check reports."""
    rng = np.random.default_rng(seed)
    sizes = _sizes(rng)
    raised = None
    with collecting_cases() as cases:
        try:
            for n in sizes:
                case = BATCH_MODELS[model](rng, _regime(model, seed), n=n)
                got = {
                    name: np.asarray(value) * factor_of(n) if np.ndim(value) else value * factor_of(n)
                    for name, value in case.grad.items()
                }
                expect.gradient(case.f, at=case.at, got=got, rng=rng, batch_size=n)
        except CheckFailure as failure:
            raised = failure
    return cases.failure() or raised, sizes


PER_CASE = re.compile(r"((?:×[\d.e-]+ with N = \d+(?:, )?)+): a factor that follows the batch size \(N/(\d+)\)")


def _named(hint: str, sizes: tuple[int, ...]) -> bool:
    """The hint gives each case's factor (n / 100, to the check's precision) and N, and the size 100."""
    match = PER_CASE.search(hint)
    if match is None or match.group(2) != str(HARD_CODED):
        return False
    pairs = [(float(k), int(n)) for k, n in re.findall(r"×([\d.e-]+) with N = (\d+)", match.group(1))]
    return [n for _, n in pairs] == list(sizes) and all(
        abs(k - n / HARD_CODED) <= 0.02 * n / HARD_CODED for k, n in pairs
    )


@pytest.mark.slow
@pytest.mark.parametrize("model", sorted(BATCH_MODELS))
def test_a_hard_coded_batch_size_is_named_per_case(model: str) -> None:
    """Named on every seed in float64; in float32 the factor of a case can be too uncertain to compare
    (a trusted entry whose float32 numeric value is 0): then the first case's own hint stands, and the
    per-case hint is never given wrongly."""
    unnamed, wrong = [], []
    for seed in range(SEEDS):
        failure, sizes = _run_cases(model, seed, lambda n: n / HARD_CODED)
        assert failure is not None, (model, seed)
        hint = render(failure.hint, "en")
        if _named(hint, sizes):
            continue
        if "follows the batch size" in hint:
            wrong.append((seed, sizes, hint))
        elif _regime(model, seed) != "float32":
            unnamed.append((seed, sizes, hint))
    assert wrong == [] and unnamed == []


@pytest.mark.slow
@pytest.mark.parametrize("model", sorted(BATCH_MODELS))
def test_correct_cases_never_fail_and_one_constant_is_no_batch_size(model: str) -> None:
    for seed in range(SEEDS // 4):
        failure, _ = _run_cases(model, seed, lambda n: 1.0)
        assert failure is None, (model, seed)
        failure, _ = _run_cases(model, seed, lambda n: 0.3)  # the same factor in every case
        assert failure is not None and "follows the batch size" not in render(failure.hint, "en"), (model, seed)


def test_factors_that_do_not_follow_the_batch_size_keep_the_first_cases_own_hint() -> None:
    factors = {3: 0.3, 7: 0.01, 1: 0.5}
    rng = np.random.default_rng(5)
    with collecting_cases() as cases:
        for n, k in factors.items():
            case = mse(rng, "unit", n=n)
            expect.gradient(
                case.f, at=case.at, got={name: value * k for name, value in case.grad.items()}, rng=rng, batch_size=n
            )  # kept, not raised: each case is off by one constant
    failure = cases.failure()
    assert failure is not None
    hint = render(failure.hint, "en")
    assert "follows the batch size" not in hint and "0.3× the numeric one at every entry" in hint


def test_the_per_case_hint_in_korean() -> None:
    failure, sizes = _run_cases("linear_rnn", 3, lambda n: n / HARD_CODED)
    assert failure is not None
    cases = ", ".join(f"N = {n}일 때 ×{n / HARD_CODED:.3g}" for n in sizes)
    assert f"그 배수가 서로 다릅니다: {cases}: 배치 크기를 따라가는 배율(N/100)" in render(failure.hint, "ko")


def test_outside_a_check_the_first_failure_raises_at_once() -> None:
    case = mse(np.random.default_rng(1), "unit", n=6)
    with pytest.raises(CheckFailure):
        expect.gradient(case.f, at=case.at, got={name: value * 0.06 for name, value in case.grad.items()}, batch_size=6)


def _factors(*pairs: tuple[float, int], error: float = 1e-5) -> list[tuple[Factor, int]]:
    return [(Factor(k, error), n) for k, n in pairs]


def test_follows_batch_size_needs_two_cases_different_factors_and_a_size_other_than_one() -> None:
    assert follows_batch_size(_factors((0.06, 6), (0.01, 1), (0.04, 4))) == pytest.approx(100)
    assert follows_batch_size(_factors((0.06, 6))) is None  # one case proves nothing
    assert follows_batch_size(_factors((0.5, 6), (0.5, 1))) is None  # one constant everywhere
    assert follows_batch_size(_factors((6.0, 6), (1.0, 1))) is None  # k = N: the named "batch size"
    assert follows_batch_size(_factors((0.06, 6), (0.02, 1))) is None  # no common size
    assert follows_batch_size(_factors((0.06, 6), (0.0101, 1))) is None  # 1% apart: not the same size in float64
    assert follows_batch_size(_factors((0.06, 6), (0.0101, 1), error=1e-2)) == pytest.approx(100, rel=0.02)  # float32


def test_scalars_that_share_one_factor_in_one_call_are_a_constant_factor_not_a_mismatch() -> None:
    # Each scalar alone "is a constant multiple" of anything; both off by the same 0.08 is evidence.
    case = linear_rnn(np.random.default_rng(2), "unit", n=8)
    got = {"wx": case.grad["wx"] * 0.08, "wrec": case.grad["wrec"] * 0.08}
    report = check_gradient(
        case.f,
        at={"wx": case.at["wx"], "wrec": case.at["wrec"], "X": case.at["X"]},
        got=got,
        rng=np.random.default_rng(0),
        batch_size=8,
    )
    assert [(r.diagnosis.kind, r.diagnosis.factor_name) for r in report.params] == [
        ("scale", "0.08"),
        ("scale", "0.08"),
    ]
    alone = check_gradient(
        case.f, at=case.at, got={"wx": case.grad["wx"] * 0.08}, rng=np.random.default_rng(0), batch_size=8
    )
    assert alone.params[0].diagnosis.kind == "mismatch"  # one scalar: nothing to tell a factor from any error


CHECKS = '''
import numpy as np
from grader import check, expect


@check(points=3)
def mean_square_gradient(student, rng):
    """grad(X, w) is the gradient of mean((X w)^2) / 2 for batches of 6, 1 and 4."""
    for n in (6, 1, 4):
        X, w = rng.normal(size=(n, 3)), rng.normal(size=3)
        expect.gradient(lambda w: np.mean((X @ w) ** 2) / 2, at={"w": w}, got={"w": student.grad(X, w)},
                        rng=rng, batch_size=n, name=f"grad(X of shape ({n}, 3), w)")
        expect.true(True, "never")
'''


def test_a_check_reports_the_first_case_with_every_cases_factor(mini_course: Path) -> None:
    hard_coded = REFERENCE + "\n\ndef grad(X, w):\n    return X.T @ (X @ w) / 100\n"
    result = by_name(grade_source(with_checks(mini_course, CHECKS), hard_coded, public_only=True))[
        "mean_square_gradient"
    ]
    assert result.status == "failed" and result.message.startswith(
        "grad(X of shape (6, 3), w): The gradient of w is wrong"
    )
    assert result.hint == (
        "The gradient of w is a constant multiple of the numeric one in each case, but not the same one: "
        "×0.06 with N = 6, ×0.01 with N = 1, ×0.04 with N = 4: a factor that follows the batch size "
        "(N/100) — is a size hard-coded where the input's batch size N belongs?"
    )
    correct = REFERENCE + "\n\ndef grad(X, w):\n    return X.T @ (X @ w) / X.shape[0]\n"
    assert (
        by_name(grade_source(with_checks(mini_course, CHECKS), correct, public_only=True))[
            "mean_square_gradient"
        ].status
        == "passed"
    )


def test_a_kept_failure_is_reported_even_when_a_later_case_errs(mini_course: Path) -> None:
    # The last case raises in the student's code; the first failure still decides the check.
    source = (
        REFERENCE + "\n\ndef grad(X, w):\n    if X.shape[0] == 4:\n"
        "        raise ValueError('late')\n    return X.T @ (X @ w) / 100\n"
    )
    result = by_name(grade_source(with_checks(mini_course, CHECKS), source, public_only=True))["mean_square_gradient"]
    assert result.status == "failed" and "The gradient of w is wrong" in result.message and result.score == 0
