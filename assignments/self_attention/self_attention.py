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
    raise NotImplementedError


def attention_scores(Q, K):
    """1단계 / step 1: scores = Q Kᵀ, shape (n, n); scores[i, j] = q_i · k_j (row i: query i)."""
    raise NotImplementedError


def scale_scores(scores, d_k):
    """2단계 / step 2: scores / sqrt(d_k) (d_k = 64 divides by 8), same shape."""
    raise NotImplementedError


def softmax(x, axis=-1):
    """3단계 / step 3: softmax along `axis` (default: each row), same shape; slices sum to 1.

    x: an array-like of numbers (a list, an int array or a float32/float64 array); the result is float.

    Stable: the maximum of each slice is subtracted before exp, so inputs up to 1e4 in magnitude give
    no overflow and no NaN (softmax(x) = softmax(x - c) for any constant c).
    """
    raise NotImplementedError


def self_attention(X, W_q, W_k, W_v, mask=None):
    """4단계 / step 4: Z = A @ V with A = softmax(Q K^T / sqrt(d_k)), d_k = W_k.shape[1].

    mask: None, or a boolean (n, n) array; mask[i, j] = False means query i may not attend to key j
      (its weight A[i, j] is exactly 0; the other weights of the row still sum to 1). A row with no
      allowed position gets all-zero weights, so its Z row is 0 (never NaN).
    Returns (Z, A): Z (n, d_v), A (n, n) the attention weights.
    """
    raise NotImplementedError


def self_attention_backward(dZ, X, W_q, W_k, W_v):
    """셀프 어텐션 역전파 (마스크 없음) / backward pass of self_attention without a mask.

    dZ: (n, d_v) = dL/dZ. Returns (dX, dW_q, dW_k, dW_v) with the shapes of X, W_q, W_k, W_v.
    The chain rule through the four steps (and the softmax's Jacobian) is in the README.
    """
    raise NotImplementedError
