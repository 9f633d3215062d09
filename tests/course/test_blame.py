"""Blame lands on the function that is wrong, and the diagnosis names the mistake.

A submission whose only bug is in a forward pass (or a loss) and whose backward pass is right:

- in the official grade (hidden checks present) loses exactly the points of that forward pass's checks:
  every backward check, public or hidden, differentiates the reference's forward there (``oracle``);
- in a student's own run (public checks only) loses the forward checks, and the public backward checks
  that use the student's forward as their oracle are not run ("depends on `…`, which failed: fix that
  first"), with no backward hint.

And the forward failure says what is wrong: self_attention's softmax over the columns is reported as
"each row of A must sum to 1; yours: each column" (and in Korean), never with a hint about √d_k; a
missing scale and a mask applied after the softmax are named as such.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.engine.helpers import grade_files

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _reference_with(aid: str, old: str, new: str) -> str:
    """The reference without its solution markers, ``old`` (there exactly once) replaced by ``new``."""
    text = (ROOT / "solutions" / aid / f"{aid}.py").read_text(encoding="utf-8")
    text = "".join(
        line for line in text.splitlines(keepends=True) if line.strip() not in ("# BEGIN SOLUTION", "# END SOLUTION")
    )
    assert text.count(old) == 1, old
    return text.replace(old, new)


# (assignment, bug, old, new, the checks of the broken function, checks that must pass)
FORWARD_BUGS = {
    "softmax_axis_in_self_attention": (
        "self_attention",
        "        A = softmax(scores, axis=-1)\n",
        "        A = softmax(scores, axis=0)\n",
        {"self_attention_seed_example", "self_attention_matches_reference"},
        {
            "self_attention_backward_matches_reference",
            "self_attention_backward_numeric_gradient",
            "softmax_rows_sum_to_one",
        },
    ),
    "flipped_kernel_in_conv2d_forward": (
        "conv",
        'np.einsum("ncijpq,fcpq->nfij", windows, w)',
        'np.einsum("ncijpq,fcpq->nfij", windows, w[:, :, ::-1, ::-1])',
        {
            "conv2d_forward_seed_example",
            "conv2d_forward_matches_reference",
            "conv2d_forward_batch_of_one_and_full_kernel",
            "conv_integer_and_float32_inputs",
        },
        {
            "conv2d_backward_matches_reference",
            "conv2d_backward_uncovered_cells_get_zero",
            "conv2d_backward_numeric_gradient",
        },
    ),
    "state_not_carried_in_rnn_forward": (
        "rnn_backward",
        "h = np.tanh(X[:, t] @ W_x + h @ W_rec + b)",
        "hs[:, t] = np.tanh(X[:, t] @ W_x + h @ W_rec + b)\n        continue",
        {"rnn_forward_recurrence", "rnn_forward_matches_reference", "integer_inputs_match_reference"},
        {
            "rnn_backward_numeric_gradient",
            "rnn_backward_batch_of_one_single_step",
            "rnn_backward_truncated_numeric_gradient",
            "rnn_backward_one_step_tanh_derivative",
        },
    ),
    "sum_instead_of_mean_in_the_loss": (
        "logistic_regression",
        "return float(-np.mean(y * np.log(a) + (1.0 - y) * np.log(1.0 - a)))",
        "return float(-np.sum(y * np.log(a) + (1.0 - y) * np.log(1.0 - a)))",
        {
            "loss_small_example",
            "loss_exact_zero_one_probabilities",
            "loss_matches_reference",
            "gradient_descent_matches_reference",
            "gradient_descent_first_loss_is_log2",
        },
        {"gradients_match_reference", "gradients_numeric_gradient", "gradient_descent_first_update"},
    ),
}


def _grade_result(
    course, launcher, tmp_path: Path, aid: str, source: str, language: str = "en", public_only: bool = False
):
    path = tmp_path / f"{aid}.py"
    path.write_text(source, encoding="utf-8")
    (result,) = grade_files(
        course, path, launcher=launcher, assignment_ids=(aid,), language=language, public_only=public_only
    ).assignments
    return result


def _grade(course, launcher, tmp_path: Path, aid: str, source: str, language: str = "en", public_only: bool = False):
    result = _grade_result(course, launcher, tmp_path, aid, source, language, public_only)
    return {check.name: check for check in result.checks}


@pytest.mark.parametrize("bug", list(FORWARD_BUGS))
def test_in_the_official_grade_a_forward_bug_costs_exactly_the_forward_checks_points(course, launcher, tmp_path, bug):
    aid, old, new, broken, keep = FORWARD_BUGS[bug]
    result = _grade_result(course, launcher, tmp_path, aid, _reference_with(aid, old, new))
    checks = {check.name: check for check in result.checks}
    for name in broken:
        assert checks[name].status == "failed", (name, checks[name].status, checks[name].message)
    for check in checks.values():
        assert check.status == "passed" or check.name in broken, (check.name, check.status, check.message)
    assert result.max_score - result.score == pytest.approx(sum(checks[name].max_score for name in broken))


@pytest.mark.parametrize("bug", list(FORWARD_BUGS))
def test_in_a_students_own_run_the_checks_that_need_the_broken_forward_are_not_run(course, launcher, tmp_path, bug):
    aid, old, new, broken, _ = FORWARD_BUGS[bug]
    checks = _grade(course, launcher, tmp_path, aid, _reference_with(aid, old, new), public_only=True)
    for check in checks.values():
        if check.status == "not_run":
            assert re.fullmatch(r"depends on `(\w+)`, which failed: fix that first", check.message).group(1) in broken
            assert check.hint == ""
        else:
            assert check.status == "passed" or check.name in broken, (check.name, check.status, check.message)
    assert any(check.status == "not_run" for check in checks.values())  # the backward checks of the student's forward


def test_a_softmax_over_the_columns_is_named_and_the_hint_is_about_the_axis(course, launcher, tmp_path):
    aid, old, new, _, _ = FORWARD_BUGS["softmax_axis_in_self_attention"]
    source = _reference_with(aid, old, new)
    for language, words in (("en", "each row of A must sum to 1; yours: each column"), ("ko", "각 행의 합이 1이어야")):
        for name in ("self_attention_seed_example", "self_attention_matches_reference"):
            check = _grade(course, launcher, tmp_path, aid, source, language)[name]
            assert words in check.message, check.message
            assert "axis -1" in check.hint and not re.search(r"sqrt|√|d_k", check.hint), check.hint
            assert language == "en" or HANGUL.search(check.hint)
    own_run = _grade(course, launcher, tmp_path, aid, source, public_only=True).values()
    backward = [c for c in own_run if "backward" in c.name]
    assert len(backward) == 4 and all(
        c.status == "not_run" and "self_attention_seed_example" in c.message for c in backward
    )
    official = _grade(course, launcher, tmp_path, aid, source).values()
    assert all(c.status == "passed" for c in official if "backward" in c.name)  # against the reference's forward


@pytest.mark.parametrize(
    "old, new, check_name, words",
    [
        (
            "    scores = scale_scores(attention_scores(Q, K), W_k.shape[1])\n",
            "    scores = attention_scores(Q, K)\n",
            "self_attention_seed_example",
            ["without the scale 1/√d_k", "divide the scores by √d_k"],
        ),
        (
            "    scores = scale_scores(attention_scores(Q, K), W_k.shape[1])\n",
            "    scores = attention_scores(Q, K) / W_k.shape[1]\n",
            "self_attention_seed_example",
            ["divided by d_k = 64 instead of √d_k = 8", "square root"],
        ),
        (
            "    scores = scale_scores(attention_scores(Q, K), W_k.shape[1])\n",
            "    scores = attention_scores(Q, K)\n",
            "self_attention_masks_match_reference",
            ["without the scale 1/√d_k"],
        ),
        (
            "    A = e / np.where(any_allowed, e.sum(axis=-1, keepdims=True), 1.0)  # empty row: 0 / 1\n",
            "    A = np.where(allowed, softmax(scores), 0.0)\n",
            "self_attention_mask_rows_sum_to_one",
            ["the mask was applied after the softmax", "allowed positions only"],
        ),
    ],
    ids=["missing-scale", "scale-by-d_k", "missing-scale-with-a-mask", "mask-after-softmax"],
)
def test_forward_mistakes_are_named(course, launcher, tmp_path, old, new, check_name, words):
    check = _grade(course, launcher, tmp_path, "self_attention", _reference_with("self_attention", old, new))[
        check_name
    ]
    assert check.status == "failed"
    for word in words:
        assert word in f"{check.message} {check.hint}", (check.message, check.hint)
