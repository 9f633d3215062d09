"""셀프 어텐션 4단계 / self-attention in four steps.

Q = X W_q, K = X W_k, V = X W_v;
1) scores = Q K^T   2) scores / sqrt(d_k)   3) A = softmax over each row   4) Z = A V.
One sequence at a time: X (n, d_model), n tokens; W_q, W_k (d_model, d_k), W_v (d_model, d_v).
"""

import numpy as np


def project_qkv(X, W_q, W_k, W_v):
    """쿼리, 키, 밸류 행렬 / queries, keys, values.

    X: (n, d_model); W_q, W_k: (d_model, d_k); W_v: (d_model, d_v).
    Returns (Q, K, V) = (X W_q, X W_k, X W_v), shapes (n, d_k), (n, d_k), (n, d_v).
    """
    # BEGIN SOLUTION
    return X @ W_q, X @ W_k, X @ W_v
    # END SOLUTION


def attention_scores(Q, K):
    """1단계 / step 1: scores = Q Kᵀ, shape (n, n); scores[i, j] = q_i · k_j (row i: query i)."""
    # BEGIN SOLUTION
    return Q @ K.T
    # END SOLUTION


def scale_scores(scores, d_k):
    """2단계 / step 2: scores / sqrt(d_k) (d_k = 64 divides by 8), same shape."""
    # BEGIN SOLUTION
    return scores / np.sqrt(d_k)
    # END SOLUTION


def softmax(x, axis=-1):
    """3단계 / step 3: softmax along `axis` (default: each row), same shape; slices sum to 1.

    x: an array-like of numbers (a list, an int array or a float32/float64 array); the result is float.

    Stable: the maximum of each slice is subtracted before exp, so inputs up to 1e4 in magnitude give
    no overflow and no NaN (softmax(x) = softmax(x - c) for any constant c).
    """
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
    # END SOLUTION


def self_attention(X, W_q, W_k, W_v, mask=None):
    """4단계 / step 4: Z = A @ V with A = softmax(Q K^T / sqrt(d_k)), d_k = W_k.shape[1].

    mask: None, or a boolean (n, n) array; mask[i, j] = False means query i may not attend to key j
      (its weight A[i, j] is exactly 0; the other weights of the row still sum to 1). A row with no
      allowed position gets all-zero weights, so its Z row is 0 (never NaN).
    Returns (Z, A): Z (n, d_v), A (n, n) the attention weights.
    """
    # BEGIN SOLUTION
    Q, K, V = project_qkv(X, W_q, W_k, W_v)
    scores = scale_scores(attention_scores(Q, K), W_k.shape[1])
    if mask is None:
        A = softmax(scores, axis=-1)
        return A @ V, A
    allowed = np.asarray(mask, dtype=bool)
    if allowed.shape != scores.shape:
        raise ValueError(f"mask must have shape {scores.shape}, got {allowed.shape}")
    # Softmax over the allowed entries only, without -inf (inf - inf would give NaN).
    any_allowed = allowed.any(axis=-1, keepdims=True)
    shift = np.max(scores, axis=-1, keepdims=True, where=allowed, initial=-np.inf)
    shift = np.where(any_allowed, shift, 0.0)
    e = np.where(allowed, np.exp(np.where(allowed, scores - shift, 0.0)), 0.0)
    A = e / np.where(any_allowed, e.sum(axis=-1, keepdims=True), 1.0)  # empty row: 0 / 1
    return A @ V, A
    # END SOLUTION


def self_attention_backward(dZ, X, W_q, W_k, W_v):
    """셀프 어텐션 역전파 (마스크 없음) / backward pass of self_attention without a mask.

    dZ: (n, d_v) = dL/dZ. Returns (dX, dW_q, dW_k, dW_v) with the shapes of X, W_q, W_k, W_v.
    The chain rule through the four steps (and the softmax's Jacobian) is in the README.
    """
    # BEGIN SOLUTION
    Q, K, V = project_qkv(X, W_q, W_k, W_v)
    scale = 1.0 / np.sqrt(W_k.shape[1])
    A = softmax(attention_scores(Q, K) * scale, axis=-1)
    dV = A.T @ dZ
    dA = dZ @ V.T
    dS = A * (dA - np.sum(dA * A, axis=-1, keepdims=True))
    dQ = dS @ K * scale
    dK = dS.T @ Q * scale
    dX = dQ @ W_q.T + dK @ W_k.T + dV @ W_v.T
    return dX, X.T @ dQ, X.T @ dK, X.T @ dV
    # END SOLUTION
