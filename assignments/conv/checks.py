"""Public checks of conv: run them yourself with `grader grade conv`.

They use only your code, the seed notes' worked examples (the 5x5 input whose first output is 12, the
max-pooling example), the output-size formula, properties of convolution (padding is zeros around the
input, a stride keeps every stride-th output, a zero input gives the bias) and numeric gradients of
your own forward functions (when an instructor grades with the hidden checks, the reference's forward stands in for
yours: a
correct backward keeps its points even while your forward is wrong).
"""

import numpy as np

from grader import check, expect, text
from grader.engine.checks import mistakes

from .checks_common import distinct

# Seed 001: the kernel [[0,1,2],[2,2,0],[0,1,2]] moved over a 5x5 input; the first output is
# 3*0 + 3*1 + 2*2 + 0*2 + 0*2 + 1*0 + 3*0 + 1*1 + 2*2 = 12.
SEED_INPUT = np.array(
    [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], dtype=float
)
SEED_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], dtype=float)
SEED_OUTPUT = np.array([[12, 12, 17], [10, 17, 19], [9, 6, 14]], dtype=float)
# What the same input gives with the kernel turned by 180 degrees (true convolution, a typical mistake).
FLIPPED_KERNEL_OUTPUT = np.array([[18, 20, 19], [10, 9, 17], [11, 8, 14]], dtype=float)

# Seed 004: 2x2 max pooling with stride 2; the same input with overlapping 3x3 windows and stride 1, by hand.
POOL_INPUT = np.array([[1, 5, 2, 8], [3, 2, 7, 1], [5, 0, 4, 1], [1, 2, 3, 4]], dtype=float)
POOL_OUTPUT = np.array([[5, 8], [5, 4]], dtype=float)
POOL_OUTPUT_3X3_STRIDE_1 = np.array([[7, 8], [7, 7]], dtype=float)

SIZE_HINT = text(
    "O = floor((H + 2P - K) / S) + 1: a 5x5 input and a 3x3 kernel give 3, and 28x28 with a 3x3 kernel "
    "and P = 1 stays 28. Use integer division (//) and do not forget the + 1.",
    "O = floor((H + 2P - K) / S) + 1입니다. 5×5 입력과 3×3 커널이면 3, 28×28 입력에 3×3 커널과 P = 1이면 "
    "28입니다. 정수 나눗셈 (//)을 쓰고 + 1을 빠뜨리지 마세요.",
)


# ---------------------------------------------------------------------------
# output sizes
# ---------------------------------------------------------------------------


@check(
    points=1,
    ko="노트의 예제로 확인하는 conv_output_size: 5와 3이면 3, 28과 3, P = 1이면 28, stride로 나눌 때는 내림합니다.",
)
def conv_output_size_seed_examples(student):
    """conv_output_size on the notes' examples: 5 with 3 -> 3; 28 with 3, P = 1 -> 28; strides round down."""
    for args, expected in (
        ((5, 3), 3),
        ((28, 3, 1, 1), 28),
        ((7, 3, 2, 1), 4),
        ((7, 3, 2, 0), 3),
        ((6, 3, 2, 0), 2),
        ((1, 1), 1),
        ((3, 5, 1, 1), 1),
    ):
        expect.equal(student.conv_output_size(*args), expected, name=f"conv_output_size{args}", hint=SIZE_HINT)


@check(points=1, ko="dilation > 1인 conv_output_size: 팽창된 커널은 입력 dilation*(filter - 1) + 1칸을 덮습니다.")
def conv_output_size_with_dilation(student):
    """conv_output_size with dilation > 1: a dilated filter spans dilation*(filter - 1) + 1 input cells."""
    hint = text(
        "A dilated filter spans dilation*(filter - 1) + 1 input cells: "
        "O = floor((H + 2P - dilation*(K - 1) - 1) / S) + 1 (7 with a 3-tap filter and dilation 2 gives 3).",
        "팽창된 커널은 입력 dilation*(filter - 1) + 1칸을 덮습니다: "
        "O = floor((H + 2P - dilation*(K - 1) - 1) / S) + 1 (입력 7, 커널 3, 팽창 2이면 3).",
    )
    for args, expected in (((7, 3, 1, 0, 2), 3), ((9, 3, 1, 0, 3), 3), ((10, 2, 2, 1, 3), 5), ((5, 3, 1, 0, 1), 3)):
        expect.equal(student.conv_output_size(*args), expected, name=f"conv_output_size{args}", hint=hint)


@check(
    points=0.5, ko="stride < 1, pad < 0, 크기 0, 패딩한 입력보다 큰 커널이면 conv_output_size가 ValueError를 냅니다."
)
def conv_output_size_rejects_bad_arguments(student):
    """conv_output_size raises ValueError for stride < 1, pad < 0, a zero size, or a filter larger than the padded
    input."""
    hint = text(
        "Validate the arguments first: stride >= 1, pad >= 0, input_size, filter_size, dilation >= 1, and "
        "the (dilated) filter must fit into the padded input; raise ValueError otherwise.",
        "인자를 먼저 확인하세요: stride >= 1, pad >= 0, input_size, filter_size, dilation >= 1이어야 하고 "
        "(팽창된) 커널이 패딩한 입력 안에 들어가야 합니다. 아니면 ValueError를 냅니다.",
    )
    for kwargs in (
        dict(stride=0),
        dict(pad=-1),
        dict(input_size=0),
        dict(input_size=0, filter_size=1, pad=1),
        dict(filter_size=0),
        dict(dilation=0),
    ):
        args = dict(input_size=5, filter_size=3)
        args.update(kwargs)
        expect.raises(ValueError, student.conv_output_size, hint=hint, **args)
    expect.raises(ValueError, student.conv_output_size, 3, 5, hint=hint)
    expect.raises(ValueError, student.conv_output_size, 5, 3, dilation=3, hint=hint)


@check(points=0.5, ko="stride와 pad가 정수 하나일 때와 (세로, 가로) 쌍일 때의 conv2d_output_shape.")
def conv2d_output_shape_ints_and_pairs(student):
    """conv2d_output_shape with an int or a (vertical, horizontal) pair for stride and pad."""
    hint = text(
        "Return a tuple (OH, OW) of ints: OH from H, KH and the vertical stride/pad, OW from W, KW and the "
        "horizontal ones (an int applies to both axes).",
        "정수 튜플 (OH, OW)를 반환하세요. OH는 H, KH와 세로 stride/pad로, OW는 W, KW와 가로 값으로 "
        "계산합니다 (정수 하나는 두 축 모두에 적용됩니다).",
    )
    expect.equal(student.conv2d_output_shape((5, 5), (3, 3)), (3, 3), hint=hint)
    expect.equal(student.conv2d_output_shape((6, 9), (3, 2), 2, 1), (3, 5), hint=hint)
    expect.equal(student.conv2d_output_shape((5, 7), (3, 2), (2, 1), (1, 0)), (3, 6), hint=hint)


# ---------------------------------------------------------------------------
# forward
# ---------------------------------------------------------------------------


@check(points=1, ko="시드 예제의 conv2d_forward: 5x5 입력, 커널 [[0,1,2],[2,2,0],[0,1,2]], 첫 출력 12.")
def conv2d_forward_seed_example(student):
    """conv2d_forward on the seed example: 5x5 input, kernel [[0,1,2],[2,2,0],[0,1,2]], first output 12."""
    x, w, b = SEED_INPUT[None, None], SEED_KERNEL[None, None], np.zeros(1)
    got = student.conv2d_forward(x, w, b)
    flipped = mistakes.Mistake(
        FLIPPED_KERNEL_OUTPUT[None, None],
        message=text(
            "this is what a flipped kernel gives (w turned by 180°, a true convolution)",
            "커널을 뒤집었을 때의 결과입니다 (w를 180° 돌린 진짜 합성곱)",
        ),
        hint=text(
            "CNN convolution is cross-correlation: the window starting at (i, j) is multiplied cell by cell "
            "with w as given, out[i, j] = Σ_{p,q} x[i + p, j + q] · w[p, q] (first output 12).",
            "CNN의 합성곱은 cross-correlation입니다: (i, j)에서 시작하는 창에 주어진 그대로의 w를 칸마다 "
            "곱합니다. out[i, j] = Σ_{p,q} x[i + p, j + q] · w[p, q] (첫 출력 12).",
        ),
    )
    mistakes.close(
        got,
        SEED_OUTPUT[None, None],
        name=text(
            "conv2d_forward(seed 5x5 input, seed kernel, b=0)", "conv2d_forward(시드 예제의 5x5 입력, 시드 커널, b=0)"
        ),
        known=[flipped],
        hint=text(
            "out[i, j] = Σ_{p,q} x[i + p, j + q] · w[p, q] over the 3×3 window starting at (i, j): the "
            "first window [[3,3,2],[0,0,1],[3,1,2]] gives 3*0 + 3*1 + 2*2 + 0*2 + 0*2 + 1*0 + 3*0 + "
            "1*1 + 2*2 = 12.",
            "out[i, j] = Σ_{p,q} x[i + p, j + q] · w[p, q]이고 창은 (i, j)에서 시작하는 3×3입니다. 첫 창 "
            "[[3,3,2],[0,0,1],[3,1,2]]에서 3*0 + 3*1 + 2*2 + 0*2 + 0*2 + 1*0 + 3*0 + 1*1 + 2*2 = 12가 "
            "나옵니다.",
        ),
    )


@check(points=1, ko="conv2d_forward: 출력 모양, 입력이 0이면 편향, 패딩은 x 둘레의 0, stride S는 S번째 출력마다 하나.")
def conv2d_forward_stride_and_padding_properties(student, rng):
    """conv2d_forward: output shape, zero input gives the bias, padding = zeros around x, stride = every S-th output."""
    x, w, b = rng.normal(size=(2, 3, 6, 7)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)
    out = student.conv2d_forward(x, w, b, 2, 1)
    expect.shape(
        out,
        (2, 4, 3, 4),
        hint=text(
            "(N, C, H, W) with (F, C, KH, KW) gives (N, F, OH, OW), OH = (6 + 2 - 3) // 2 + 1 = 3, "
            "OW = (7 + 2 - 2) // 2 + 1 = 4.",
            "(N, C, H, W)와 (F, C, KH, KW)에서 (N, F, OH, OW)가 나옵니다. "
            "OH = (6 + 2 - 3) // 2 + 1 = 3, OW = (7 + 2 - 2) // 2 + 1 = 4.",
        ),
    )
    expect.close(
        student.conv2d_forward(np.zeros_like(x), w, b, 2, 1),
        np.broadcast_to(b[None, :, None, None], (2, 4, 3, 4)),
        name="conv2d_forward(zeros, w, b, stride=2, pad=1)",
        hint=text(
            "With x = 0 every output is its bias: out[n, f, i, j] = b[f].",
            "x = 0이면 모든 출력은 편향입니다: out[n, f, i, j] = b[f].",
        ),
    )
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    expect.close(
        out,
        student.conv2d_forward(padded, w, b, 2, 0),
        hint=text(
            "pad=1 must give the same result as pad=0 on x with one row/column of zeros added on "
            "all four sides (zero padding on every side, not only at the end).",
            "pad=1의 결과는 x의 상하좌우에 0을 한 줄씩 덧댄 입력에 pad=0을 쓴 결과와 같아야 합니다 "
            "(끝에만이 아니라 네 방향 모두 0으로 패딩).",
        ),
    )
    dense = student.conv2d_forward(padded, w, b, 1, 0)
    expect.shape(
        dense,
        (2, 4, 6, 8),
        name=text(
            "conv2d_forward(padded x (2,3,8,9), w (4,3,3,2), b, stride=1, pad=0)",
            "conv2d_forward(패딩한 x (2,3,8,9), w (4,3,3,2), b, stride=1, pad=0)",
        ),
    )
    expect.close(
        out,
        np.asarray(dense)[:, :, ::2, ::2],
        hint=text(
            "A stride S keeps every S-th output of the stride-1 result: output (i, j) reads the "
            "window starting at xpad[i*S, j*S].",
            "stride S는 stride 1 결과의 S번째 출력마다 하나씩 남깁니다: 출력 (i, j)는 xpad[i*S, j*S]에서 "
            "시작하는 창을 읽습니다.",
        ),
    )


@check(points=0.5, ko="x와 w의 채널 수가 다르면 conv2d_forward가 ValueError를 냅니다.")
def conv2d_forward_rejects_channel_mismatch(student):
    """conv2d_forward raises ValueError when x and w have different channel counts."""
    hint = text(
        "Compare the channel counts of x and w (C in (N, C, H, W) and in (F, C, KH, KW)) and raise ValueError "
        "when they differ (a kernel with one channel would otherwise be broadcast silently over three).",
        "x와 w의 채널 수 ((N, C, H, W)와 (F, C, KH, KW)의 C)를 비교해서 다르면 ValueError를 내세요 (그러지 "
        "않으면 채널이 하나인 커널이 채널 세 개에 조용히 브로드캐스트됩니다).",
    )
    for w_shape in ((2, 2, 3, 3), (2, 1, 3, 3)):
        expect.raises(
            ValueError, student.conv2d_forward, np.ones((1, 3, 5, 5)), np.ones(w_shape), np.zeros(2), hint=hint
        )


# ---------------------------------------------------------------------------
# backward (numeric gradients of conv2d_forward: yours, or the reference's in official grading): they run once the
# forward checks they rely on pass, or always against the reference's
# ---------------------------------------------------------------------------


def _conv_backward_problem(student, rng, stride, pad):
    x, w, b = rng.normal(size=(2, 1, 5, 4)), rng.normal(size=(3, 1, 3, 2)), rng.normal(size=3)
    dout = rng.normal(size=(2, 3) + tuple((np.array([5, 4]) + 2 * pad - np.array([3, 2])) // stride + 1))
    got = expect.parts(student.conv2d_backward(dout, x, w, b, stride, pad), 3, labels="dx, dw, db")
    return dict(x=x, w=w, b=b), dout, got


@check(
    points=1,
    depends=("conv2d_forward_seed_example", "conv2d_forward_stride_and_padding_properties"),
    ko="conv2d_backward의 db가 conv2d_forward를 b로 수치 미분한 그래디언트와 같습니다.",
)
def conv2d_backward_db_numeric(student, oracle, rng):
    """conv2d_backward's db equals the numeric gradient of conv2d_forward with respect to b."""
    at, dout, (_, _, db) = _conv_backward_problem(student, rng, 2, 1)
    hint = text(
        "b[f] is added at every output position of every image, so db[f] collects dout[n, f, i, j] from all "
        "of them: a sum over n, i and j, not a mean.",
        "b[f]는 모든 이미지의 모든 출력 위치에 더해지므로 db[f]는 그 모든 위치의 dout[n, f, i, j]를 모읍니다: "
        "n, i, j에 대한 평균이 아니라 합입니다.",
    )
    expect.vjp(
        oracle.conv2d_forward.partial(at["x"], at["w"], expect.param("b"), 2, 1),
        at={"b": at["b"]},
        dout=dout,
        got={"b": db},
        rng=rng,
        hint=hint,
    )


@check(
    points=2,
    depends=("conv2d_forward_seed_example", "conv2d_forward_stride_and_padding_properties"),
    ko="conv2d_backward의 dx가 conv2d_forward의 수치 그래디언트와 같습니다 (stride 2, 패딩 1).",
)
def conv2d_backward_dx_numeric(student, oracle, rng):
    """conv2d_backward's dx equals the numeric gradient of conv2d_forward (stride 2, padding 1)."""
    at, dout, (dx, _, _) = _conv_backward_problem(student, rng, 2, 1)
    hint = text(
        "Output (i, j) read the padded cells xpad[i·S + p, j·S + q]: each of them gets dout[n, f, i, j] · "
        "w[f, c, p, q] back, added up over every window that covers it. Those are gradients of the padded "
        "input: crop the padding on every side (P rows and columns) to get dx.",
        "출력 (i, j)는 패딩한 칸 xpad[i·S + p, j·S + q]를 읽었습니다: 그 칸마다 dout[n, f, i, j] · "
        "w[f, c, p, q]가 돌아가고, 그 칸을 덮는 모든 창에서 온 값을 더합니다. 이것은 패딩한 입력의 "
        "그래디언트이므로 네 방향의 패딩 (P행, P열)을 잘라 내야 dx가 됩니다.",
    )
    expect.vjp(
        oracle.conv2d_forward.partial(expect.param("x"), at["w"], at["b"], 2, 1),
        at={"x": at["x"]},
        dout=dout,
        got={"x": dx},
        rng=rng,
        hint=hint,
    )


@check(
    points=2,
    depends=("conv2d_forward_seed_example", "conv2d_forward_stride_and_padding_properties"),
    ko="conv2d_backward의 dw가 conv2d_forward의 수치 그래디언트와 같습니다 (stride 2, 패딩 1).",
)
def conv2d_backward_dw_numeric(student, oracle, rng):
    """conv2d_backward's dw equals the numeric gradient of conv2d_forward (stride 2, padding 1)."""
    at, dout, (_, dw, _) = _conv_backward_problem(student, rng, 2, 1)
    hint = text(
        "w[f, c, p, q] met xpad[n, c, i·S + p, j·S + q] at output (i, j): its gradient is the sum over n, i "
        "and j of dout[n, f, i, j] times that cell. The windows start every S (stride) cells of the padded "
        "input, not at every cell.",
        "w[f, c, p, q]는 출력 (i, j)에서 xpad[n, c, i·S + p, j·S + q]와 만났습니다: 그 그래디언트는 n, i, j에 "
        "대해 dout[n, f, i, j]와 그 칸을 곱해 더한 것입니다. 창은 패딩한 입력의 모든 칸이 아니라 S (stride) "
        "칸마다 시작합니다.",
    )
    expect.vjp(
        oracle.conv2d_forward.partial(at["x"], expect.param("w"), at["b"], 2, 1),
        at={"w": at["w"]},
        dout=dout,
        got={"w": dw},
        rng=rng,
        hint=hint,
    )


# ---------------------------------------------------------------------------
# max pooling
# ---------------------------------------------------------------------------


@check(
    points=0.5,
    ko="노트 예제의 max_pool2d_forward: 2x2 창, stride 2 -> [[5, 8], [5, 4]]; 3x3, stride 1 -> [[7, 8], [7, 7]].",
)
def max_pool_forward_seed_example(student):
    """max_pool2d_forward on the notes' example: 2x2 windows, stride 2 -> [[5, 8], [5, 4]]; 3x3, stride 1 -> [[7, 8],
    [7, 7]]."""
    hint = text(
        "Each output is the maximum of one size x size window; windows start every stride cells (with stride < "
        "size they overlap).",
        "각 출력은 size × size 창 하나의 최댓값이고, 창은 stride 칸마다 시작합니다 (stride < size이면 창이 겹칩니다).",
    )
    expect.close(
        student.max_pool2d_forward(POOL_INPUT[None, None]),
        POOL_OUTPUT[None, None],
        name="max_pool2d_forward(x, size=2, stride=2)",
        hint=hint,
    )
    expect.close(
        student.max_pool2d_forward(POOL_INPUT[None, None], 3, 1),
        POOL_OUTPUT_3X3_STRIDE_1[None, None],
        name="max_pool2d_forward(x, size=3, stride=1)",
        hint=hint,
    )


@check(
    points=1,
    depends=("max_pool_forward_seed_example",),
    ko="max_pool2d_backward (2x2, stride 2, 홀수 크기)가 max_pool2d_forward의 수치 그래디언트와 같습니다.",
)
def max_pool_backward_numeric(student, oracle, rng):
    """max_pool2d_backward (2x2, stride 2, odd sizes) equals the numeric gradient of max_pool2d_forward."""
    x = distinct(rng, (1, 2, 5, 6))
    dout = rng.normal(size=(1, 2, 2, 3))
    hint = text(
        "Each window sends its dout to the position of its maximum only; rows and columns no window reaches get 0.",
        "각 창은 dout을 자신의 최댓값 위치로만 보냅니다. 어떤 창에도 닿지 않는 행과 열은 0입니다.",
    )
    expect.vjp(
        oracle.max_pool2d_forward.partial(expect.param("x"), 2, 2),
        at={"x": x},
        dout=dout,
        got={"x": student.max_pool2d_backward(dout, x, 2, 2)},
        rng=rng,
        hint=hint,
    )


@check(
    points=1,
    depends=("max_pool_forward_seed_example",),
    ko="창이 겹칠 때 (size 3, stride 1) max_pool2d_backward가 max_pool2d_forward의 수치 그래디언트와 같습니다.",
)
def max_pool_backward_overlapping_windows(student, oracle, rng):
    """max_pool2d_backward with overlapping windows (size 3, stride 1) equals the numeric gradient of
    max_pool2d_forward."""
    x = distinct(rng, (1, 2, 5, 5))
    dout = rng.normal(size=(1, 2, 3, 3))
    hint = text(
        "With stride < size several windows can share the same maximum cell: its gradients must add "
        "up, so accumulate them instead of overwriting (an assignment through an index array keeps only one "
        "window's value; np.add.at adds them all).",
        "stride < size이면 여러 창이 같은 최댓값 칸을 가질 수 있습니다. 그 그래디언트는 더해져야 하므로 "
        "덮어쓰지 말고 누적하세요 (인덱스 배열을 통한 대입은 한 창의 값만 남기고, np.add.at은 모두 더합니다).",
    )
    expect.vjp(
        oracle.max_pool2d_forward.partial(expect.param("x"), 3, 1),
        at={"x": x},
        dout=dout,
        got={"x": student.max_pool2d_backward(dout, x, 3, 1)},
        rng=rng,
        hint=hint,
    )


@check(points=1, ko="최댓값이 동점일 때의 max_pool2d_backward: 행 우선 순서로 첫 번째 최댓값만 그래디언트를 받습니다.")
def max_pool_backward_ties_first_max(student):
    """max_pool2d_backward with tied maxima: only the first maximum in row-major order gets the gradient."""
    x = np.array([[[[2, 2, 5, 5], [2, 2, 5, 5], [1, 3, 4, 1], [3, 2, 2, 4]]]], dtype=float)
    dout = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    expected = np.array([[[[1, 0, 2, 0], [0, 0, 0, 0], [0, 3, 4, 0], [0, 0, 0, 0]]]], dtype=float)
    expect.close(
        student.max_pool2d_backward(dout, x),
        expected,
        name=text("max_pool2d_backward(dout, x with ties)", "max_pool2d_backward(dout, 동점이 있는 x)"),
        hint=text(
            "Too much gradient in a window with ties: only the first maximum in row-major order inside "
            "the window (the one np.argmax picks) gets the window's gradient, the other tied cells get 0.",
            "동점이 있는 창에 그래디언트가 너무 많습니다. 창 안에서 행 우선 순서로 첫 번째 최댓값 "
            "(np.argmax가 고르는 칸)만 창의 그래디언트를 받고, 동점인 다른 칸은 0입니다.",
        ),
    )
