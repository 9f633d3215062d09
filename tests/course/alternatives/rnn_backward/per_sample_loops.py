"""Alternative: a correct rnn_backward written differently from the reference.

Part 1 in closed form (grad_over_time as powers of wRec, the sums as dot products); Part 2 with a loop
over samples as well as time, truncation decided by the block each step belongs to, and the gradients
summed in another order. Must score full marks.
"""

import numpy as np


def update_state(xk, sk, wx, wRec):
    return np.multiply(sk, wRec) + np.multiply(xk, wx)


def forward_states(X, wx, wRec):
    X = np.array(X, dtype=np.float64)
    n, T = X.shape
    S = [np.zeros(n)]
    for k in range(T):
        S.append(update_state(X[:, k], S[-1], wx, wRec))
    return np.column_stack(S)


def loss(y, t):
    d = np.asarray(y, dtype=float) - np.asarray(t, dtype=float)
    return float(d @ d / d.size)


def output_gradient(y, t):
    return 2 * np.asarray(y, dtype=float) - 2 * np.asarray(t, dtype=float)


def backward_gradient(X, S, grad_out, wRec):
    X, S, grad_out = (np.asarray(a, dtype=float) for a in (X, S, grad_out))
    n, T = X.shape
    powers = wRec ** (T - np.arange(T + 1, dtype=float))  # dS_T / dS_k
    grad_over_time = grad_out[:, None] * powers[None, :]
    wx_grad = float(np.sum(grad_over_time[:, 1:] * X) / n)
    wRec_grad = float(np.sum(grad_over_time[:, 1:] * S[:, :-1]) / n)
    return (wx_grad, wRec_grad), grad_over_time


def rnn_forward(X, h0, W_x, W_rec, b):
    X = np.asarray(X, dtype=float)
    N, T, _ = X.shape
    out = np.zeros((N, T, np.shape(W_rec)[1]))
    for n in range(N):
        h = np.array(h0[n], dtype=float)
        for t in range(T):
            h = np.tanh(W_x.T @ X[n, t] + W_rec.T @ h + b)
            out[n, t] = h
    return out


def rnn_backward(dhs, X, hs, h0, W_x, W_rec, b, truncate=None):
    if truncate is not None:
        if isinstance(truncate, bool) or not isinstance(truncate, (int, np.integer)) or truncate < 1:
            raise ValueError("truncate must be None or a positive int")
    N, T, H = np.shape(hs)
    k = T if truncate is None else int(truncate)
    dX = np.zeros(np.shape(X))
    dh0 = np.zeros(np.shape(h0))
    dW_x = np.zeros(np.shape(W_x))
    dW_rec = np.zeros(np.shape(W_rec))
    db = np.zeros(np.shape(b))
    for n in range(N):
        carry = np.zeros(H)
        for t in reversed(range(T)):
            h_prev = hs[n, t - 1] if t else h0[n]
            da = (1.0 - hs[n, t] * hs[n, t]) * (dhs[n, t] + carry)
            dX[n, t] = W_x @ da
            dW_x += np.outer(X[n, t], da)
            dW_rec += np.outer(h_prev, da)
            db += da
            same_block = t // k == (t - 1) // k if t else True
            carry = W_rec @ da if same_block else np.zeros(H)
        dh0[n] = carry
    return dX, dh0, dW_x, dW_rec, db
