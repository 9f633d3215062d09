"""BPTT: 순환 신경망의 역전파 / backpropagation through time.

Part 1 — 선형 RNN (Boostcamp AI Math "Backpropagation" 과제):
    S_k = S_{k-1} * wRec + X_k * wx,   S_0 = 0,   출력 y = S_T.
Part 2 — tanh RNN (행렬 버전):
    h_t = tanh(x_t @ W_x + h_{t-1} @ W_rec + b),   h_{-1} = h0.
"""

import numpy as np

# ---------------------------------------------------------------------------
# Part 1: linear RNN with scalar weights
# ---------------------------------------------------------------------------


def update_state(xk, sk, wx, wRec):
    """한 시점의 상태 갱신 / one state update.

    xk, sk: (n_samples,) 현재 입력과 이전 상태 / input at step k and the previous state.
    wx, wRec: float 가중치 / scalar weights.
    Returns (n_samples,): sk * wRec + xk * wx.
    """
    raise NotImplementedError


def forward_states(X, wx, wRec):
    """모든 시점의 상태 / all states of the linear RNN.

    X: (n_samples, T) 입력 시퀀스 / input sequences: numbers, as an array (int or float) or nested lists.
    Returns S: (n_samples, T+1) floats with S[:, 0] = 0 and S[:, k] = update_state(X[:, k-1], S[:, k-1], ...).
    """
    raise NotImplementedError


def loss(y, t):
    """평균 제곱 오차 / mean squared error: the mean over the samples of (t - y)².

    y, t: (n_samples,) 출력과 정답 / outputs and targets. Returns a float.
    """
    raise NotImplementedError


def output_gradient(y, t):
    """샘플별 손실 미분 / per-sample gradient of the squared error w.r.t. y: 2 * (y - t).

    Not divided by n_samples: backward_gradient takes the batch mean.
    y, t: (n_samples,). Returns (n_samples,).
    """
    raise NotImplementedError


def backward_gradient(X, S, grad_out, wRec):
    """BPTT for the linear RNN / 선형 RNN의 시간 역전파.

    X: (n_samples, T), S: (n_samples, T+1) from forward_states, grad_out: (n_samples,) per-sample
    dL_i/dS_T (output_gradient), wRec: float.
    Returns ((wx_grad, wRec_grad), grad_over_time):
      wx_grad, wRec_grad — floats, gradients of the batch-mean loss (mean over samples, sum over time);
      grad_over_time — (n_samples, T+1), per-sample gradient w.r.t. every state S[:, k],
      grad_over_time[:, -1] = grad_out.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Part 2: tanh RNN with weight matrices
# ---------------------------------------------------------------------------


def rnn_forward(X, h0, W_x, W_rec, b):
    """tanh RNN 순전파 / forward pass.

    X: (N, T, D) (ints allowed), h0: (N, H), W_x: (D, H), W_rec: (H, H), b: (H,).
    Returns hs: (N, T, H), hs[:, t] = tanh(X[:, t] @ W_x + h_prev @ W_rec + b), where h_prev is
    hs[:, t-1] (h0 for t = 0).
    """
    raise NotImplementedError


def rnn_backward(dhs, X, hs, h0, W_x, W_rec, b, truncate=None):
    """tanh RNN 역전파 (BPTT, 선택적으로 truncated BPTT) / backward pass.

    dhs: (N, T, H) upstream gradient dL/dhs; L = sum(hs * dhs) when dhs is held fixed.
    X, hs, h0, W_x, W_rec, b: as in rnn_forward (hs is its output).
    truncate: None (full BPTT) or a positive int k. With k, no gradient flows from hs[:, t] into
      hs[:, t-1] when t is a positive multiple of k: blocks of k steps counted from the start
      (steps 0..k-1, k..2k-1, ...); h0 only gets gradient from the first block. Parameter gradients
      still collect every step (the cut-off state is treated as a constant).
    Returns (dX, dh0, dW_x, dW_rec, db) with the shapes of X, h0, W_x, W_rec, b (floats, also for an int X).
    """
    raise NotImplementedError
