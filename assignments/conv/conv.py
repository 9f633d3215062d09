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
    raise NotImplementedError


def conv2d_output_shape(input_hw, kernel_hw, stride=1, pad=0):
    """2D 출력 크기 / (OH, OW) for an (H, W) input and a (KH, KW) kernel.

    stride, pad: an int (both axes) or a pair (vertical, horizontal). Errors as conv_output_size.
    """
    raise NotImplementedError


def conv2d_forward(x, w, b, stride=1, pad=0):
    """합성곱 순전파 / convolution forward pass (cross-correlation, the kernel is not flipped).

    x: (N, C, H, W), w: (F, C, KH, KW), b: (F,); stride, pad: ints (a (vertical, horizontal) pair
    also works); zero padding on all four sides.
    out[n, f, i, j] = b[f] + sum_{c,p,q} xpad[n, c, i*stride + p, j*stride + q] * w[f, c, p, q].
    Returns (N, F, OH, OW). Raises ValueError when x and w disagree on the channel count.
    """
    raise NotImplementedError


def conv2d_backward(dout, x, w, b, stride=1, pad=0):
    """합성곱 역전파 / convolution backward pass.

    dout: (N, F, OH, OW) = dL/dout; x, w, b, stride, pad as in conv2d_forward.
    Returns (dx, dw, db) with the shapes of x, w, b:
      db[f] = sum of dout[:, f];  dw = correlation of xpad with dout;  dx = dout spread back through
      w ("full" convolution), with the padding cropped off. Input cells that no window covers get 0.
    """
    raise NotImplementedError


def max_pool2d_forward(x, size=2, stride=2):
    """최대 풀링 순전파 / max pooling forward pass, no padding.

    x: (N, C, H, W); size x size windows moved by stride. Returns (N, C, OH, OW) with
    OH = (H - size) // stride + 1 (likewise OW); rows/columns that no window reaches are dropped.
    """
    raise NotImplementedError


def max_pool2d_backward(dout, x, size=2, stride=2):
    """최대 풀링 역전파 / max pooling backward pass.

    dout: (N, C, OH, OW); x, size, stride as in max_pool2d_forward. Returns dx with the shape of x.
    Each window sends its gradient to its maximum only. Ties: the first maximum in row-major order
    inside the window (np.argmax order) gets it all. Overlapping windows (stride < size) add up.
    """
    raise NotImplementedError
