"""Hidden checks of rnn_backward: the reference on seeded random inputs and edge cases (a batch of one,
T = 1, truncation with T not a multiple of k, k >= T, bad k, lists of ints and int arrays), and numeric
gradient checks of both backward functions against the reference's forward pass (the student's forward
cannot mislead them, and a wrong forward pass never costs the backward passes' points here).
"""

import numpy as np

from grader import check, expect, text
from grader.engine.checks import mistakes

from .checks_common import RNN_ARGS, RNN_GRADIENTS, backward_gradient_parts, rnn_backward_parts, rnn_problem


def _compare_rnn_backward(got, expected):
    for got_part, expected_part in zip(expect.parts(got, 5, labels=", ".join(RNN_GRADIENTS)), expected):
        expect.close(got_part, expected_part)


def _truncated_forward(reference, X, h0, W_x, W_rec, b, k, frozen):
    """The forward pass in which the state entering each block (steps k, 2k, ...) is held at ``frozen``.

    Its exact gradient is what truncated BPTT computes (the cut-off states are constants).
    """
    blocks, h = [], h0
    for start in range(0, X.shape[1], k):
        if start > 0:
            h = frozen[:, start - 1]
        block = reference.rnn_forward(X[:, start : start + k], h, W_x, W_rec, b)
        blocks.append(block)
        h = block[:, -1]
    return np.concatenate(blocks, axis=1)


# ---------------------------------------------------------------------------
# Part 1: the linear RNN
# ---------------------------------------------------------------------------


@check(points=0.5, ko="update_state와 forward_states가 참조 구현과 같습니다 (무작위, 배치 하나, T = 1).")
def forward_states_matches_reference(student, reference, rng):
    """update_state and forward_states equal the reference (random, a batch of one, T = 1)."""
    xk, sk = rng.normal(size=6), rng.normal(size=6)
    expect.close(student.update_state(xk, sk, 0.3, -1.2), reference.update_state(xk, sk, 0.3, -1.2))
    for n, T in ((4, 6), (1, 5), (3, 1)):
        X = rng.normal(size=(n, T))
        expect.close(student.forward_states(X, 0.9, 1.1), reference.forward_states(X, 0.9, 1.1))


@check(points=0.5, ko="무작위 값 (과 배치 하나)에서 loss와 output_gradient가 참조 구현과 같습니다.")
def loss_and_output_gradient_match_reference(student, reference, rng):
    """loss and output_gradient equal the reference on random values (and a batch of one)."""
    for n in (7, 1):
        y, t = rng.normal(size=n), rng.normal(size=n)
        expect.close(student.loss(y, t), reference.loss(y, t))
        expect.close(student.output_gradient(y, t), reference.output_gradient(y, t))


@check(
    points=1, ko="무작위 입력에서 backward_gradient가 참조 구현의 ((wx_grad, wRec_grad), grad_over_time)을 반환합니다."
)
def backward_gradient_matches_reference(student, reference, rng):
    """backward_gradient returns the reference's ((wx_grad, wRec_grad), grad_over_time) on random inputs."""
    X, t = rng.normal(size=(5, 6)), rng.normal(size=5)
    S = reference.forward_states(X, 0.7, 0.9)
    grad_out = reference.output_gradient(S[:, -1], t)
    wx_grad, wRec_grad, grad_over_time = backward_gradient_parts(student, X, S, grad_out, 0.9)
    (ref_wx, ref_wrec), ref_over_time = reference.backward_gradient(X, S, grad_out, 0.9)
    expect.close(wx_grad, ref_wx)
    expect.close(wRec_grad, ref_wrec)
    expect.close(grad_over_time, ref_over_time)


@check(
    points=1.5, ko="backward_gradient가 참조 구현의 평균 손실의 수치 그래디언트와 같습니다 (무작위, 배치 하나, T = 1)."
)
def backward_gradient_numeric_gradient_edge_cases(student, reference, rng):
    """backward_gradient equals the numeric gradient of the reference's mean loss (random, batch of one, T = 1)."""
    for n, T, wx, wRec in ((6, 5, 1.3, 0.8), (1, 4, -0.6, 1.2), (4, 1, 0.9, -0.7)):
        X, t = rng.normal(size=(n, T)), rng.normal(size=n)
        S = reference.forward_states(X, wx, wRec)
        wx_grad, wRec_grad, _ = backward_gradient_parts(student, X, S, reference.output_gradient(S[:, -1], t), wRec)
        expect.gradient(
            lambda wx, wRec: reference.loss(reference.forward_states(X, wx, wRec)[:, -1], t),
            at={"wx": wx, "wRec": wRec},
            got={"wx": wx_grad, "wRec": wRec_grad},
            rng=rng,
            batch_size=n,
        )


# ---------------------------------------------------------------------------
# Part 2: the tanh RNN
# ---------------------------------------------------------------------------


@check(points=1, ko="rnn_forward가 참조 구현과 같습니다 (무작위, 배치 하나, T = 1, D != H).")
def rnn_forward_matches_reference(student, reference, rng):
    """rnn_forward equals the reference (random, a batch of one, T = 1, D != H)."""
    for N, T, D, H in ((3, 5, 2, 4), (1, 4, 3, 2), (2, 1, 3, 3)):
        p = rnn_problem(rng, N, T, D, H)
        expect.close(student.rnn_forward(**p), reference.rnn_forward(**p))


@check(
    points=1.5, ko="rnn_backward (전체 BPTT)가 참조 구현의 forward를 거친 sum(hs * dhs)의 수치 그래디언트와 같습니다."
)
def rnn_backward_numeric_gradient(student, reference, rng):
    """rnn_backward (full BPTT) equals the numeric gradient of sum(hs * dhs) through the reference's forward."""
    p = rnn_problem(rng, N=3, T=5, D=2, H=3)
    hs = reference.rnn_forward(**p)
    dhs = rng.normal(size=hs.shape)
    got = rnn_backward_parts(student, dhs, hs, p)
    expect.vjp(
        reference.rnn_forward, at=p, dout=dhs, got=dict(zip(RNN_ARGS, got)), rng=rng, batch_size=3, time_axis={"X": 1}
    )


@check(points=1, ko="배치 하나, T = 1, 그리고 둘 다인 경우에 rnn_backward가 참조 구현과 같습니다.")
def rnn_backward_batch_of_one_single_step(student, reference, rng):
    """rnn_backward equals the reference for a batch of one, for T = 1, and for both at once."""
    for N, T in ((1, 4), (3, 1), (1, 1)):
        p = rnn_problem(rng, N, T)
        hs = reference.rnn_forward(**p)
        dhs = rng.normal(size=hs.shape)
        args = (dhs, p["X"], hs, p["h0"], p["W_x"], p["W_rec"], p["b"])
        _compare_rnn_backward(student.rnn_backward(*args), reference.rnn_backward(*args))


@check(points=2, ko="잘린 BPTT가 블록 경계의 상태를 상수로 둔 forward의 수치 그래디언트와 같습니다.")
def rnn_backward_truncated_numeric_gradient(student, reference, rng):
    """Truncated BPTT equals the numeric gradient of the forward pass with block-boundary states held constant."""
    for T, k in ((7, 3), (5, 2)):
        p = rnn_problem(rng, N=2, T=T, D=2, H=3)
        hs = reference.rnn_forward(**p)
        dhs = rng.normal(size=hs.shape)
        got = rnn_backward_parts(student, dhs, hs, p, truncate=k)
        hint = text(
            f"Blocks of k = {k} steps are counted from the start (t = 0, k, 2k, ...): no gradient "
            "flows from hs[:, t] into hs[:, t-1] when t is a positive multiple of k, but step t's "
            "parameter gradients still count; h0 gets gradient from the first block only.",
            f"k = {k} 시점씩의 블록은 처음부터 셉니다 (t = 0, k, 2k, ...). t가 k의 양의 배수일 때 "
            "hs[:, t]에서 hs[:, t-1]로 그래디언트가 흐르지 않지만, 시점 t의 파라미터 그래디언트는 "
            "그대로 더합니다. h0는 첫 번째 블록에서만 그래디언트를 받습니다.",
        )
        expect.vjp(
            lambda X, h0, W_x, W_rec, b: _truncated_forward(reference, X, h0, W_x, W_rec, b, k, hs),
            at=p,
            dout=dhs,
            got=dict(zip(RNN_ARGS, got)),
            rng=rng,
            batch_size=2,
            time_axis={"X": 1},
            hint=hint,
        )


@check(points=1, ko="k = 1, T가 k의 배수, k >= T (= 전체 BPTT)일 때 truncate=k가 참조 구현과 같습니다.")
def rnn_backward_truncate_edge_cases(student, reference, rng):
    """truncate=k equals the reference for k = 1, T a multiple of k, and k >= T (= full BPTT)."""
    for T, k in ((4, 1), (6, 3), (4, 4), (3, 9)):
        p = rnn_problem(rng, N=2, T=T)
        hs = reference.rnn_forward(**p)
        dhs = rng.normal(size=hs.shape)
        args = (dhs, p["X"], hs, p["h0"], p["W_x"], p["W_rec"], p["b"])
        _compare_rnn_backward(student.rnn_backward(*args, truncate=k), reference.rnn_backward(*args, truncate=k))


@check(points=1, ko="truncate가 None도 양의 정수도 아니면 (0, -2, 2.5) rnn_backward가 ValueError를 냅니다.")
def rnn_backward_rejects_bad_truncate(student, rng):
    """rnn_backward raises ValueError when truncate is not None or a positive integer (0, -2, 2.5)."""
    p = rnn_problem(rng, N=1, T=3)
    hs = np.tanh(rng.normal(size=(1, 3, 4)))
    args = (np.ones_like(hs), p["X"], hs, p["h0"], p["W_x"], p["W_rec"], p["b"])
    hint = text(
        "Check truncate first: None, or an int >= 1; anything else raises ValueError.",
        "truncate를 먼저 확인하세요: None이거나 1 이상의 정수여야 하고, 아니면 ValueError를 냅니다.",
    )
    for bad in (0, -2, 2.5):
        expect.raises(ValueError, student.rnn_backward, *args, truncate=bad, hint=hint)


@check(
    points=1, ko="학생들이 시험해 보는 입력: 정수 리스트나 정수 배열인 X (상태, hs, dX의 소수 부분이 사라지지 않음)."
)
def integer_inputs_match_reference(student, reference, rng):
    """Inputs students test with: X as a list of ints or an int array (states, hs and dX keep their fractions)."""
    for X in ([[1, 2, 3], [0, 1, 1]], np.ones((2, 4), dtype=int)):
        expected = reference.forward_states(X, 1.0, 0.5)
        mistakes.close(student.forward_states(X, 1.0, 0.5), expected, known=[mistakes.truncated(expected)])
    p = rnn_problem(rng, N=2, T=3, D=2, H=3)
    p["X"] = rng.integers(-2, 3, size=(2, 3, 2))
    expected = reference.rnn_forward(**p)
    mistakes.close(student.rnn_forward(**p), expected, known=[mistakes.truncated(expected)])
    dhs = rng.normal(size=expected.shape)
    args = (dhs, p["X"], expected, p["h0"], p["W_x"], p["W_rec"], p["b"])
    got = expect.parts(student.rnn_backward(*args), 5, labels=", ".join(RNN_GRADIENTS))
    for got_part, value in zip(got, reference.rnn_backward(*args)):
        mistakes.close(got_part, value, known=[mistakes.truncated(value)])
