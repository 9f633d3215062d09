"""The reference solutions are right: seed examples, formulas, edge cases and numeric gradients.

Independent of the grader engine: the references are loaded straight from solutions/<id>/<id>.py and
every backward function is compared with a float64 central-difference gradient written here.
"""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]

# Underflow to 0 is the correct answer for exp of a very negative number; anything else is a bug.
STRICT = dict(over="raise", divide="raise", invalid="raise", under="ignore")


def load_reference(assignment_id):
    path = ROOT / "solutions" / assignment_id / f"{assignment_id}.py"
    spec = importlib.util.spec_from_file_location(f"_reference_{assignment_id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rnn():
    return load_reference("rnn_backward")


@pytest.fixture(scope="module")
def conv():
    return load_reference("conv")


@pytest.fixture(scope="module")
def logreg():
    return load_reference("logistic_regression")


@pytest.fixture(scope="module")
def attn():
    return load_reference("self_attention")


@pytest.fixture
def rng():
    return np.random.default_rng(20240521)


def numeric_gradient(f, x, h=1e-6):
    """Central differences of the scalar function f at x (float64), one coordinate at a time."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f(x.copy())
        x[idx] = old - h
        f_minus = f(x.copy())
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def assert_gradient(analytic, f, at, rtol=1e-5, atol=1e-7):
    numeric = numeric_gradient(f, at)
    assert np.shape(analytic) == numeric.shape
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol)


def replace(args, i, value):
    """args with args[i] replaced: the numeric gradient varies one argument at a time."""
    return [value if j == i else a for j, a in enumerate(args)]


# ---------------------------------------------------------------------------
# rnn_backward, part 1: the linear RNN of the Boostcamp assignment (seed 002)
# ---------------------------------------------------------------------------


def test_update_state_is_sk_times_wrec_plus_xk_times_wx(rnn):
    got = rnn.update_state(np.array([1.0, 2.0]), np.array([3.0, 4.0]), 0.5, 2.0)
    np.testing.assert_allclose(got, [3 * 2 + 1 * 0.5, 4 * 2 + 2 * 0.5])


def test_forward_states_counts_ones_and_starts_at_zero(rnn):
    X = np.ones((2, 3))
    np.testing.assert_allclose(rnn.forward_states(X, 1.0, 1.0), [[0, 1, 2, 3], [0, 1, 2, 3]])
    np.testing.assert_allclose(rnn.forward_states(X[:1], 1.0, 0.5), [[0, 1, 1.5, 1.75]])


def test_loss_and_output_gradient_formulas(rnn):
    y, t = np.array([1.0, 3.0]), np.array([0.0, 1.0])
    assert rnn.loss(y, t) == pytest.approx((1 + 4) / 2)
    np.testing.assert_allclose(rnn.output_gradient(y, t), [2.0, 4.0])  # per sample, not averaged


@pytest.mark.parametrize("n_samples, T", [(1, 1), (1, 5), (6, 1), (5, 7)])
def test_backward_gradient_matches_numeric_gradient_of_batch_mean_loss(rnn, rng, n_samples, T):
    X, t = rng.normal(size=(n_samples, T)), rng.normal(size=n_samples)
    wx, wrec = 1.3, 0.8
    S = rnn.forward_states(X, wx, wrec)
    (g_wx, g_wrec), _ = rnn.backward_gradient(X, S, rnn.output_gradient(S[:, -1], t), wrec)
    params = np.array([wx, wrec])
    numeric = numeric_gradient(lambda p: rnn.loss(rnn.forward_states(X, p[0], p[1])[:, -1], t), params)
    np.testing.assert_allclose([g_wx, g_wrec], numeric, rtol=1e-6, atol=1e-8)


def test_grad_over_time_is_grad_out_times_powers_of_wrec(rnn, rng):
    X = rng.normal(size=(3, 4))
    S = rnn.forward_states(X, 0.7, -1.5)
    grad_out = rng.normal(size=3)
    _, grad_over_time = rnn.backward_gradient(X, S, grad_out, -1.5)
    assert grad_over_time.shape == (3, 5)
    np.testing.assert_allclose(grad_over_time[:, -1], grad_out)
    for k in range(5):  # dS_T / dS_k = wRec ** (T - k)
        np.testing.assert_allclose(grad_over_time[:, k], grad_out * (-1.5) ** (4 - k))


def test_backward_gradient_averages_over_the_batch(rnn, rng):
    # A batch that repeats every sample has the same mean loss, hence the same gradient.
    X, t = rng.normal(size=(3, 4)), rng.normal(size=3)
    results = []
    for Xb, tb in ((X, t), (np.vstack([X, X]), np.concatenate([t, t]))):
        S = rnn.forward_states(Xb, 0.9, 1.1)
        results.append(rnn.backward_gradient(Xb, S, rnn.output_gradient(S[:, -1], tb), 1.1)[0])
    np.testing.assert_allclose(results[0], results[1])


# ---------------------------------------------------------------------------
# rnn_backward, part 2: the tanh RNN (seed 004) with full and truncated BPTT (seeds 000, 003)
# ---------------------------------------------------------------------------


def rnn_problem(rng, N=3, T=5, D=2, H=4):
    X = rng.normal(size=(N, T, D))
    h0 = rng.normal(size=(N, H)) * 0.5
    W_x = rng.normal(size=(D, H)) * 0.6
    W_rec = rng.normal(size=(H, H)) * 0.6
    b = rng.normal(size=H) * 0.3
    dhs = rng.normal(size=(N, T, H))
    return [X, h0, W_x, W_rec, b], dhs


def test_rnn_forward_first_step_and_recurrence(rnn, rng):
    (X, h0, W_x, W_rec, b), _ = rnn_problem(rng, N=2, T=3)
    hs = rnn.rnn_forward(X, h0, W_x, W_rec, b)
    assert hs.shape == (2, 3, 4)
    np.testing.assert_allclose(hs[:, 0], np.tanh(X[:, 0] @ W_x + h0 @ W_rec + b))
    for t in (1, 2):
        np.testing.assert_allclose(hs[:, t], np.tanh(X[:, t] @ W_x + hs[:, t - 1] @ W_rec + b))


@pytest.mark.parametrize("N, T", [(1, 1), (1, 4), (3, 1), (3, 5)])
def test_rnn_backward_matches_numeric_gradient(rnn, rng, N, T):
    args, dhs = rnn_problem(rng, N=N, T=T)
    hs = rnn.rnn_forward(*args)
    grads = rnn.rnn_backward(dhs, args[0], hs, *args[1:])
    assert len(grads) == 5
    for i, grad in enumerate(grads):
        assert_gradient(grad, lambda v, i=i: np.sum(rnn.rnn_forward(*replace(args, i, v)) * dhs), args[i])


def truncated_forward(rnn, X, h0, W_x, W_rec, b, k, frozen):
    """The forward pass in which the state entering each block (steps k, 2k, ...) is a constant.

    Its exact gradient is what truncated BPTT computes: the cut-off states are held at `frozen`.
    """
    T = X.shape[1]
    blocks, h = [], h0
    for start in range(0, T, k):
        if start > 0:
            h = frozen[:, start - 1]
        block = rnn.rnn_forward(X[:, start : start + k], h, W_x, W_rec, b)
        blocks.append(block)
        h = block[:, -1]
    return np.concatenate(blocks, axis=1)


@pytest.mark.parametrize("T, k", [(7, 3), (6, 3), (5, 1), (4, 2)])
def test_truncated_bptt_is_the_gradient_with_block_boundaries_held_constant(rnn, rng, T, k):
    args, dhs = rnn_problem(rng, N=2, T=T)
    hs = rnn.rnn_forward(*args)
    grads = rnn.rnn_backward(dhs, args[0], hs, *args[1:], truncate=k)
    np.testing.assert_allclose(truncated_forward(rnn, *args, k, hs), hs)  # same values, other graph
    for i, grad in enumerate(grads):

        def f(v, i=i):
            return np.sum(truncated_forward(rnn, *replace(args, i, v), k, hs) * dhs)

        assert_gradient(grad, f, args[i])


def test_truncate_at_least_T_is_full_bptt(rnn, rng):
    args, dhs = rnn_problem(rng, N=2, T=4)
    hs = rnn.rnn_forward(*args)
    full = rnn.rnn_backward(dhs, args[0], hs, *args[1:])
    for k in (4, 9):
        for a, b in zip(full, rnn.rnn_backward(dhs, args[0], hs, *args[1:], truncate=k)):
            np.testing.assert_allclose(a, b)


def test_truncation_blocks_are_counted_from_the_start(rnn, rng):
    # T = 7, k = 3: blocks are steps 0-2, 3-5, 6. Upstream gradient only at step 4 (second block).
    args, dhs = rnn_problem(rng, N=2, T=7)
    dhs[:] = 0.0
    dhs[:, 4] = 1.0
    hs = rnn.rnn_forward(*args)
    dX, dh0, *_ = rnn.rnn_backward(dhs, args[0], hs, *args[1:], truncate=3)
    assert np.all(dX[:, :3] == 0) and np.all(dh0 == 0)  # nothing crosses back into block one
    assert np.all(np.abs(dX[:, 3:5]).sum(axis=-1) > 0)  # steps 3 and 4 lie in the block
    assert np.all(dX[:, 5:] == 0)  # nothing flows forward in time
    full_dX, full_dh0, *_ = rnn.rnn_backward(dhs, args[0], hs, *args[1:])
    assert np.all(np.abs(full_dX[:, :3]).sum(axis=-1) > 0) and np.any(full_dh0 != 0)


def test_h0_gets_gradient_from_the_first_block_only(rnn, rng):
    args, dhs = rnn_problem(rng, N=2, T=6)
    hs = rnn.rnn_forward(*args)
    first_block_only = dhs.copy()
    first_block_only[:, 2:] = 0.0
    dh0 = rnn.rnn_backward(dhs, args[0], hs, *args[1:], truncate=2)[1]
    dh0_first = rnn.rnn_backward(first_block_only, args[0], hs, *args[1:], truncate=2)[1]
    np.testing.assert_allclose(dh0, dh0_first)


@pytest.mark.parametrize("bad", [0, -2, 2.5, "3"])
def test_truncate_must_be_a_positive_integer(rnn, rng, bad):
    args, dhs = rnn_problem(rng, N=1, T=3)
    hs = rnn.rnn_forward(*args)
    with pytest.raises(ValueError):
        rnn.rnn_backward(dhs, args[0], hs, *args[1:], truncate=bad)


# ---------------------------------------------------------------------------
# conv
# ---------------------------------------------------------------------------

# Seed 001: the 3x3 kernel over a 5x5 input whose first window is [[3,3,2],[0,0,1],[3,1,2]]
# (3*0 + 3*1 + 2*2 + 0*2 + 0*2 + 1*0 + 3*0 + 1*1 + 2*2 = 12). The rest of the input is the
# figure the seed shows (the conv_arithmetic "no padding, no strides" animation).
SEED_INPUT = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
SEED_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])


def naive_conv2d(x, w, b, stride, pad):
    """The textbook loop: out[n, f, i, j] = b[f] + sum(xpad window * w[f])."""
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    N, F = x.shape[0], w.shape[0]
    KH, KW = w.shape[2:]
    OH = (xp.shape[2] - KH) // stride + 1
    OW = (xp.shape[3] - KW) // stride + 1
    out = np.zeros((N, F, OH, OW))
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    window = xp[n, :, i * stride : i * stride + KH, j * stride : j * stride + KW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out


@pytest.mark.parametrize(
    "args, expected",
    [
        ((5, 3), 3),  # seed 001: 5x5 input, 3x3 kernel
        ((28, 3, 1, 1), 28),  # seed 004: padding 'SAME' keeps 28x28
        ((7, 3, 2, 1), 4),  # (7 + 2 - 3) / 2 + 1
        ((7, 3, 2, 0), 3),
        ((6, 3, 2, 0), 2),  # floor((6 - 3) / 2) + 1
        ((7, 3, 1, 0, 2), 3),  # dilated 3-tap filter spans 5 cells
        ((3, 5, 1, 1), 1),  # filter exactly as large as the padded input
        ((1, 1), 1),
    ],
)
def test_conv_output_size_formula(conv, args, expected):
    assert conv.conv_output_size(*args) == expected
    assert isinstance(conv.conv_output_size(*args), int)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(input_size=5, filter_size=3, stride=0), "stride"),
        (dict(input_size=5, filter_size=3, pad=-1), "pad"),
        (dict(input_size=0, filter_size=3), "input_size"),
        (dict(input_size=5, filter_size=0), "filter_size"),
        (dict(input_size=3, filter_size=5), "filter"),
        (dict(input_size=5, filter_size=3, dilation=3), "filter"),
    ],
)
def test_conv_output_size_rejects_bad_arguments_with_a_clear_message(conv, kwargs, word):
    with pytest.raises(ValueError, match=word):
        conv.conv_output_size(**kwargs)


def test_conv2d_output_shape_with_ints_and_pairs(conv):
    assert conv.conv2d_output_shape((5, 5), (3, 3)) == (3, 3)
    assert conv.conv2d_output_shape((6, 9), (3, 2), 2, 1) == (3, 5)
    assert conv.conv2d_output_shape((5, 7), (3, 2), (2, 1), (1, 0)) == (3, 6)


def test_seed_example_first_output_is_12_and_whole_map(conv):
    out = conv.conv2d_forward(SEED_INPUT[None, None], SEED_KERNEL[None, None], np.zeros(1))
    assert out.shape == (1, 1, 3, 3)
    assert out[0, 0, 0, 0] == 12
    np.testing.assert_array_equal(out[0, 0], [[12, 12, 17], [10, 17, 19], [9, 6, 14]])


def test_seed_004_single_window_example_gives_7(conv):
    # 1*1 + 0*0 + 2*0 + 0*2 + 2*1 + 1*3 + 0*0 + 2*0 + 1*1 = 7
    A = np.array([[1, 0, 2], [0, 2, 1], [0, 2, 1]])
    B = np.array([[1, 0, 0], [2, 1, 3], [0, 0, 1]])
    assert conv.conv2d_forward(A[None, None], B[None, None], np.zeros(1))[0, 0, 0, 0] == 7


def test_forward_is_cross_correlation_not_convolution(conv):
    # An impulse in the middle reproduces the kernel flipped (that is what cross-correlation does).
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1.0
    w = np.arange(9.0).reshape(1, 1, 3, 3)
    out = conv.conv2d_forward(x, w, np.zeros(1), pad=1)
    np.testing.assert_array_equal(out[0, 0], w[0, 0, ::-1, ::-1])


@pytest.mark.parametrize(
    "x_shape, w_shape, stride, pad",
    [
        ((1, 1, 5, 5), (1, 1, 3, 3), 1, 0),
        ((2, 3, 6, 7), (4, 3, 3, 2), 2, 1),
        ((1, 2, 7, 5), (3, 2, 2, 3), 3, 2),
        ((3, 1, 4, 4), (2, 1, 4, 4), 1, 0),
    ],
)
def test_conv2d_forward_matches_the_naive_loop(conv, rng, x_shape, w_shape, stride, pad):
    x, w, b = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])
    np.testing.assert_allclose(conv.conv2d_forward(x, w, b, stride, pad), naive_conv2d(x, w, b, stride, pad))


def test_conv2d_forward_rejects_channel_mismatch(conv):
    with pytest.raises(ValueError, match="channel"):
        conv.conv2d_forward(np.zeros((1, 3, 5, 5)), np.zeros((2, 2, 3, 3)), np.zeros(2))


@pytest.mark.parametrize(
    "x_shape, w_shape, stride, pad",
    [
        ((1, 1, 4, 4), (1, 1, 3, 3), 1, 0),
        ((2, 3, 6, 7), (4, 3, 3, 2), 2, 1),  # stride > 1 with padding, non-square everything
        ((1, 2, 6, 6), (2, 2, 3, 3), 2, 0),  # the last row and column are never covered
        ((2, 1, 5, 4), (1, 1, 2, 2), 3, 2),
    ],
)
def test_conv2d_backward_matches_numeric_gradient(conv, rng, x_shape, w_shape, stride, pad):
    args = [rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])]
    dout = rng.normal(size=conv.conv2d_forward(*args, stride, pad).shape)
    grads = conv.conv2d_backward(dout, *args, stride, pad)
    for i, grad in enumerate(grads):
        assert_gradient(
            grad, lambda v, i=i: np.sum(conv.conv2d_forward(*replace(args, i, v), stride, pad) * dout), args[i]
        )


def test_conv2d_backward_uncovered_cells_get_zero(conv, rng):
    x, w = rng.normal(size=(1, 1, 6, 6)), rng.normal(size=(1, 1, 3, 3))
    dx, _, _ = conv.conv2d_backward(np.ones((1, 1, 2, 2)), x, w, np.zeros(1), 2, 0)
    assert np.all(dx[0, 0, 5, :] == 0) and np.all(dx[0, 0, :, 5] == 0)


def test_max_pool_forward_seed_style_example(conv):
    # Seed 004: 2x2 windows, stride 2, maxima 5, 8 (top row) and 5, 4 (bottom row).
    x = np.array([[1, 5, 2, 8], [3, 2, 7, 1], [5, 0, 4, 1], [1, 2, 3, 4]], dtype=float)
    np.testing.assert_array_equal(conv.max_pool2d_forward(x[None, None])[0, 0], [[5, 8], [5, 4]])


def test_max_pool_forward_drops_what_no_window_reaches_and_handles_stride_one(conv):
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    np.testing.assert_array_equal(conv.max_pool2d_forward(x)[0, 0], [[6, 8], [16, 18]])
    assert conv.max_pool2d_forward(x, size=2, stride=1).shape == (1, 1, 4, 4)
    assert conv.max_pool2d_forward(x, size=3, stride=2)[0, 0, 1, 1] == 24


@pytest.mark.parametrize("size, stride", [(2, 2), (2, 1), (3, 2)])
def test_max_pool_backward_matches_numeric_gradient_without_ties(conv, rng, size, stride):
    # A permutation scaled by 0.1 keeps every pair of values at least 0.1 apart: no kinks nearby.
    x = rng.permutation(2 * 3 * 5 * 6).reshape(2, 3, 5, 6) * 0.1
    dout = rng.normal(size=conv.max_pool2d_forward(x, size, stride).shape)
    dx = conv.max_pool2d_backward(dout, x, size, stride)
    assert_gradient(dx, lambda v: np.sum(conv.max_pool2d_forward(v, size, stride) * dout), x)


def test_max_pool_backward_ties_go_to_the_first_maximum_in_row_major_order(conv):
    x = np.array([[[[1.0, 7.0], [7.0, 7.0]]]])
    np.testing.assert_array_equal(conv.max_pool2d_backward(np.array([[[[5.0]]]]), x)[0, 0], [[0, 5], [0, 0]])
    flat = np.ones((1, 1, 2, 2))
    np.testing.assert_array_equal(conv.max_pool2d_backward(np.array([[[[2.0]]]]), flat)[0, 0], [[2, 0], [0, 0]])


def test_max_pool_backward_overlapping_windows_add_up(conv):
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 9.0  # the maximum of all four 2x2 windows
    dout = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    dx = conv.max_pool2d_backward(dout, x, size=2, stride=1)
    assert dx[0, 0, 1, 1] == 10.0 and dx.sum() == 10.0


def test_max_pool_window_larger_than_input_is_an_error(conv):
    with pytest.raises(ValueError):
        conv.max_pool2d_forward(np.zeros((1, 1, 2, 2)), size=3)


# ---------------------------------------------------------------------------
# logistic_regression (seed 004, "Do it! 딥러닝 입문")
# ---------------------------------------------------------------------------


def test_sigmoid_values_symmetry_and_shapes(logreg):
    assert logreg.sigmoid(0.0) == 0.5
    assert isinstance(logreg.sigmoid(1.0), float)
    assert logreg.sigmoid(1.0) == pytest.approx(1 / (1 + math.exp(-1)))
    z = np.linspace(-30, 30, 60).reshape(3, 20)
    np.testing.assert_allclose(logreg.sigmoid(-z), 1 - logreg.sigmoid(z), atol=1e-15)
    assert logreg.sigmoid(z).shape == (3, 20)


def test_sigmoid_large_inputs_no_overflow_no_nan(logreg):
    z = np.array([-1e4, -800.0, -50.0, 50.0, 800.0, 1e4])
    with np.errstate(**STRICT):
        a = logreg.sigmoid(z)
    assert np.all(np.isfinite(a))
    assert a[0] == 0.0 and a[-1] == 1.0 and a[2] == pytest.approx(math.exp(-50), rel=1e-12)


def test_forward_is_sigmoid_of_affine_map(logreg):
    X = np.array([[1.0, 2.0], [0.0, 0.0]])
    np.testing.assert_allclose(logreg.forward(X, np.array([1.0, -1.0]), 1.0), [0.5, 1 / (1 + math.exp(-1))])


def test_loss_values_including_exact_zero_and_one(logreg):
    assert logreg.loss(np.array([0.5, 0.5]), np.array([1, 0])) == pytest.approx(math.log(2))
    with np.errstate(**STRICT):
        right = logreg.loss(np.array([1.0, 0.0]), np.array([1, 0]))
        wrong = logreg.loss(np.array([0.0, 1.0]), np.array([1, 0]))
    assert 0 <= right < 1e-14
    assert logreg.EPS == 1e-15
    # Both samples are clipped to a probability of 1e-15 for the true class: -log(1e-15) = 15 ln 10
    # (up to the rounding of 1 - 1e-15 in float64).
    assert wrong == pytest.approx(15 * math.log(10), rel=1e-4)


@pytest.mark.parametrize("n, d", [(1, 1), (1, 3), (7, 3)])
def test_gradients_match_numeric_gradient(logreg, rng, n, d):
    X, y = rng.normal(size=(n, d)), rng.integers(0, 2, size=n)
    w, b = rng.normal(size=d) * 0.5, 0.3
    dw, db = logreg.gradients(X, y, w, b)
    assert_gradient(dw, lambda v: logreg.loss(logreg.forward(X, v, b), y), w)
    assert_gradient(np.array(db), lambda v: logreg.loss(logreg.forward(X, w, float(v)), y), np.array(b))


def test_gradients_at_zero_parameters_by_hand(logreg):
    X, y = np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([1, 0])
    dw, db = logreg.gradients(X, y, np.zeros(2), 0.0)  # a = 0.5 everywhere
    np.testing.assert_allclose(dw, [(1 * -0.5 + 3 * 0.5) / 2, (2 * -0.5 + -1 * 0.5) / 2])
    assert db == pytest.approx(0.0)


def test_gradient_descent_records_loss_before_each_update(logreg, rng):
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    w, b, losses = logreg.gradient_descent(X, y, lr=0.5, epochs=30)
    assert len(losses) == 30 and w.shape == (2,)
    assert losses[0] == pytest.approx(math.log(2))  # w = 0, b = 0 gives a = 0.5
    dw, db = logreg.gradients(X, y, np.zeros(2), 0.0)
    assert losses[1] == pytest.approx(logreg.loss(logreg.forward(X, -0.5 * dw, -0.5 * db), y))
    assert np.all(np.diff(losses) < 0)  # convex loss, small enough step: it only goes down
    assert logreg.loss(logreg.forward(X, w, b), y) < losses[-1]


def test_gradient_descent_zero_epochs_returns_the_start(logreg):
    w, b, losses = logreg.gradient_descent(np.ones((3, 2)), np.array([1, 0, 1]), epochs=0)
    np.testing.assert_array_equal(w, [0.0, 0.0])
    assert b == 0.0 and len(losses) == 0


def test_predict_is_strictly_greater_than_threshold_and_int(logreg):
    X = np.array([[1.0], [-1.0], [0.0]])
    labels = logreg.predict(X, np.array([2.0]), 0.0)
    np.testing.assert_array_equal(labels, [1, 0, 0])  # a = 0.5 exactly is not > 0.5
    assert np.issubdtype(labels.dtype, np.integer)
    np.testing.assert_array_equal(logreg.predict(X, np.array([2.0]), 0.0, threshold=0.4), [1, 0, 1])


def test_logistic_neuron_parts_follow_the_book(logreg):
    neuron = logreg.LogisticNeuron()
    assert neuron.w is None and neuron.b is None
    neuron.w, neuron.b = np.array([1.0, 2.0]), 0.5
    assert neuron.forpass(np.array([3.0, -1.0])) == pytest.approx(1.5)
    w_grad, b_grad = neuron.backprop(np.array([3.0, -1.0]), -0.25)
    np.testing.assert_allclose(w_grad, [-0.75, 0.25])
    assert b_grad == -0.25
    with np.errstate(**STRICT):
        assert neuron.activation(-1e4) == pytest.approx(1 / (1 + math.exp(100)))  # clipped at -100
        assert neuron.activation(1e4) == 1.0


def test_logistic_neuron_fit_one_sample_one_epoch_by_hand(logreg):
    neuron = logreg.LogisticNeuron()
    neuron.fit(np.array([[1.0, 0.0]]), np.array([1]), epochs=1)
    s1 = 1 / (1 + math.exp(-1))  # w = ones, b = 0: z = 1
    np.testing.assert_allclose(neuron.w, [1 + (1 - s1), 1.0])
    assert neuron.b == pytest.approx(1 - s1)


def test_logistic_neuron_updates_per_sample_in_order(logreg):
    x, y = np.array([[1.0, 2.0], [-1.0, 0.5], [0.5, -2.0]]), np.array([1, 0, 0])
    neuron = logreg.LogisticNeuron()
    neuron.fit(x, y, epochs=2)
    w, b = np.ones(2), 0.0
    for _ in range(2):
        for x_i, y_i in zip(x, y):
            a = 1 / (1 + math.exp(-(x_i @ w + b)))
            w, b = w + (y_i - a) * x_i, b + (y_i - a)
    np.testing.assert_allclose(neuron.w, w)
    assert neuron.b == pytest.approx(b)


def test_logistic_neuron_learns_a_separable_problem(logreg, rng):
    x = rng.normal(size=(40, 2))
    y = (x[:, 0] + 2 * x[:, 1] > 0).astype(int)
    neuron = logreg.LogisticNeuron()
    neuron.fit(x, y, epochs=100)
    predictions = neuron.predict(x)
    assert predictions.dtype == bool and predictions.shape == (40,)
    assert np.mean(predictions == y) >= 0.95


# ---------------------------------------------------------------------------
# self_attention (seed 004)
# ---------------------------------------------------------------------------


def attention_problem(rng, n=4, d_model=3, d_k=2, d_v=5):
    X = rng.normal(size=(n, d_model))
    return X, rng.normal(size=(d_model, d_k)), rng.normal(size=(d_model, d_k)), rng.normal(size=(d_model, d_v))


def test_seed_example_110_90_80_divided_by_8(attn):
    scaled = attn.scale_scores(np.array([[110.0, 90.0, 80.0]]), 64)
    np.testing.assert_allclose(scaled, [[13.75, 11.25, 10.0]])
    e = np.array([1.0, math.exp(-2.5), math.exp(-3.75)])  # exp(s - 13.75)
    weights = attn.softmax(scaled)
    np.testing.assert_allclose(weights, [e / e.sum()])
    assert weights[0, 0] == pytest.approx(0.9045, abs=1e-4)  # 'I' attends mostly to itself


def test_project_qkv_shapes(attn, rng):
    X, W_q, W_k, W_v = attention_problem(rng)
    Q, K, V = attn.project_qkv(X, W_q, W_k, W_v)
    assert (Q.shape, K.shape, V.shape) == ((4, 2), (4, 2), (4, 5))
    np.testing.assert_allclose(K, X @ W_k)


def test_attention_scores_row_i_holds_query_i(attn):
    Q = np.eye(2)
    K = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(attn.attention_scores(Q, K), [[1, 3], [2, 4]])


def test_softmax_rows_sum_to_one_axis_and_shift_invariance(attn, rng):
    x = rng.normal(size=(3, 4))
    p = attn.softmax(x)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(attn.softmax(x + 100.0), p)
    np.testing.assert_allclose(attn.softmax(x, axis=0).sum(axis=0), 1.0)
    np.testing.assert_allclose(attn.softmax(np.zeros(4)), 0.25)


def test_softmax_large_inputs_are_stable(attn):
    x = np.array([[1e4, -1e4, 0.0], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]])
    with np.errstate(**STRICT):
        p = attn.softmax(x)
    np.testing.assert_allclose(p, [[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]])


def test_self_attention_is_the_four_steps(attn, rng):
    X, W_q, W_k, W_v = attention_problem(rng)
    Z, A = attn.self_attention(X, W_q, W_k, W_v)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    S = Q @ K.T / math.sqrt(2)  # d_k = W_k.shape[1] = 2
    expected = np.exp(S - S.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(A, expected)
    np.testing.assert_allclose(Z, A @ V)
    assert Z.shape == (4, 5)


def test_single_token_attends_to_itself(attn, rng):
    X, W_q, W_k, W_v = attention_problem(rng, n=1)
    Z, A = attn.self_attention(X, W_q, W_k, W_v)
    np.testing.assert_allclose(A, [[1.0]])
    np.testing.assert_allclose(Z, X @ W_v)


def test_causal_mask_zeroes_future_and_rows_still_sum_to_one(attn, rng):
    X, W_q, W_k, W_v = attention_problem(rng)
    causal = np.tril(np.ones((4, 4), dtype=bool))
    Z, A = attn.self_attention(X, W_q, W_k, W_v, mask=causal)
    assert np.all(A[~causal] == 0)
    np.testing.assert_allclose(A.sum(axis=1), 1.0)
    np.testing.assert_allclose(A[0], [1, 0, 0, 0])
    np.testing.assert_allclose(Z, A @ (X @ W_v))
    # Each row is the softmax over its allowed scores only.
    S = (X @ W_q) @ (X @ W_k).T / math.sqrt(2)
    np.testing.assert_allclose(A[2, :3], attn.softmax(S[2, :3]))


def test_all_true_mask_equals_no_mask(attn, rng):
    X, W_q, W_k, W_v = attention_problem(rng)
    for a, b in zip(
        attn.self_attention(X, W_q, W_k, W_v), attn.self_attention(X, W_q, W_k, W_v, np.ones((4, 4), bool))
    ):
        np.testing.assert_allclose(a, b)


def test_fully_masked_row_gives_zero_weights_without_nan(attn, rng):
    X, W_q, W_k, W_v = attention_problem(rng)
    mask = np.ones((4, 4), dtype=bool)
    mask[1] = False
    with np.errstate(**STRICT):
        Z, A = attn.self_attention(X * 1e3, W_q, W_k, W_v, mask=mask)  # large scores, too
    assert np.all(np.isfinite(A)) and np.all(np.isfinite(Z))
    assert np.all(A[1] == 0) and np.all(Z[1] == 0)
    np.testing.assert_allclose(np.delete(A, 1, axis=0).sum(axis=1), 1.0)


def test_mask_with_wrong_shape_is_an_error(attn, rng):
    X, W_q, W_k, W_v = attention_problem(rng)
    with pytest.raises(ValueError):
        attn.self_attention(X, W_q, W_k, W_v, mask=np.ones((3, 4), dtype=bool))


@pytest.mark.parametrize("n, d_model, d_k, d_v", [(1, 2, 2, 2), (4, 3, 2, 5), (5, 4, 6, 3)])
def test_self_attention_backward_matches_numeric_gradient(attn, rng, n, d_model, d_k, d_v):
    args = list(attention_problem(rng, n, d_model, d_k, d_v))
    dZ = rng.normal(size=(n, d_v))
    grads = attn.self_attention_backward(dZ, *args)
    assert len(grads) == 4
    for i, grad in enumerate(grads):
        assert_gradient(grad, lambda v, i=i: np.sum(attn.self_attention(*replace(args, i, v))[0] * dZ), args[i])
