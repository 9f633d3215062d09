"""Evidence over many seeds: a correct gradient never fails, a planted bug is always caught.

Every model is drawn in four regimes in turn (values ~1, near 0, ~1e3, float32 inside f), so each
1,000-seed sweep covers 250 points of each. The points are small so the sweeps stay fast; nothing is
skipped and no tolerance is passed in: the checker's defaults are what is tested.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck_bugs import BUGS
from gradcheck_models import KINKED, REGIMES, SMOOTH, check

from grader.i18n import render

SEEDS = 1000
BUG_SEEDS = 500
KINK_SEEDS = 250


@pytest.mark.slow
@pytest.mark.parametrize("model", sorted(SMOOTH))
def test_a_correct_gradient_passes_on_every_seed(model: str) -> None:
    failures, checked, entries = [], 0, 0
    for seed in range(SEEDS):
        rng = np.random.default_rng(seed)
        regime = REGIMES[seed % len(REGIMES)]
        case = SMOOTH[model](rng, regime)
        report = check(case, case.grad, rng)
        if not report.ok:
            failures.append((seed, regime, render(report.message, "en")))
        # The tolerance adapts to the precision f computes in, and only to it.
        assert (report.rtol > 1e-3) if regime == "float32" else (report.rtol == 1e-5), (seed, regime, report.rtol)
        checked += sum(result.n_checked for result in report.params)
        entries += sum(np.size(value) for value in case.grad.values())
    assert failures == []
    # Passing must mean compared, not skipped: at these smooth points nearly every entry is judged.
    assert checked >= 0.99 * entries


@pytest.mark.parametrize("model", sorted(KINKED))
def test_at_a_kink_a_valid_one_sided_derivative_is_skipped_never_failed(model: str) -> None:
    failures, skipped = [], 0
    for seed in range(KINK_SEEDS):
        rng = np.random.default_rng(seed)
        case = KINKED[model](rng, REGIMES[seed % len(REGIMES)])
        report = check(case, case.grad, rng)
        if not report.ok:
            failures.append((seed, render(report.message, "en")))
        skipped += sum(result.n_kinks_skipped for result in report.params)
    assert failures == []
    assert skipped > KINK_SEEDS  # ties and zeros are everywhere at these points: they must be seen


# Models that saturate at magnitudes ~1e3: a tanh RNN, a softmax over logits ~1e3 and a logistic
# regression that classifies every sample with certainty have a true gradient of 0 to rounding (often
# exactly 0), so negating or doubling it changes nothing any check could see. They are tested at
# large magnitudes above (a correct gradient must still pass), and here in the other regimes.
SATURATING = ("tanh_rnn", "attention", "logistic_bce")


def _regimes(model: str) -> tuple[str, ...]:
    return tuple(regime for regime in REGIMES if not (model in SATURATING and regime == "large"))


@pytest.mark.slow
@pytest.mark.parametrize("bug", sorted(BUGS))
def test_a_planted_bug_is_caught_and_named_on_every_seed(bug: str) -> None:
    plant, models = BUGS[bug]
    missed, misnamed = [], []
    for seed in range(BUG_SEEDS):
        model = models[seed % len(models)]
        regimes = _regimes(model)
        rng = np.random.default_rng(seed)
        case = SMOOTH[model](rng, regimes[(seed // len(models)) % len(regimes)])
        planted = plant(case, np.random.default_rng(10**6 + seed))
        report = check(case, planted.got, rng)
        result = next(result for result in report.params if result.name == planted.name)
        if report.ok or result.ok:
            missed.append((model, seed, planted.name))
            continue
        diagnosis = result.diagnosis
        named = diagnosis.kind == planted.kind and diagnosis.factor_name == planted.factor_name
        if planted.index is not None:
            named = named and diagnosis.wrong_indices == (planted.index,)
        if bug == "time_step":
            named = named and diagnosis.wrong_axis_indices == (0,)
        if not named:
            misnamed.append((model, seed, planted.name, diagnosis))
    assert missed == []
    assert misnamed == []
