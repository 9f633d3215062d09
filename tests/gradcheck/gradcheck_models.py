"""Small differentiable models with hand-derived gradients, for testing the gradient checker.

Each model draws a random point in one of four regimes and returns a :class:`Case`: the function to
differentiate (a scalar loss, or an array output with an upstream ``dout``), the point, the correct
analytic gradient, and what the diagnosis may know (batch size, time axes, square parameters).

Regimes:
- ``unit``: values ~ N(0, 1).
- ``tiny``: the differentiated values near 0 (~1e-6, some exactly 0).
- ``large``: magnitudes ~1e3 (saturating nonlinearities, large losses).
- ``float32``: f computes in float32 and returns a float32 value; the point is stored as float32 or
  float64 (half the seeds each) and the analytic gradient is computed in float32 too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from grader.engine.gradcheck import GradientReport, check_gradient, check_vjp

REGIMES = ("unit", "tiny", "large", "float32")


@dataclass(frozen=True)
class Case:
    """One random instance of a model."""

    f: Callable[..., object]
    """The loss (``dout`` None) or the forward function (checked as a VJP with ``dout``)."""
    at: dict[str, object]
    """The point."""
    grad: dict[str, np.ndarray | float]
    """The correct gradient for every differentiated parameter."""
    dout: np.ndarray | None = None
    """Upstream gradient for a VJP."""
    batch_size: int | None = None
    """Batch size for the diagnosis (None when the loss has no batch mean)."""
    time_axis: dict[str, int] = field(default_factory=dict)
    """Time axes of the parameters that have one."""
    square: tuple[str, ...] = ()
    """Parameters whose transpose has their shape."""
    backward: Callable[..., dict[str, object]] | None = None
    """For RNNs: the backward pass with a ``first_step`` argument (1 plants an off-by-one bug)."""


def _dtype(regime: str) -> type:
    return np.float32 if regime == "float32" else np.float64


def _scaled(rng: np.random.Generator, shape: tuple[int, ...], regime: str, zeros: bool = True) -> np.ndarray:
    """Values for a differentiated parameter in the given regime."""
    values = rng.standard_normal(shape)
    if regime == "tiny":
        values = values * 1e-6
        if zeros:
            values[rng.random(shape) < 0.2] = 0.0
    elif regime == "large":
        values = values * 1e3
    return values


def _storage(regime: str, rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """In the float32 regime, half the points are handed over as float32 arrays."""
    if regime == "float32" and rng.random() < 0.5:
        return values.astype(np.float32)
    return values


def _out(value: np.ndarray, dt: type) -> object:
    return dt(value) if np.ndim(value) == 0 else value.astype(dt)


# --- a linear RNN with scalar weights (the course's BPTT exercise) ------------------------------------


def linear_rnn(rng: np.random.Generator, regime: str, n: int = 4) -> Case:
    """S_k = S_{k-1} wrec + X_{k-1} wx, loss = mean((S_T - t)^2); gradients for wx, wrec and X."""
    steps = 5
    dt = _dtype(regime)
    X = _storage(regime, rng, _scaled(rng, (n, steps), regime))
    t = rng.standard_normal(n) * (1e3 if regime == "large" else 1.0)
    # Weights away from 0, so that every gradient (dX at the first step carries wrec^(T-1)) stays far
    # above the loss's rounding noise and a planted bug is visible in every regime.
    wx = float(rng.uniform(0.5, 1.5) * rng.choice([-1, 1]))
    wrec = float(rng.uniform(0.6, 1.1) * rng.choice([-1, 1]))

    def states(wx: float, wrec: float, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=dt)
        S = np.zeros((n, steps + 1), dtype=dt)
        for k in range(1, steps + 1):
            S[:, k] = S[:, k - 1] * dt(wrec) + X[:, k - 1] * dt(wx)
        return S

    def loss(wx: float, wrec: float, X: np.ndarray) -> object:
        S = states(wx, wrec, X)
        return _out(np.mean((S[:, -1] - t.astype(dt)) ** 2), dt)

    def backward(wx: float, wrec: float, X: np.ndarray, first_step: int = 0) -> dict[str, object]:
        S, Xd = states(wx, wrec, X), np.asarray(X, dtype=dt)
        g = 2 * (S[:, -1] - t.astype(dt)) / dt(n)
        dwx, dwrec, dX = dt(0), dt(0), np.zeros((n, steps), dtype=dt)
        for k in range(steps, first_step, -1):
            dwx += np.sum(g * Xd[:, k - 1])
            dwrec += np.sum(g * S[:, k - 1])
            dX[:, k - 1] = g * dt(wx)
            g = g * dt(wrec)
        return {"wx": dwx, "wrec": dwrec, "X": dX}

    at = {"wx": wx, "wrec": wrec, "X": X}
    return Case(
        loss,
        at,
        backward(**at),
        batch_size=n,
        time_axis={"X": 1},
        backward=lambda first_step: backward(**at, first_step=first_step),
    )


# --- a tanh RNN ---------------------------------------------------------------------------------------


def tanh_rnn(rng: np.random.Generator, regime: str, n: int = 3) -> Case:
    """h_t = tanh(x_t Wx + h_{t-1} Wh + b), loss = sum(h * R) / N over all steps."""
    steps, d, hidden = 3, 2, 3
    dt = _dtype(regime)
    scale = 1.0 if regime != "tiny" else 1e-6
    x = _storage(regime, rng, _scaled(rng, (n, steps, d), regime))
    h0 = _storage(regime, rng, rng.standard_normal((n, hidden)) * 0.5 * scale)
    Wx = _storage(regime, rng, rng.standard_normal((d, hidden)) * 0.5 * scale)
    Wh = _storage(regime, rng, rng.standard_normal((hidden, hidden)) * 0.5 * scale)
    b = _storage(regime, rng, rng.standard_normal(hidden) * 0.2 * scale)
    R = rng.standard_normal((n, steps, hidden)).astype(dt)

    def forward(x, h0, Wx, Wh, b):
        x, h, Wx, Wh, b = (np.asarray(v, dtype=dt) for v in (x, h0, Wx, Wh, b))
        H = np.empty((n, steps, hidden), dtype=dt)
        for s in range(steps):
            h = H[:, s] = np.tanh(x[:, s] @ Wx + h @ Wh + b)
        return H

    def loss(x, h0, Wx, Wh, b):
        return _out(np.sum(forward(x, h0, Wx, Wh, b) * R) / dt(n), dt)

    def backward(x, h0, Wx, Wh, b, first_step: int = 0):
        H = forward(x, h0, Wx, Wh, b)
        x, h0, Wx, Wh = (np.asarray(v, dtype=dt) for v in (x, h0, Wx, Wh))
        grads = {
            "x": np.zeros_like(x),
            "Wx": np.zeros_like(Wx),
            "Wh": np.zeros_like(Wh),
            "b": np.zeros(hidden, dtype=dt),
        }
        dnext = np.zeros((n, hidden), dtype=dt)
        for s in range(steps - 1, first_step - 1, -1):
            previous = H[:, s - 1] if s > 0 else h0
            da = (R[:, s] / dt(n) + dnext) * (1 - H[:, s] ** 2)
            grads["Wx"] += x[:, s].T @ da
            grads["Wh"] += previous.T @ da
            grads["b"] += da.sum(axis=0)
            grads["x"][:, s] = da @ Wx.T
            dnext = da @ Wh.T
        grads["h0"] = dnext
        return grads

    at = {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}
    return Case(
        loss,
        at,
        backward(**at),
        batch_size=n,
        time_axis={"x": 1},
        square=("Wh",),
        backward=lambda first_step: backward(**at, first_step=first_step),
    )


# --- conv2d (VJP) -------------------------------------------------------------------------------------


def conv2d(rng: np.random.Generator, regime: str) -> Case:
    """Cross-correlation with bias, stride 1, no padding; checked as a VJP for x, w and b."""
    n, c, size, filters, k = 1, 2, 4, 2, 2
    dt = _dtype(regime)
    out_size = size - k + 1
    x = _storage(regime, rng, _scaled(rng, (n, c, size, size), regime))
    w = _storage(regime, rng, _scaled(rng, (filters, c, k, k), regime))
    b = _storage(regime, rng, _scaled(rng, (filters,), regime))
    dout = rng.standard_normal((n, filters, out_size, out_size))

    # im2col as one gather: row (i, j) of a sample lists its (channel, p, q) window entries
    rows, cols = np.meshgrid(np.arange(out_size), np.arange(out_size), indexing="ij")
    channel, p, q = np.meshgrid(np.arange(c), np.arange(k), np.arange(k), indexing="ij")
    gather = (
        channel.reshape(1, -1) * size * size
        + (rows.reshape(-1, 1) + p.reshape(1, -1)) * size
        + cols.reshape(-1, 1)
        + q.reshape(1, -1)
    )

    def im2col(x):
        return np.asarray(x, dtype=dt).reshape(n, -1)[:, gather]  # (n, out*out, c*k*k)

    def forward(x, w, b):
        out = im2col(x) @ np.asarray(w, dtype=dt).reshape(filters, -1).T + np.asarray(b, dtype=dt)
        return out.reshape(n, out_size, out_size, filters).transpose(0, 3, 1, 2)

    def backward(x, w, b):
        w = np.asarray(w, dtype=dt)
        g = dout.astype(dt)
        dx = np.zeros((n, c, size, size), dtype=dt)
        for p in range(k):
            for q in range(k):
                dx[:, :, p : p + out_size, q : q + out_size] += np.einsum("nfij,fc->ncij", g, w[:, :, p, q])
        dw = np.einsum("nfm,nmr->fr", g.reshape(n, filters, -1), im2col(x)).reshape(w.shape)
        return {"x": dx, "w": dw, "b": g.sum(axis=(0, 2, 3))}

    at = {"x": x, "w": w, "b": b}
    return Case(forward, at, backward(**at), dout=dout)


# --- 2x2 max pooling (VJP) ----------------------------------------------------------------------------


def max_pool(rng: np.random.Generator, regime: str, ties: bool = False) -> Case:
    """2x2 max pooling, stride 2; with ``ties`` the input is small integers, so windows tie for the max
    (the analytic gradient then routes dout to the first maximum: a valid one-sided derivative)."""
    n, c, size = 1, 2, 4
    dt = _dtype(regime)
    if ties:
        x = rng.integers(0, 3, size=(n, c, size, size)).astype(np.float64) * (1e3 if regime == "large" else 1.0)
        x = _storage(regime, rng, x)
    else:
        x = _storage(regime, rng, _scaled(rng, (n, c, size, size), regime, zeros=False))
    dout = rng.standard_normal((n, c, size // 2, size // 2))

    def windows(x):
        x = np.asarray(x, dtype=dt)
        return (
            x.reshape(n, c, size // 2, 2, size // 2, 2)
            .transpose(0, 1, 2, 4, 3, 5)
            .reshape(n, c, size // 2, size // 2, 4)
        )

    def forward(x):
        return windows(x).max(axis=-1)

    def backward(x):
        first = windows(x).argmax(axis=-1)
        routed = np.zeros((n, c, size // 2, size // 2, 4), dtype=dt)
        np.put_along_axis(routed, first[..., None], dout.astype(dt)[..., None], axis=-1)
        return {
            "x": routed.reshape(n, c, size // 2, size // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, size, size)
        }

    return Case(forward, {"x": x}, backward(x), dout=dout)


# --- ReLU with inputs exactly at the kink (VJP) -------------------------------------------------------


def relu_at_kinks(rng: np.random.Generator, regime: str) -> Case:
    """y = relu(x) with a third of the inputs exactly 0, where relu'(0) = 0 is one valid choice."""
    dt = _dtype(regime)
    x = _scaled(rng, (4, 5), regime, zeros=False)
    x[rng.random(x.shape) < 1 / 3] = 0.0
    x = _storage(regime, rng, x)
    dout = rng.standard_normal(x.shape)

    def forward(x):
        return np.maximum(np.asarray(x, dtype=dt), dt(0))

    return Case(forward, {"x": x}, {"x": (dout * (np.asarray(x) > 0)).astype(dt)}, dout=dout)


# --- logistic regression, mean binary cross-entropy ---------------------------------------------------


def logistic_bce(rng: np.random.Generator, regime: str, n: int = 5) -> Case:
    """loss = mean(log(1 + exp(z)) - y z), z = X w + b (stable forms), gradients for w and b.

    An odd batch: with tiny weights every sigmoid is 1/2 and db = mean(1/2 - y), which an even batch
    with balanced labels would make exactly 0, and a planted bug in db invisible."""
    d = 4
    dt = _dtype(regime)
    X = rng.standard_normal((n, d)) * (1e3 if regime == "large" else 1.0)
    y = (rng.random(n) < 0.5).astype(np.float64)
    w = _storage(regime, rng, _scaled(rng, (d,), regime))
    b = float(_scaled(rng, (1,), regime)[0])

    def loss(w, b):
        z = np.asarray(X, dtype=dt) @ np.asarray(w, dtype=dt) + dt(b)
        return _out(np.mean(np.logaddexp(dt(0), z) - y.astype(dt) * z), dt)

    w_d = np.asarray(w, dtype=dt)
    z = X.astype(dt) @ w_d + dt(b)
    sigmoid = np.exp(-np.logaddexp(dt(0), -z))
    dz = (sigmoid - y.astype(dt)) / dt(n)
    return Case(loss, {"w": w, "b": b}, {"w": X.astype(dt).T @ dz, "b": dz.sum()}, batch_size=n)


# --- softmax attention (VJP) --------------------------------------------------------------------------


def attention(rng: np.random.Generator, regime: str) -> Case:
    """out = softmax(Q K^T / sqrt(d)) V, checked as a VJP for Q, K and V (all square: T = d)."""
    steps = d = 3
    dt = _dtype(regime)
    scale = 1e-6 if regime == "tiny" else (30.0 if regime == "large" else 1.0)
    Q, K, V = (_storage(regime, rng, rng.standard_normal((steps, d)) * scale) for _ in range(3))
    dout = rng.standard_normal((steps, d))

    def weights(Q, K):
        S = np.asarray(Q, dtype=dt) @ np.asarray(K, dtype=dt).T / dt(np.sqrt(d))
        E = np.exp(S - S.max(axis=-1, keepdims=True))
        return E / E.sum(axis=-1, keepdims=True)

    def forward(Q, K, V):
        return weights(Q, K) @ np.asarray(V, dtype=dt)

    A = weights(Q, K)
    g = dout.astype(dt)
    dA = g @ np.asarray(V, dtype=dt).T
    dS = A * (dA - np.sum(dA * A, axis=-1, keepdims=True)) / dt(np.sqrt(d))
    grad = {"Q": dS @ np.asarray(K, dtype=dt), "K": dS.T @ np.asarray(Q, dtype=dt), "V": A.T @ g}
    return Case(forward, {"Q": Q, "K": K, "V": V}, grad, dout=dout, square=("Q", "K", "V"))


# --- linear regression, mean squared error ------------------------------------------------------------


def mse(rng: np.random.Generator, regime: str, n: int = 5) -> Case:
    """loss = sum((X W + b - Y)^2) / N, gradients for W (square) and b."""
    d = 3
    dt = _dtype(regime)
    X = rng.standard_normal((n, d)) * (1e3 if regime == "large" else 1.0)
    Y = rng.standard_normal((n, d))
    W = _storage(regime, rng, _scaled(rng, (d, d), regime))
    b = _storage(regime, rng, _scaled(rng, (d,), regime))

    def loss(W, b):
        r = np.asarray(X, dtype=dt) @ np.asarray(W, dtype=dt) + np.asarray(b, dtype=dt) - Y.astype(dt)
        return _out(np.sum(r * r) / dt(n), dt)

    r = X.astype(dt) @ np.asarray(W, dtype=dt) + np.asarray(b, dtype=dt) - Y.astype(dt)
    return Case(
        loss,
        {"W": W, "b": b},
        {"W": X.astype(dt).T @ (2 * r / dt(n)), "b": (2 * r / dt(n)).sum(axis=0)},
        batch_size=n,
        square=("W",),
    )


SMOOTH = {
    "linear_rnn": linear_rnn,
    "tanh_rnn": tanh_rnn,
    "conv2d": conv2d,
    "max_pool": max_pool,
    "logistic_bce": logistic_bce,
    "attention": attention,
    "mse": mse,
}
"""Models differentiable at their random points (max pooling without ties almost surely is)."""

KINKED = {
    "max_pool_ties": lambda rng, regime: max_pool(rng, regime, ties=True),
    "relu_at_kinks": relu_at_kinks,
}
"""Models evaluated exactly at kinks, where only one-sided derivatives exist."""


def check(case: Case, got: dict[str, object], rng: np.random.Generator, **options: object) -> GradientReport:
    """Run the checker on a case: ``check_gradient`` for a loss, ``check_vjp`` for a forward function."""
    options = {"batch_size": case.batch_size, "time_axis": case.time_axis, **options}
    if case.dout is None:
        return check_gradient(case.f, at=case.at, got=got, rng=rng, **options)
    return check_vjp(case.f, at=case.at, dout=case.dout, got=got, rng=rng, **options)
