"""Alternative: a correct conv written with explicit loops (the textbook way), no sliding windows.

Output sizes by counting window positions; forward and backward with loops over every output position;
max pooling with np.unravel_index(np.argmax(window)). Must score full marks.
"""

import numpy as np


def _pair(value):
    return (value, value) if np.ndim(value) == 0 else (value[0], value[1])


def conv_output_size(input_size, filter_size, stride=1, pad=0, dilation=1):
    for value in (input_size, filter_size, stride, pad, dilation):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"not an integer: {value!r}")
    if stride < 1 or pad < 0 or input_size < 1 or filter_size < 1 or dilation < 1:
        raise ValueError("invalid stride, pad, size or dilation")
    span = (filter_size - 1) * dilation + 1
    if span > input_size + 2 * pad:
        raise ValueError("the filter does not fit into the padded input")
    count, start = 0, 0
    while start + span <= input_size + 2 * pad:  # count the window positions one by one
        count += 1
        start += stride
    return count


def conv2d_output_shape(input_hw, kernel_hw, stride=1, pad=0):
    (sh, sw), (ph, pw) = _pair(stride), _pair(pad)
    return conv_output_size(input_hw[0], kernel_hw[0], sh, ph), conv_output_size(input_hw[1], kernel_hw[1], sw, pw)


def conv2d_forward(x, w, b, stride=1, pad=0):
    x, w, b = np.asarray(x, float), np.asarray(w, float), np.asarray(b, float)
    if x.shape[1] != w.shape[1]:
        raise ValueError("channel counts differ")
    N, _, H, W = x.shape
    F, _, KH, KW = w.shape
    OH, OW = conv2d_output_shape((H, W), (KH, KW), stride, pad)
    xp = np.zeros((N, x.shape[1], H + 2 * pad, W + 2 * pad))
    xp[:, :, pad:pad + H, pad:pad + W] = x
    out = np.empty((N, F, OH, OW))
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    patch = xp[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
                    out[n, f, i, j] = np.sum(patch * w[f]) + b[f]
    return out


def conv2d_backward(dout, x, w, b, stride=1, pad=0):
    x, w, dout = np.asarray(x, float), np.asarray(w, float), np.asarray(dout, float)
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, OH, OW = dout.shape
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    xp[:, :, pad:pad + H, pad:pad + W] = x
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    g = dout[n, f, i, j]
                    rows = slice(i * stride, i * stride + KH)
                    cols = slice(j * stride, j * stride + KW)
                    dw[f] += g * xp[n, :, rows, cols]
                    dxp[n, :, rows, cols] += g * w[f]
                    db[f] += g
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, db


def max_pool2d_forward(x, size=2, stride=2):
    x = np.asarray(x, float)
    N, C, H, W = x.shape
    OH, OW = conv2d_output_shape((H, W), (size, size), stride, 0)
    out = np.empty((N, C, OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + size, j * stride:j * stride + size].max(axis=(2, 3))
    return out


def max_pool2d_backward(dout, x, size=2, stride=2):
    x, dout = np.asarray(x, float), np.asarray(dout, float)
    N, C, OH, OW = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    window = x[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + p, j * stride + q] += dout[n, c, i, j]
    return dx
