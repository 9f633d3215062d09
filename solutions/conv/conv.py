"""2D convolution (CNN 방식의 cross-correlation) and max pooling: output sizes, forward, backward.

Layouts: images x (N, C, H, W), kernels w (F, C, KH, KW), bias b (F,), outputs (N, F, OH, OW).
Arrays may hold ints (pixel values) or floats (float32 or float64); every result is a float array.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _as_pair(value, name):
    """(v, v) for an int v, or the pair itself / 정수 하나 또는 (세로, 가로) 쌍 (given helper)."""
    if np.ndim(value) == 0:
        return (value, value)
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return tuple(value)


def _windows(xp, kernel_hw, stride_hw):
    """Sliding windows of an (already padded) (N, C, H, W) array, as a read-only view (given helper).

    Returns (N, C, OH, OW, KH, KW) with windows[n, c, i, j, p, q] = xp[n, c, i*sh + p, j*sw + q].
    """
    (sh, sw) = stride_hw
    return sliding_window_view(xp, tuple(kernel_hw), axis=(2, 3))[:, :, ::sh, ::sw]


def _pad_hw(x, pad_hw):
    """Zero padding of the last two axes of (N, C, H, W) (given helper)."""
    (ph, pw) = pad_hw
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def conv_output_size(input_size, filter_size, stride=1, pad=0, dilation=1):
    """한 축의 출력 크기 / output length along one axis.

    O = floor((input + 2*pad - dilation*(filter - 1) - 1) / stride) + 1
    (dilation = 1: O = floor((H + 2P - K) / S) + 1).
    Raises ValueError for stride < 1, pad < 0, input_size/filter_size/dilation < 1, or a (dilated)
    filter larger than the padded input.
    """
    # BEGIN SOLUTION
    for name, value in (("input_size", input_size), ("filter_size", filter_size), ("stride", stride),
                        ("pad", pad), ("dilation", dilation)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {value!r}")
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    if pad < 0:
        raise ValueError(f"pad must be >= 0, got {pad}")
    if input_size < 1 or filter_size < 1 or dilation < 1:
        raise ValueError(
            f"input_size, filter_size and dilation must be >= 1, got {input_size}, {filter_size}, {dilation}"
        )
    span = dilation * (filter_size - 1) + 1  # how many input cells one (dilated) filter covers
    padded = input_size + 2 * pad
    if span > padded:
        raise ValueError(f"filter spans {span} cells but the padded input has only {padded}")
    return int((padded - span) // stride + 1)
    # END SOLUTION


def conv2d_output_shape(input_hw, kernel_hw, stride=1, pad=0):
    """2D 출력 크기 / (OH, OW) for an (H, W) input and a (KH, KW) kernel.

    stride, pad: an int (both axes) or a pair (vertical, horizontal). Errors as conv_output_size.
    """
    # BEGIN SOLUTION
    (H, W), (KH, KW) = input_hw, kernel_hw
    (sh, sw), (ph, pw) = _as_pair(stride, "stride"), _as_pair(pad, "pad")
    return (conv_output_size(H, KH, sh, ph), conv_output_size(W, KW, sw, pw))
    # END SOLUTION


def conv2d_forward(x, w, b, stride=1, pad=0):
    """합성곱 순전파 / convolution forward pass (cross-correlation, the kernel is not flipped).

    x: (N, C, H, W), w: (F, C, KH, KW), b: (F,); stride, pad: ints (a (vertical, horizontal) pair
    also works); zero padding on all four sides.
    out[n, f, i, j] = b[f] + sum_{c,p,q} xpad[n, c, i*stride + p, j*stride + q] * w[f, c, p, q].
    Returns (N, F, OH, OW). Raises ValueError when x and w disagree on the channel count.
    """
    # BEGIN SOLUTION
    x, w, b = (np.asarray(a, dtype=float) for a in (x, w, b))
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(f"x and w must be 4-D, got shapes {x.shape} and {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels but w expects {w.shape[1]}")
    if b.shape != (w.shape[0],):
        raise ValueError(f"b must have shape ({w.shape[0]},), got {b.shape}")
    conv2d_output_shape(x.shape[2:], w.shape[2:], stride, pad)  # raises if the kernel does not fit
    windows = _windows(_pad_hw(x, _as_pair(pad, "pad")), w.shape[2:], _as_pair(stride, "stride"))
    return np.einsum("ncijpq,fcpq->nfij", windows, w) + b[None, :, None, None]
    # END SOLUTION


def conv2d_backward(dout, x, w, b, stride=1, pad=0):
    """합성곱 역전파 / convolution backward pass.

    dout: (N, F, OH, OW) = dL/dout; x, w, b, stride, pad as in conv2d_forward.
    Returns (dx, dw, db) with the shapes of x, w, b:
      db[f] = sum of dout[:, f];  dw = correlation of xpad with dout;  dx = dout spread back through
      w ("full" convolution), with the padding cropped off. Input cells that no window covers get 0.
    """
    # BEGIN SOLUTION
    dout, x, w = (np.asarray(a, dtype=float) for a in (dout, x, w))
    (sh, sw), (ph, pw) = _as_pair(stride, "stride"), _as_pair(pad, "pad")
    H, W = x.shape[2:]
    KH, KW = w.shape[2:]
    OH, OW = dout.shape[2:]
    xp = _pad_hw(x, (ph, pw))
    db = dout.sum(axis=(0, 2, 3))
    dw = np.einsum("ncijpq,nfij->fcpq", _windows(xp, (KH, KW), (sh, sw)), dout)
    dxp = np.zeros_like(xp)
    rows, cols = sh * (OH - 1) + 1, sw * (OW - 1) + 1
    for p in range(KH):
        for q in range(KW):
            # kernel cell (p, q) met xp[:, :, i*sh + p, j*sw + q] for every output position (i, j)
            dxp[:, :, p:p + rows:sh, q:q + cols:sw] += np.einsum("nfij,fc->ncij", dout, w[:, :, p, q])
    dx = dxp[:, :, ph:ph + H, pw:pw + W]  # the padding is not part of the input
    return dx, dw, db
    # END SOLUTION


def max_pool2d_forward(x, size=2, stride=2):
    """최대 풀링 순전파 / max pooling forward pass, no padding.

    x: (N, C, H, W); size x size windows moved by stride. Returns (N, C, OH, OW) with
    OH = (H - size) // stride + 1 (likewise OW); rows/columns that no window reaches are dropped.
    """
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    conv2d_output_shape(x.shape[2:], (size, size), stride, 0)  # raises if the window does not fit
    return _windows(x, (size, size), (stride, stride)).max(axis=(4, 5))
    # END SOLUTION


def max_pool2d_backward(dout, x, size=2, stride=2):
    """최대 풀링 역전파 / max pooling backward pass.

    dout: (N, C, OH, OW); x, size, stride as in max_pool2d_forward. Returns dx with the shape of x.
    Each window sends its gradient to its maximum only. Ties: the first maximum in row-major order
    inside the window (np.argmax order) gets it all. Overlapping windows (stride < size) add up.
    """
    # BEGIN SOLUTION
    dout, x = np.asarray(dout, dtype=float), np.asarray(x, dtype=float)
    N, C, OH, OW = dout.shape
    windows = _windows(x, (size, size), (stride, stride))
    first_max = windows.reshape(N, C, OH, OW, size * size).argmax(axis=-1)  # row-major, first wins
    n, c, i, j = np.indices((N, C, OH, OW))
    rows = i * stride + first_max // size
    cols = j * stride + first_max % size
    dx = np.zeros_like(x)
    np.add.at(dx, (n, c, rows, cols), dout)  # add.at: overlapping windows may pick the same cell
    return dx
    # END SOLUTION
