"""Alternative: a correct self_attention computed row by row.

softmax via exp(x - logsumexp), the masked softmax one query at a time over the allowed keys only,
the backward pass with the explicit softmax Jacobian diag(a) - a a^T of every row. Must score full
marks.
"""

import numpy as np


def project_qkv(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    return np.dot(X, W_q), np.dot(X, W_k), np.dot(X, W_v)


def attention_scores(Q, K):
    return np.einsum("id,jd->ij", Q, K)


def scale_scores(scores, d_k):
    return np.asarray(scores, dtype=float) * (1.0 / np.sqrt(float(d_k)))


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=float)
    m = np.max(x, axis=axis, keepdims=True)
    log_sum = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return np.exp(x - log_sum)


def self_attention(X, W_q, W_k, W_v, mask=None):
    Q, K, V = project_qkv(X, W_q, W_k, W_v)
    S = scale_scores(attention_scores(Q, K), np.shape(W_k)[1])
    n = S.shape[0]
    if mask is None:
        allowed = np.ones((n, n), dtype=bool)
    else:
        allowed = np.asarray(mask, dtype=bool)
        if allowed.shape != (n, n):
            raise ValueError("mask must be (n, n)")
    A = np.zeros((n, n))
    for i in range(n):
        keys = np.flatnonzero(allowed[i])
        if keys.size:
            A[i, keys] = softmax(S[i, keys])
    return A @ V, A


def self_attention_backward(dZ, X, W_q, W_k, W_v):
    X, dZ = np.asarray(X, dtype=float), np.asarray(dZ, dtype=float)
    Q, K, V = project_qkv(X, W_q, W_k, W_v)
    d_k = np.shape(W_k)[1]
    _, A = self_attention(X, W_q, W_k, W_v)
    dA = dZ @ V.T
    dS = np.empty_like(A)
    for i in range(A.shape[0]):
        a = A[i]
        jacobian = np.diag(a) - np.outer(a, a)
        dS[i] = jacobian @ dA[i]
    dS /= np.sqrt(d_k)
    dQ, dK, dV = dS @ K, dS.T @ Q, A.T @ dZ
    dW_q, dW_k, dW_v = X.T @ dQ, X.T @ dK, X.T @ dV
    dX = dQ @ np.transpose(W_q) + dK @ np.transpose(W_k) + dV @ np.transpose(W_v)
    return dX, dW_q, dW_k, dW_v
