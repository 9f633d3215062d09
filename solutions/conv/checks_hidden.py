"""Hidden checks of conv: the reference on seeded random inputs and edge cases (a batch of one,
non-square inputs and kernels, stride > 1 with padding, cells no window covers, ties and overlapping pooling windows,
non-integer sizes, int and float32 images),
and numeric gradient checks of both backward functions against the reference's forward pass (so a wrong
forward pass never costs the backward passes' points here).
"""

import numpy as np

from grader import check, expect, text
from grader.engine.checks import mistakes

from .checks_common import distinct


def _conv_problem(rng, x_shape, w_shape):
    return rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])


# Stride > 1 with padding, non-square inputs and kernels, a batch of one, cells no window covers.
CONFIGS = (
    ((2, 3, 6, 7), (4, 3, 3, 2), 2, 1),
    ((1, 2, 7, 5), (3, 2, 2, 3), 3, 2),
    ((1, 2, 6, 6), (2, 2, 3, 3), 2, 0),
    ((3, 1, 4, 4), (2, 1, 4, 4), 1, 0),
)


@check(points=0.5, ko="크기, stride, 패딩, dilation의 여러 조합에서 conv_output_size가 공식의 값과 같습니다.")
def conv_output_size_matches_reference(student, reference):
    """conv_output_size equals the formula's value on a grid of sizes, strides, paddings and dilations."""
    grid = [
        (size, filter_size, stride, pad, dilation)
        for size in (1, 4, 7, 12)
        for filter_size in (1, 2, 3, 5)
        for stride in (1, 3)
        for pad in (0, 2)
        for dilation in (1, 2)
        if dilation * (filter_size - 1) + 1 <= size + 2 * pad
    ]
    names = ("size", "filter_size", "stride", "pad", "dilation")
    size_of = student.conv_output_size.partial(*(expect.param(name) for name in names))
    answers = size_of.each([dict(zip(names, args)) for args in grid])  # the whole grid in one round trip
    for args, answer in zip(grid, answers):
        expect.equal(answer, reference.conv_output_size(*args), name=f"conv_output_size{args}")


@check(points=0.5, ko='정수가 아닌 크기 (5.0, 2.5, "3")이면 conv_output_size가 TypeError를 냅니다.')
def conv_output_size_rejects_non_integers(student):
    """conv_output_size raises TypeError for sizes that are not integers (5.0, 2.5, "3")."""
    hint = text(
        "Sizes, stride, pad and dilation must be integers (int or numpy integer); raise TypeError otherwise.",
        "크기, stride, pad, dilation은 정수 (int 또는 numpy 정수)여야 하고, 아니면 TypeError를 냅니다.",
    )
    expect.raises(TypeError, student.conv_output_size, 5.0, 3, hint=hint)
    expect.raises(TypeError, student.conv_output_size, 5, 3, 2.5, hint=hint)
    expect.raises(TypeError, student.conv_output_size, 5, "3", hint=hint)


@check(points=1.5, ko="stride > 1과 패딩, 정사각형이 아닌 입력과 커널에서 conv2d_forward가 참조 구현과 같습니다.")
def conv2d_forward_matches_reference(student, reference, rng):
    """conv2d_forward equals the reference with stride > 1 and padding, non-square inputs and kernels."""
    for x_shape, w_shape, stride, pad in CONFIGS[:2]:
        x, w, b = _conv_problem(rng, x_shape, w_shape)
        expect.close(student.conv2d_forward(x, w, b, stride, pad), reference.conv2d_forward(x, w, b, stride, pad))


@check(points=1, ko="배치 하나, 입력만큼 큰 커널, 기본 인자에서 conv2d_forward가 참조 구현과 같습니다.")
def conv2d_forward_batch_of_one_and_full_kernel(student, reference, rng):
    """conv2d_forward equals the reference for a batch of one, a kernel as large as the input, and defaults."""
    for x_shape, w_shape, stride, pad in CONFIGS[2:]:
        x, w, b = _conv_problem(rng, x_shape, w_shape)
        expect.close(student.conv2d_forward(x, w, b, stride, pad), reference.conv2d_forward(x, w, b, stride, pad))
    x, w, b = _conv_problem(rng, (1, 3, 5, 6), (2, 3, 3, 3))
    expect.close(
        student.conv2d_forward(x, w, b),
        reference.conv2d_forward(x, w, b),
        name=text(
            "conv2d_forward(x (1,3,5,6), w (2,3,3,3), b) with the default stride and pad",
            "기본 stride와 pad일 때의 conv2d_forward(x (1,3,5,6), w (2,3,3,3), b)",
        ),
    )


@check(points=1.5, ko="모든 설정의 무작위 입력에서 conv2d_backward가 참조 구현의 (dx, dw, db)를 반환합니다.")
def conv2d_backward_matches_reference(student, reference, rng):
    """conv2d_backward returns the reference's (dx, dw, db) on random inputs with every configuration."""
    for x_shape, w_shape, stride, pad in CONFIGS:
        x, w, b = _conv_problem(rng, x_shape, w_shape)
        dout = rng.normal(size=reference.conv2d_forward(x, w, b, stride, pad).shape)
        got = expect.parts(student.conv2d_backward(dout, x, w, b, stride, pad), 3, labels="dx, dw, db")
        for got_part, expected in zip(got, reference.conv2d_backward(dout, x, w, b, stride, pad)):
            expect.close(got_part, expected)


@check(
    points=1,
    ko="어떤 창도 덮지 않는 칸이 있는 conv2d_backward (6x6 입력, 3x3 커널, stride 2): 그 칸은 dx = 0, 나머지는 "
    "참조 구현의 dx.",
)
def conv2d_backward_uncovered_cells_get_zero(student, reference, rng):
    """conv2d_backward with cells no window covers (6x6 input, 3x3 kernel, stride 2): those get dx = 0, the others the
    reference's dx."""
    x, w, b, dout = (
        rng.normal(size=(1, 2, 6, 6)),
        rng.normal(size=(2, 2, 3, 3)),
        np.zeros(2),
        rng.normal(size=(1, 2, 2, 2)),
    )
    call = "conv2d_backward(dout, x (1,2,6,6), w (2,2,3,3), b, stride=2, pad=0)"
    dx = expect.parts(student.conv2d_backward(dout, x, w, b, 2, 0), 3, name=call, labels="dx, dw, db")[0]
    expect.shape(dx, x.shape)
    dx = np.asarray(dx, dtype=float)
    hint = text(
        "With stride 2 the windows cover rows and columns 0 to 4 only: the last row and column get 0.",
        "stride 2에서는 창이 0~4번 행과 열만 덮습니다. 마지막 행과 열의 그래디언트는 0입니다.",
    )
    expect.close(
        dx[:, :, 5, :],
        np.zeros((1, 2, 6)),
        name=text(
            f"{call}[0][:, :, 5, :] (last row, never covered)", f"{call}[0][:, :, 5, :] (어떤 창도 덮지 않는 마지막 행)"
        ),
        hint=hint,
    )
    expect.close(
        dx[:, :, :, 5],
        np.zeros((1, 2, 6)),
        name=text(
            f"{call}[0][:, :, :, 5] (last column, never covered)",
            f"{call}[0][:, :, :, 5] (어떤 창도 덮지 않는 마지막 열)",
        ),
        hint=hint,
    )
    expected = reference.conv2d_backward(dout, x, w, b, 2, 0)[0]
    expect.close(
        dx[:, :, :5, :5],
        expected[:, :, :5, :5],
        name=text(f"{call}[0][:, :, :5, :5] (the covered cells)", f"{call}[0][:, :, :5, :5] (창이 덮는 칸)"),
    )


@check(points=1.5, ko="conv2d_backward가 참조 구현의 conv2d_forward의 수치 그래디언트와 같습니다 (x, w, b).")
def conv2d_backward_numeric_gradient(student, reference, rng):
    """conv2d_backward equals the numeric gradient of the reference's conv2d_forward (x, w and b)."""
    for x_shape, w_shape, stride, pad in (((2, 1, 5, 4), (2, 1, 2, 2), 3, 2), ((1, 2, 4, 5), (2, 2, 3, 2), 2, 1)):
        x, w, b = _conv_problem(rng, x_shape, w_shape)
        dout = rng.normal(size=reference.conv2d_forward(x, w, b, stride, pad).shape)
        dx, dw, db = expect.parts(student.conv2d_backward(dout, x, w, b, stride, pad), 3, labels="dx, dw, db")
        expect.vjp(
            lambda x, w, b: reference.conv2d_forward(x, w, b, stride, pad),
            at={"x": x, "w": w, "b": b},
            dout=dout,
            got={"x": dx, "w": dw, "b": db},
            rng=rng,
        )


@check(points=1, ko="버려지는 행/열, 겹치는 창, 배치 하나에서 max_pool2d_forward가 참조 구현과 같습니다.")
def max_pool_forward_matches_reference(student, reference, rng):
    """max_pool2d_forward equals the reference with dropped rows/columns, overlapping windows and a batch of one."""
    for shape, size, stride in (((2, 3, 5, 7), 2, 2), ((1, 2, 6, 5), 3, 1), ((1, 1, 7, 7), 3, 2)):
        x = rng.normal(size=shape)
        expect.close(student.max_pool2d_forward(x, size, stride), reference.max_pool2d_forward(x, size, stride))


@check(points=1, ko="동점, 겹치는 창, 버려지는 행/열에서 max_pool2d_backward가 참조 구현과 같습니다.")
def max_pool_backward_matches_reference(student, reference, rng):
    """max_pool2d_backward equals the reference with ties, overlapping windows and dropped rows/columns."""
    ties = np.round(rng.normal(size=(2, 2, 6, 6)))  # few distinct values: many tied maxima
    for x, size, stride in (
        (ties, 2, 2),
        (ties, 3, 1),
        (ties[:1, :, :5, :], 2, 2),
        (rng.normal(size=(1, 2, 7, 6)), 3, 2),
    ):
        dout = rng.normal(size=reference.max_pool2d_forward(x, size, stride).shape)
        expect.close(
            student.max_pool2d_backward(dout, x, size, stride), reference.max_pool2d_backward(dout, x, size, stride)
        )


@check(points=0.5, ko="max_pool2d_backward가 참조 구현의 max_pool2d_forward의 수치 그래디언트와 같습니다.")
def max_pool_backward_numeric_gradient(student, reference, rng):
    """max_pool2d_backward equals the numeric gradient of the reference's max_pool2d_forward."""
    for shape, size, stride in (((2, 1, 5, 6), 2, 2), ((1, 2, 6, 5), 3, 2)):
        x = distinct(rng, shape)
        dout = rng.normal(size=reference.max_pool2d_forward(x, size, stride).shape)
        expect.vjp(
            lambda x: reference.max_pool2d_forward(x, size, stride),
            at={"x": x},
            dout=dout,
            got={"x": student.max_pool2d_backward(dout, x, size, stride)},
            rng=rng,
        )


@check(
    points=1,
    ko="정수 이미지 (픽셀 값), 정수 커널, float32 이미지: conv2d_forward, conv2d_backward, max_pool2d_backward가 "
    "소수 부분을 잃지 않습니다.",
)
def conv_integer_and_float32_inputs(student, reference, rng):
    """int images (pixel values), int kernels and float32 images: conv2d_forward, conv2d_backward and
    max_pool2d_backward keep the fractions."""
    x = rng.integers(0, 256, size=(2, 2, 5, 6))
    w, b = rng.integers(-3, 4, size=(3, 2, 3, 3)), rng.normal(size=3)
    expected = reference.conv2d_forward(x, w, b, 1, 1)
    mistakes.close(student.conv2d_forward(x, w, b, 1, 1), expected, known=[mistakes.truncated(expected)])
    dout = rng.normal(size=expected.shape)
    got = expect.parts(student.conv2d_backward(dout, x, w, b, 1, 1), 3, labels="dx, dw, db")
    for got_part, value in zip(got, reference.conv2d_backward(dout, x, w, b, 1, 1)):
        mistakes.close(got_part, value, known=[mistakes.truncated(value)])
    pool_dout = rng.normal(size=(2, 2, 2, 3))
    expected = reference.max_pool2d_backward(pool_dout, x)
    mistakes.close(student.max_pool2d_backward(pool_dout, x), expected, known=[mistakes.truncated(expected)])
    x32, w32 = rng.normal(size=(1, 2, 5, 5)).astype(np.float32), rng.normal(size=(2, 2, 3, 3)).astype(np.float32)
    expect.close(
        student.conv2d_forward(x32, w32, b[:2], 2, 1),
        reference.conv2d_forward(x32, w32, b[:2], 2, 1),
        rtol=1e-5,
        atol=1e-5,
    )
