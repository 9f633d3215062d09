"""Public checks of rnn_backward: run them yourself with `grader grade rnn_backward`.

They use only your code, small hand-checkable examples and properties from the README (the shapes,
the recurrence, grad_over_time = grad_out * wRec**(T - k), truncation blocks counted from t = 0), and
they compare your backward functions with the numeric gradient of your own forward functions (when an instructor grades
with the hidden checks, the reference's forward stands in for yours: a
correct backward keeps its points even while your forward is wrong).
"""

import numpy as np

from grader import check, expect, text

from .checks_common import RNN_ARGS, backward_gradient_parts, rnn_backward_parts, rnn_problem


def _tanh_rnn(X, h0, W_x, W_rec, b):
    """The README's recurrence written out, for the public checks' own inputs."""
    hs, h = [], h0
    for t in range(X.shape[1]):
        h = np.tanh(X[:, t] @ W_x + h @ W_rec + b)
        hs.append(h)
    return np.stack(hs, axis=1)


# ---------------------------------------------------------------------------
# Part 1: the linear RNN
# ---------------------------------------------------------------------------


@check(points=1, ko="작은 예제의 update_state: sk * wRec + xk * wx.")
def update_state_formula(student):
    """update_state on a small example: sk * wRec + xk * wx."""
    got = student.update_state(np.array([1.0, 2.0]), np.array([3.0, 4.0]), 0.5, 2.0)
    expect.close(
        got,
        np.array([3 * 2 + 1 * 0.5, 4 * 2 + 2 * 0.5]),
        hint=text(
            "S_k = S_{k-1} * wRec + X_k * wx: the state is multiplied by wRec, the input by wx.",
            "S_k = S_{k-1} * wRec + X_k * wx: 이전 상태에는 wRec, 입력에는 wx를 곱합니다.",
        ),
    )


@check(points=1, ko="README 예제의 forward_states: X = 1, wx = wRec = 1이면 상태가 0, 1, 2, 3으로 셉니다.")
def forward_states_counts_ones(student):
    """forward_states on the README example: with X = 1 and wx = wRec = 1 the states count 0, 1, 2, 3."""
    hint = text(
        "S has T+1 columns: S_0 = 0, then state k is the update of state k−1 with the input of step k, which "
        "is column k−1 of X (columns count from 0).",
        "S의 열은 T+1개입니다: S_0 = 0이고, 상태 k는 상태 k−1을 k번째 입력 (0부터 세므로 X의 k−1번 열)으로 "
        "갱신한 것입니다.",
    )
    expect.close(student.forward_states(np.ones((2, 3)), 1.0, 1.0), np.array([[0.0, 1, 2, 3], [0, 1, 2, 3]]), hint=hint)
    expect.close(student.forward_states(np.ones((1, 3)), 1.0, 0.5), np.array([[0.0, 1, 1.5, 1.75]]), hint=hint)


@check(points=1, ko="loss는 평균 제곱 오차이고, output_gradient는 샘플마다 2 * (y - t)입니다 (평균 내지 않음).")
def loss_and_output_gradient_example(student):
    """loss is the mean squared error; output_gradient is 2 * (y - t) per sample (not averaged)."""
    y, t = np.array([1.0, 3.0]), np.array([0.0, 1.0])
    expect.close(
        student.loss(y, t),
        (1.0 + 4.0) / 2,
        hint=text(
            "loss is the mean over the samples of (t − y)²: ((0 − 1)² + (1 − 3)²) / 2 = 2.5.",
            "loss는 샘플에 대한 (t − y)²의 평균입니다: ((0 − 1)² + (1 − 3)²) / 2 = 2.5.",
        ),
    )
    expect.close(
        student.output_gradient(y, t),
        np.array([2.0, 4.0]),
        hint=text(
            "output_gradient is the per-sample derivative 2 * (y - t): not divided by the batch size "
            "(backward_gradient takes the mean).",
            "output_gradient는 샘플별 미분 2 * (y - t)입니다. 배치 크기로 나누지 않습니다 "
            "(평균은 backward_gradient에서 계산합니다).",
        ),
    )


@check(
    points=1,
    ko="backward_gradient의 grad_over_time: 시간을 한 단계 거슬러 갈 때마다 grad_out에 wRec가 한 번씩 곱해집니다.",
)
def grad_over_time_powers_of_wrec(student, rng):
    """backward_gradient's grad_over_time: grad_out times one factor wRec per step back in time."""
    n, T, wRec = 3, 4, -1.5
    X = rng.normal(size=(n, T))
    S = np.zeros((n, T + 1))
    for k in range(1, T + 1):
        S[:, k] = S[:, k - 1] * wRec + X[:, k - 1] * 0.7
    grad_out = rng.normal(size=n)
    _, _, grad_over_time = backward_gradient_parts(student, X, S, grad_out, wRec)
    expected = grad_out[:, None] * wRec ** (T - np.arange(T + 1))[None, :]
    expect.close(
        grad_over_time,
        expected,
        hint=text(
            "The last column is grad_out (the gradient of S_T), and every step back in time multiplies by "
            "∂S_k/∂S_{k−1} = wRec, so column k holds grad_out · wRec^(T − k); there are T+1 columns.",
            "마지막 열은 grad_out (S_T의 그래디언트)이고, 시간을 한 단계 거슬러 갈 때마다 "
            "∂S_k/∂S_{k−1} = wRec가 곱해지므로 k번 열은 grad_out · wRec^(T − k)입니다. 열은 T+1개입니다.",
        ),
    )


@check(
    points=1, ko="손으로 푼 backward_gradient: X = [[1, 2]], S = [[0, 1, 2.5]] (wx = 1, wRec = 0.5), grad_out = [1]."
)
def backward_gradient_hand_example(student):
    """backward_gradient by hand: X = [[1, 2]], S = [[0, 1, 2.5]] (wx = 1, wRec = 0.5), grad_out = [1]."""
    X, S = np.array([[1.0, 2.0]]), np.array([[0.0, 1.0, 2.5]])
    wx_grad, wRec_grad, grad_over_time = backward_gradient_parts(student, X, S, np.array([1.0]), 0.5)
    expect.close(
        grad_over_time,
        np.array([[0.25, 0.5, 1.0]]),
        hint=text(
            "grad_over_time[:, -1] = grad_out, then one factor wRec per step back: [0.25, 0.5, 1].",
            "grad_over_time[:, -1] = grad_out이고, 한 시점 거슬러 갈 때마다 wRec를 곱합니다: [0.25, 0.5, 1].",
        ),
    )
    expect.close(
        wx_grad,
        1.0 * 2.0 + 0.5 * 1.0,
        hint=text(
            "∂S_k/∂wx is the input of step k (column k−1 of X), so each step adds the batch mean of "
            "(the gradient of S_k) × (that input): 1 · 2 + 0.5 · 1 = 2.5.",
            "∂S_k/∂wx는 k번째 입력 (X의 k−1번 열)이므로 시점마다 (S_k의 그래디언트) × (그 입력)의 배치 "
            "평균을 더합니다: 1 · 2 + 0.5 · 1 = 2.5.",
        ),
    )
    expect.close(
        wRec_grad,
        1.0 * 1.0 + 0.5 * 0.0,
        hint=text(
            "S_k = S_{k-1} · wRec + X_k · wx, so ∂S_k/∂wRec = S_{k-1}, the state it came from (not S_k): "
            "each step adds the batch mean of (the gradient of S_k) × S_{k-1}: 1 · 1 + 0.5 · 0 = 1.",
            "S_k = S_{k-1} · wRec + X_k · wx이므로 ∂S_k/∂wRec = S_{k-1}, 즉 이전 상태입니다 (S_k가 아님): "
            "시점마다 (S_k의 그래디언트) × S_{k-1}의 배치 평균을 더합니다: 1 · 1 + 0.5 · 0 = 1.",
        ),
    )


@check(
    points=2,
    depends=("forward_states_counts_ones", "loss_and_output_gradient_example"),
    ko="backward_gradient의 wx_grad와 wRec_grad가 평균 손실의 수치 그래디언트와 같습니다.",
)
def backward_gradient_matches_numeric_gradient(student, oracle, rng):
    """backward_gradient's wx_grad and wRec_grad equal the numeric gradient of the mean loss."""
    n, T, wx, wRec = 5, 4, 1.1, 0.8
    X, t = rng.normal(size=(n, T)), rng.normal(size=n)
    S = oracle.forward_states(X, wx, wRec)
    expect.shape(S, (n, T + 1))
    S = np.asarray(S, dtype=float)
    wx_grad, wRec_grad, _ = backward_gradient_parts(student, X, S, oracle.output_gradient(S[:, -1], t), wRec)

    # The states for every perturbed wx, wRec come back in one round trip; the loss is applied to each.
    mean_loss = oracle.forward_states.partial(X, expect.param("wx"), expect.param("wRec")).then(
        lambda S: oracle.loss(np.asarray(S)[:, -1], t)
    )

    expect.gradient(
        mean_loss, at={"wx": wx, "wRec": wRec}, got={"wx": wx_grad, "wRec": wRec_grad}, rng=rng, batch_size=n
    )


# ---------------------------------------------------------------------------
# Part 2: the tanh RNN
# ---------------------------------------------------------------------------


@check(
    points=1,
    ko="rnn_forward: 모양 (N, T, H)이고, 각 시점은 여러분의 이전 시점으로 계산한 tanh(x_t W_x + h_{t-1} W_rec + "
    "b)입니다.",
)
def rnn_forward_recurrence(student, rng):
    """rnn_forward: shape (N, T, H), and every step is tanh(x_t W_x + h_{t-1} W_rec + b) of your previous step."""
    p = rnn_problem(rng, N=2, T=4, D=3, H=4)
    hs = student.rnn_forward(**p)
    expect.shape(hs, (2, 4, 4))
    hs = np.asarray(hs, dtype=float)
    for t in range(4):
        h_prev = p["h0"] if t == 0 else hs[:, t - 1]
        expected = np.tanh(p["X"][:, t] @ p["W_x"] + h_prev @ p["W_rec"] + p["b"])
        previous = "h0" if t == 0 else f"hs[:, {t - 1}]"
        expect.close(
            hs[:, t],
            expected,
            name=text(f"rnn_forward(...)[:, {t}] (time step {t})", f"rnn_forward(...)[:, {t}] (시간 단계 {t})"),
            hint=text(
                f"h_t = tanh(x_t W_x + h_(t−1) W_rec + b): time step {t} must use {previous} as h_(t−1). "
                "Carry the new state forward, so that step t uses the state of step t−1 (h0 only at "
                "t = 0).",
                f"h_t = tanh(x_t W_x + h_(t−1) W_rec + b)입니다: 시점 {t}는 {previous}를 h_(t−1)로 써야 "
                "합니다. 새 상태를 다음 시점으로 넘겨서 시점 t가 시점 t−1의 상태를 쓰게 하세요 (h0는 "
                "t = 0에서만).",
            ),
        )


@check(points=1, ko="시점 하나 (T = 1)의 rnn_backward: 그래디언트가 tanh' = 1 − h²를 한 번 지나갑니다.")
def rnn_backward_one_step_tanh_derivative(student, rng):
    """rnn_backward for a single time step (T = 1): the gradient goes through tanh' = 1 − h² once."""
    p = rnn_problem(rng, N=2, T=1, D=3, H=4)
    hs = _tanh_rnn(**p)
    dhs = rng.normal(size=hs.shape)
    got = rnn_backward_parts(student, dhs, hs, p)
    # Each gradient against the numeric gradient of the README's recurrence, db first: it depends on nothing
    # but δ = dhs ⊙ tanh'(a), so a wrong db means a wrong tanh derivative.
    hints = {
        "b": text(
            "b enters every sample's pre-activation a, so db sums δ = dhs ⊙ tanh'(a) over the samples. hs already "
            "holds tanh(a), so tanh'(a) = 1 − h² with h = hs: do not apply tanh again, and do not skip the factor.",
            "b는 모든 샘플의 활성화 전 값 a에 들어가므로 db는 δ = dhs ⊙ tanh'(a)를 샘플에 대해 더한 것입니다. hs에는 "
            "이미 tanh(a)가 들어 있으므로 h = hs일 때 tanh'(a) = 1 − h²입니다: tanh를 다시 적용하지도, 이 인수를 "
            "빠뜨리지도 마세요.",
        ),
        "X": text(
            "x_t enters through W_x (x_t W_x): its gradient is δ_t times the transpose of W_x.",
            "x_t는 W_x를 거쳐 들어갑니다 (x_t W_x): 그 그래디언트는 δ_t 곱하기 W_x의 전치입니다.",
        ),
        "h0": text(
            "h0 feeds step 0 through W_rec: its gradient is δ_0 times the transpose of W_rec, what flows out of step "
            "0.",
            "h0는 W_rec를 거쳐 시점 0에 들어갑니다: 그 그래디언트는 δ_0 곱하기 W_rec의 전치, 즉 시점 0에서 흘러 나가는 "
            "그래디언트입니다.",
        ),
        "W_x": text(
            "x_t is multiplied by W_x from the left, so W_x's gradient is x_tᵀ δ_t (summed over t), shape (D, H).",
            "W_x에는 x_t가 왼쪽에서 곱해지므로 W_x의 그래디언트는 x_tᵀ δ_t (t에 대한 합)이고 모양은 (D, H)입니다.",
        ),
        "W_rec": text(
            "h_(t−1) is multiplied by W_rec from the left, so W_rec's gradient is h_(t−1)ᵀ δ_t "
            "(h_(t−1) = h0 at t = 0), not δ_tᵀ h_(t−1).",
            "W_rec에는 h_(t−1)이 왼쪽에서 곱해지므로 W_rec의 그래디언트는 h_(t−1)ᵀ δ_t입니다 (t = 0이면 "
            "h_(t−1) = h0). δ_tᵀ h_(t−1)이 아닙니다.",
        ),
    }
    for name, hint in hints.items():
        i = RNN_ARGS.index(name)
        expect.vjp(
            lambda **value: _tanh_rnn(**{**p, **value}),
            at={name: p[name]},
            dout=dhs,
            got={name: got[i]},
            rng=rng,
            batch_size=2,
            hint=hint,
        )


@check(
    points=3,
    depends=("rnn_forward_recurrence",),
    ko="rnn_backward (전체 BPTT)가 rnn_forward를 거친 sum(hs * dhs)의 수치 그래디언트와 같습니다.",
)
def rnn_backward_matches_numeric_gradient(student, oracle, rng):
    """rnn_backward (full BPTT) equals the numeric gradient of sum(hs * dhs) through rnn_forward."""
    p = rnn_problem(rng, N=2, T=4, D=3, H=3)
    hs = oracle.rnn_forward(**p)
    expect.shape(hs, (2, 4, 3))
    hs = np.asarray(hs, dtype=float)
    dhs = rng.normal(size=hs.shape)
    got = rnn_backward_parts(student, dhs, hs, p)
    expect.vjp(
        oracle.rnn_forward.partial(*map(expect.param, RNN_ARGS)),
        at=p,
        dout=dhs,
        got=dict(zip(RNN_ARGS, got)),
        rng=rng,
        batch_size=2,
        time_axis={"X": 1},
    )


@check(
    points=1,
    ko="잘린 BPTT (T = 7, k = 3): 블록은 {0, 1, 2}, {3, 4, 5}, {6}이고 시점 4의 그래디언트는 자기 블록 안에 머뭅니다.",
)
def rnn_backward_truncation_blocks_from_start(student, rng):
    """Truncated BPTT (T = 7, k = 3): blocks {0, 1, 2}, {3, 4, 5}, {6}; gradient from step 4 stays in its block."""
    p = rnn_problem(rng, N=2, T=7, D=3, H=4)
    hs = _tanh_rnn(**p)
    dhs = np.zeros_like(hs)
    dhs[:, 4] = 1.0  # upstream gradient at step 4 only (second block)
    got = rnn_backward_parts(student, dhs, hs, p, truncate=3, name="rnn_backward(..., truncate=3)")
    dX, dh0 = (np.asarray(got[0], dtype=float), np.asarray(got[1], dtype=float))
    expect.shape(dX, p["X"].shape, name="rnn_backward(..., truncate=3)[0] (dX)")
    expect.shape(dh0, p["h0"].shape, name="rnn_backward(..., truncate=3)[1] (dh0)")
    reached = [bool(np.any(dX[:, t] != 0)) for t in range(7)]
    expected = [False, False, False, True, True, False, False]
    hint = text(
        "Blocks of k steps are counted from the start: no gradient flows from hs[:, t] into hs[:, t-1] when "
        "t is a positive multiple of k (t = 3, 6 here). Gradient from step 4 reaches time steps 3 and 4 only "
        "(never later steps), and h0 gets gradient from the first block only.",
        "k 시점씩의 블록은 처음부터 셉니다: t가 k의 양의 배수일 때 (여기서는 t = 3, 6) hs[:, t]에서 "
        "hs[:, t-1]로 그래디언트가 흐르지 않습니다. 시점 4의 그래디언트는 시점 3과 4에만 도달하고 "
        "(뒤의 시점에는 가지 않습니다), h0는 첫 번째 블록에서만 그래디언트를 받습니다.",
    )
    steps = [t for t in range(7) if reached[t]]
    expect.true(
        reached == expected,
        text(
            f"with truncate=3 and upstream gradient only at time step 4, dX is non-zero at time steps {steps}; "
            "expected exactly [3, 4] (gradient cut at the wrong steps)",
            f"truncate=3이고 시점 4에만 상류 그래디언트가 있을 때 dX가 0이 아닌 시점은 {steps}입니다. "
            "정확히 [3, 4]여야 합니다 (그래디언트를 엉뚱한 시점에서 끊었습니다)",
        ),
        hint=hint,
    )
    expect.true(
        bool(np.all(dh0 == 0)),
        text(
            "with truncate=3 and upstream gradient only at time step 4, dh0 must be 0 (h0 feeds the first block only)",
            "truncate=3이고 시점 4에만 상류 그래디언트가 있으면 dh0는 0이어야 합니다 (h0는 첫 번째 블록에만 쓰입니다)",
        ),
        hint=hint,
    )
