"""The course's checks grade correctly: the self-test of assignments/*/checks.py and solutions/*/checks_hidden.py.

- the references score full marks, the stubs zero, and correct alternative implementations full marks;
- every buggy variant (tests/course/buggy/<id>/<name>.yaml, materialised by tests/course/variants.py) loses
  points on the check its docstring names, with a message or hint that points at the bug (asserted on the
  check's name and on words of its text);
- the hidden checks alone catch every buggy variant too;
- every backward function is covered by numeric gradient checks, public and hidden: a slightly wrong
  gradient fails at least one check of each kind that calls expect.gradient / expect.vjp;
- points: every assignment is worth 25, the course 100.

Everything is graded through the real pipeline (grader.engine.grader.grade, sandboxed workers) with one fork
server per module.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import pytest

from grader.engine.checks import expect
from grader.engine.checks.loader import load_checks
from tests.course.variants import variant, variants
from tests.engine.helpers import grade_files

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ALTERNATIVES = HERE / "alternatives"
IDS = ("rnn_backward", "conv", "logistic_regression", "self_attention")
HANGUL = re.compile(r"[\uac00-\ud7a3]")

# For every buggy variant: the checks that must fail, each with words its message or hint must contain
# (case-insensitive), and checks that must still pass (the bug is in one place, so the others are right).
EXPECTED = {
    "rnn_backward": {
        "dW_rec_transposed": dict(
            fails={
                "rnn_backward_matches_numeric_gradient": ["W_rec", "transpose"],
                "rnn_backward_one_step_tanh_derivative": ["dW_rec", "h_(t−1)ᵀ δ_t"],
            }
        ),
        "dh0_not_propagated": dict(
            fails={
                "rnn_backward_matches_numeric_gradient": ["h0", "all zeros"],
                "rnn_backward_one_step_tanh_derivative": ["dh0", "transpose of W_rec"],
            }
        ),
        "missing_tanh_derivative": dict(fails={"rnn_backward_one_step_tanh_derivative": ["db", "1 − h²"]}),
        "previous_state_off_by_one": dict(
            fails={
                "backward_gradient_hand_example": ["wRec_grad", "S_{k-1}"],
                "backward_gradient_matches_numeric_gradient": ["wRec"],
            },
            passes=["grad_over_time_powers_of_wrec"],
        ),
        "state_not_carried_forward": dict(fails={"rnn_forward_recurrence": ["time step 1", "hs[:, 0]"]}),
        "sum_instead_of_mean": dict(
            fails={"backward_gradient_matches_numeric_gradient": ["wx", "batch size"]},
            passes=["backward_gradient_hand_example", "grad_over_time_powers_of_wrec"],
        ),
        "tanh_applied_twice": dict(fails={"rnn_backward_one_step_tanh_derivative": ["db", "tanh again"]}),
        "truncation_blocks_from_end": dict(
            fails={"rnn_backward_truncation_blocks_from_start": ["wrong steps", "counted from the start"]},
            passes=["rnn_backward_matches_numeric_gradient", "rnn_backward_one_step_tanh_derivative"],
        ),
    },
    "conv": {
        "bias_gradient_mean": dict(  # the gradient checker's diagnosis, then the check's hint
            fails={"conv2d_backward_db_numeric": ["db", "constant factor", "not a mean"]},
            passes=["conv2d_backward_dx_numeric", "conv2d_backward_dw_numeric"],
        ),
        "dilation_ignored": dict(
            fails={"conv_output_size_with_dilation": ["dilation*(filter - 1) + 1"]},
            passes=["conv_output_size_seed_examples"],
        ),
        "flipped_kernel": dict(fails={"conv2d_forward_seed_example": ["flipped kernel", "cross-correlation"]}),
        "output_size_without_plus_one": dict(fails={"conv_output_size_seed_examples": ["expected 3", "+ 1"]}),
        "padding_ignored_in_backward": dict(
            fails={"conv2d_backward_dx_numeric": ["dx", "crop the padding"]},
            passes=["conv2d_backward_dw_numeric", "conv2d_backward_db_numeric"],
        ),
        "pool_overlap_overwrites": dict(
            fails={"max_pool_backward_overlapping_windows": ["accumulate", "overwriting"]},
            passes=["max_pool_backward_numeric", "max_pool_backward_ties_first_max"],
        ),
        "pool_ties_all_get_gradient": dict(
            fails={"max_pool_backward_ties_first_max": ["ties", "first maximum in row-major order"]},
            passes=["max_pool_backward_numeric", "max_pool_backward_overlapping_windows"],
        ),
        "stride_ignored_in_dw": dict(
            fails={"conv2d_backward_dw_numeric": ["dw", "stride"]},
            passes=["conv2d_backward_dx_numeric", "conv2d_backward_db_numeric"],
        ),
    },
    "logistic_regression": {
        "gradient_sign_error": dict(
            fails={
                "gradients_match_numeric_gradient": ["opposite sign"],
                "gradient_descent_loss_decreases": ["loss goes up"],
            }
        ),
        "loss_without_clipping": dict(
            fails={"loss_exact_zero_one_probabilities": ["floating-point error", "divide by zero", "log", "clip"]},
            passes=["loss_small_example"],
        ),
        "losses_after_update": dict(
            fails={"gradient_descent_first_loss_is_log2": ["losses[0]", "before the update"]},
            passes=["gradient_descent_first_update"],
        ),
        "neuron_error_sign_flipped": dict(
            fails={"neuron_fit_moves_downhill": ["wrong way", "err = −(y − a)"]},
            passes=["neuron_fit_starts_from_ones", "neuron_methods"],
        ),
        "neuron_init_zeros": dict(fails={"neuron_fit_starts_from_ones": ["w = (1, …, 1)"]}, passes=["neuron_methods"]),
        "predict_thresholds_z": dict(fails={"predict_strict_threshold": ["probability", "not z"]}),
        "sigmoid_overflow": dict(
            fails={"sigmoid_no_overflow_at_large_inputs": ["floating-point error", "overflow", "exp(-|z|)"]},
            passes=["sigmoid_values"],
        ),
        "sum_instead_of_mean": dict(fails={"gradients_match_numeric_gradient": ["batch size"]}),
    },
    "self_attention": {
        "backward_dK_not_transposed": dict(
            fails={"self_attention_backward_dW_k": ["W_k", "transpose of the scores' gradient"]},
            passes=["self_attention_backward_dW_q", "self_attention_backward_dW_v"],
        ),
        "backward_missing_softmax_jacobian": dict(
            fails={"self_attention_backward_dW_q": ["W_q", "Jacobian"]}, passes=["self_attention_backward_dW_v"]
        ),
        "fully_masked_row_nan": dict(
            fails={"self_attention_fully_masked_row_is_zero": ["NaN", "no allowed position"]},
            passes=["self_attention_mask_rows_sum_to_one"],
        ),
        "k_times_q_transposed": dict(fails={"attention_scores_row_is_query": ["transposed", "Q Kᵀ"]}),
        "mask_after_softmax": dict(
            fails={"self_attention_mask_rows_sum_to_one": ["applied after the softmax", "out of the softmax itself"]}
        ),
        "missing_sqrt_dk_scaling": dict(
            fails={"self_attention_seed_example": ["without the scale 1/√d_k", "peaked"]},
            passes=["scale_scores_seed_example"],
        ),
        "softmax_not_stable": dict(
            fails={"softmax_large_inputs_stable": ["NaN", "row maximum"]},
            passes=["softmax_seed_example", "softmax_rows_sum_to_one"],
        ),
        "softmax_wrong_axis": dict(
            fails={"softmax_rows_sum_to_one": ["each row of softmax(x) must sum to 1; yours: each column", "axis"]}
        ),
    },
}

# The backward functions; each must be caught by numeric gradient checks, public and hidden.
BACKWARD = {
    "rnn_backward": ("backward_gradient", "rnn_backward"),
    "conv": ("conv2d_backward", "max_pool2d_backward"),
    "logistic_regression": ("gradients",),
    "self_attention": ("self_attention_backward",),
}


def grade_one(course, launcher, aid, submission, language="en"):
    (result,) = grade_files(course, submission, launcher=launcher, assignment_ids=(aid,), language=language).assignments
    return result


def not_passed(result):
    return {
        check.name: f"{check.status}: {check.message} | {check.hint}"
        for check in result.checks
        if check.status != "passed"
    }


def buggy_variants():
    return [(aid, v.name) for aid in IDS for v in variants(aid)]


def alternatives():
    return [(aid, path.stem) for aid in IDS for path in sorted((ALTERNATIVES / aid).glob("*.py"))]


# ---------------------------------------------------------------------------
# points
# ---------------------------------------------------------------------------


def test_each_assignment_is_worth_25_and_the_course_100(course):
    totals = {}
    for assignment in course.assignments:
        checks = load_checks(assignment, include_hidden=True)
        assert all(check.points > 0 and check.description for check in checks)
        assert {check.visibility for check in checks} == {"public", "hidden"}
        totals[assignment.id] = sum(check.points for check in checks)
    assert totals == {aid: 25.0 for aid in IDS}


def test_every_check_describes_itself_in_english_and_korean(course):
    """One style everywhere: the docstring says it in English, @check(ko=...) in Korean."""
    for assignment in course.assignments:
        for check in load_checks(assignment, include_hidden=True):
            assert isinstance(check.description, dict) and set(check.description) == {"en", "ko"}, check.name
            assert check.description["en"] == " ".join(inspect.getdoc(check.function).split("\n\n")[0].split()), (
                check.name
            )
            assert HANGUL.search(check.description["ko"]) and not HANGUL.search(check.description["en"]), check.name


# ---------------------------------------------------------------------------
# references, stubs, alternatives
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("aid", IDS)
def test_reference_scores_full_marks(course, launcher, aid):
    result = grade_one(course, launcher, aid, ROOT / "solutions")
    assert not_passed(result) == {}
    assert result.score == result.max_score == 25.0


@pytest.mark.parametrize("aid", IDS)
def test_stub_scores_zero_and_every_check_says_not_implemented(course, launcher, aid, tmp_path):
    """Each check says "not implemented", or is not run because a check it depends on says so."""
    assert not grade_one(course, launcher, aid, None).submitted  # the course's own assignments/: the unchanged stub
    # The stub's code handed in as an answer (a comment added, so it is no longer the published stub) is graded.
    (tmp_path / f"{aid}.py").write_text(course.assignment(aid).stub.read_text() + "# my answer\n")
    result = grade_one(course, launcher, aid, tmp_path)
    assert result.submitted and result.score == 0.0 and result.max_score == 25.0
    unimplemented = {
        check.name for check in result.checks if check.status == "failed" and "not implemented" in check.message
    }
    for check in result.checks:
        if check.status == "not_run":
            assert re.search(r"depends on `(\w+)`", check.message).group(1) in unimplemented, (
                check.name,
                check.message,
            )
        else:
            assert check.name in unimplemented, (check.name, check.status, check.message)


@pytest.mark.parametrize("aid, stem", alternatives())
def test_correct_alternative_implementation_scores_full_marks(course, launcher, aid, stem):
    result = grade_one(course, launcher, aid, ALTERNATIVES / aid / f"{stem}.py")
    assert not_passed(result) == {}
    assert result.score == 25.0


@pytest.mark.parametrize("aid", IDS)
def test_every_assignment_has_an_alternative(aid):
    assert list((ALTERNATIVES / aid).glob("*.py"))


# ---------------------------------------------------------------------------
# buggy variants
# ---------------------------------------------------------------------------


def test_every_buggy_variant_has_an_expectation():
    assert {(aid, stem) for aid, stem in buggy_variants()} == {
        (aid, stem) for aid in EXPECTED for stem in EXPECTED[aid]
    }


@pytest.mark.parametrize("aid, stem", buggy_variants())
def test_buggy_variant_fails_the_check_that_points_at_its_bug(course, launcher, tmp_path, aid, stem):
    result = grade_one(course, launcher, aid, variant(aid, stem).write(tmp_path))
    failing = not_passed(result)
    expected = EXPECTED[aid][stem]
    assert result.score < result.max_score
    checks = {check.name: check for check in result.checks}
    for name, words in expected["fails"].items():
        assert name in failing, f"{stem}: {name} passed; failing: {sorted(failing)}"
        text = f"{checks[name].message} {checks[name].hint}".lower()
        for word in words:
            assert word.lower() in text, f"{stem}: {name} does not mention {word!r}: {failing[name]}"
    for name in expected.get("passes", ()):
        assert name not in failing, f"{stem}: {name} should pass: {failing.get(name)}"
    hidden_failing = [
        check.name for check in result.checks if check.visibility == "hidden" and check.status != "passed"
    ]
    assert hidden_failing, f"{stem}: no hidden check catches it"


@pytest.mark.parametrize(
    "aid, stem, status",
    [
        ("rnn_backward", "truncation_blocks_from_end", "failed"),
        ("conv", "flipped_kernel", "failed"),
        ("logistic_regression", "sigmoid_overflow", "error"),  # numpy raised FloatingPointError in the student's code
        ("self_attention", "mask_after_softmax", "failed"),
    ],
)
def test_pointed_messages_are_korean_for_korean_students(course, launcher, tmp_path, aid, stem, status):
    result = grade_one(course, launcher, aid, variant(aid, stem).write(tmp_path), language="ko")
    (name,) = list(EXPECTED[aid][stem]["fails"])[:1]
    (check,) = [check for check in result.checks if check.name == name]
    assert check.status == status
    assert HANGUL.search(check.message) and HANGUL.search(check.hint), (check.message, check.hint)
    assert HANGUL.search(check.description), check.description


def _without_np(source, how):
    """``source`` (which imports numpy as np) importing numpy another way: as ``numpy``, or its functions by name."""
    if how == "import numpy":
        source = source.replace("import numpy as np", "import numpy").replace("np.", "numpy.")
    else:  # from numpy import exp, ...: no module name at all in the submission
        names = sorted(set(re.findall(r"\bnp\.(\w+)", source)))
        source = re.sub(r"\bnp\.(\w+)", r"\1", source).replace(
            "import numpy as np", f"from numpy import {', '.join(names)}"
        )
        assert "exp" in names and not re.search(r"\b(np|numpy)\.", source)
    assert "np." not in source.replace("numpy.", "")
    return source


@pytest.mark.parametrize("how", ["import numpy", "from numpy import"])
@pytest.mark.parametrize(
    "stem, names, words",
    [
        ("sigmoid_overflow", ("sigmoid_no_overflow_at_large_inputs", "sigmoid_extremes_match_reference"), ["overflow"]),
        ("loss_without_clipping", ("loss_exact_zero_one_probabilities", "loss_matches_reference"), ["divide by zero"]),
    ],
)
def test_numpy_errors_are_caught_however_the_submission_imports_numpy(
    course, launcher, tmp_path, how, stem, names, words
):
    path = tmp_path / "logistic_regression.py"
    path.write_text(_without_np(variant("logistic_regression", stem).source(), how), encoding="utf-8")
    checks = {check.name: check for check in grade_one(course, launcher, "logistic_regression", path).checks}
    for name in names:  # the public check and the hidden one
        check = checks[name]
        assert check.status == "error", (name, check.status, check.message)
        assert "floating-point error" in check.message and all(word in check.message for word in words), check.message
        assert check.line is not None and check.traceback, name  # the student's own line
    assert sum(check.status != "passed" for check in checks.values()) == len(names)  # nothing else is affected


# ---------------------------------------------------------------------------
# numeric gradient checks cover every backward function
# ---------------------------------------------------------------------------

SLIGHTLY_WRONG = """

def _one_percent_off(value):
    if isinstance(value, (tuple, list)):
        return type(value)(_one_percent_off(item) for item in value)
    return value * 1.01


_correct_{name} = {name}


def {name}(*args, **kwargs):
    return _one_percent_off(_correct_{name}(*args, **kwargs))
"""


@pytest.fixture
def gradient_checks(monkeypatch):
    """The names of the checks that called expect.gradient or expect.vjp during the test."""
    names: set[str] = set()

    def recording(function):
        def record(*args, **kwargs):
            frame = sys._getframe(1)
            while frame is not None:
                names.add(frame.f_code.co_name)
                frame = frame.f_back
            return function(*args, **kwargs)

        return record

    monkeypatch.setattr(expect, "gradient", recording(expect.gradient))
    monkeypatch.setattr(expect, "vjp", recording(expect.vjp))
    return names


@pytest.mark.parametrize("aid, name", [(aid, name) for aid in IDS for name in BACKWARD[aid]])
def test_a_slightly_wrong_backward_fails_public_and_hidden_numeric_gradient_checks(
    course, launcher, tmp_path, gradient_checks, aid, name
):
    reference = (ROOT / "solutions" / aid / f"{aid}.py").read_text(encoding="utf-8")
    path = tmp_path / f"{aid}.py"
    path.write_text(reference + SLIGHTLY_WRONG.format(name=name), encoding="utf-8")
    result = grade_one(course, launcher, aid, path)
    numeric = [check for check in result.checks if check.name in gradient_checks]
    failed = {check.visibility for check in numeric if check.status != "passed"}
    assert failed == {"public", "hidden"}, [(check.name, check.status) for check in numeric]


# ---------------------------------------------------------------------------
# the argument checks test something (no generated mutant removes a validation)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "aid, validation, check_name",
    [
        (
            "rnn_backward",
            "if truncate is not None and not (isinstance(truncate, (int, np.integer)) and truncate >= 1):",
            "rnn_backward_rejects_bad_truncate",
        ),
        (
            "conv",
            "if isinstance(value, bool) or not isinstance(value, (int, np.integer)):",
            "conv_output_size_rejects_non_integers",
        ),
        ("conv", "if stride < 1:", "conv_output_size_rejects_bad_arguments"),
        ("conv", "if input_size < 1 or filter_size < 1 or dilation < 1:", "conv_output_size_rejects_bad_arguments"),
        ("conv", "if x.shape[1] != w.shape[1]:", "conv2d_forward_rejects_channel_mismatch"),
        ("self_attention", "if allowed.shape != scores.shape:", "self_attention_rejects_bad_mask_shape"),
    ],
)
def test_a_missing_argument_check_fails_its_check(course, launcher, tmp_path, aid, validation, check_name):
    reference = (ROOT / "solutions" / aid / f"{aid}.py").read_text(encoding="utf-8")
    assert reference.count(validation) == 1
    path = tmp_path / f"{aid}.py"
    path.write_text(reference.replace(validation, "if False:"), encoding="utf-8")
    failing = not_passed(grade_one(course, launcher, aid, path))
    assert check_name in failing, sorted(failing)


@pytest.mark.parametrize(
    "aid, stem, english, korean",
    [
        ("self_attention", "fully_masked_row_nan", "(A's fully masked row)", "(A의 완전히 가려진 행)"),
        (
            "conv",
            "pool_ties_all_get_gradient",
            "max_pool2d_backward(dout, x with ties)",
            "max_pool2d_backward(dout, 동점이 있는 x)",
        ),
        (
            "logistic_regression",
            "neuron_init_zeros",
            "LogisticNeuron.w after fit(x, y, epochs=0)",
            "fit(x, y, epochs=0) 뒤의 LogisticNeuron.w",
        ),
    ],
)
def test_the_labels_checks_give_their_values_speak_the_students_language(
    course, launcher, tmp_path, aid, stem, english, korean
):
    """One language per run: a check's own words for what it compared (issue 14.6) follow --lang, as its hints do."""
    messages = {}
    for language in ("en", "ko"):
        result = grade_one(course, launcher, aid, variant(aid, stem).write(tmp_path / language), language=language)
        messages[language] = "\n".join(check.message for check in result.checks)
    assert english in messages["en"] and korean not in messages["en"]
    assert korean in messages["ko"] and english not in messages["ko"]
