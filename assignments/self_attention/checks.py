"""Public checks of self_attention: run them yourself with `grader grade self_attention`.

They use only your code, the seed's worked example ("I am good": a first row of Q K^T of 110, 90, 80
with d_k = 64 becomes 13.75, 11.25, 10 and about 0.905, 0.074, 0.021), small hand-checkable values,
properties (softmax rows sum to 1, masked weights are 0) and numeric gradients of your own
self_attention (when an instructor grades with the hidden checks, the reference's forward stands in for
yours: a correct backward keeps its points even while your forward is wrong).
"""

import numpy as np

from grader import check, expect, text
from grader.engine.checks import mistakes

from .checks_common import GRADIENTS, NAMES


def _softmax_row(row):
    """The softmax of one row of literal numbers, for the expected values of the checks."""
    e = np.exp(np.asarray(row, dtype=float) - np.max(row))
    return e / e.sum()


def _softmax_rows(matrix):
    return np.vstack([_softmax_row(row) for row in matrix])


# Q K^T of _seed_problem(): row 0 is the seed's 110, 90, 80 (for "I"); d_k = 64, so the scale is 1/8.
SEED_SCORES = np.array([[110.0, 90.0, 80.0], [1.0, 2.0, 3.0], [11.0, 9.0, 8.0]])

AXIS_HINT = text(
    "A[i, j] is query i's weight for key j: the softmax runs over the keys j of each row i (axis -1), "
    "for its maximum and for its sum.",
    "A[i, j]는 쿼리 i가 키 j에 주는 가중치입니다: 소프트맥스는 각 행 i에서 키 j에 대해 (axis -1) "
    "계산합니다. 최댓값과 합 모두 그 축으로 구하세요.",
)


def _seed_problem():
    """X = I and weights chosen so that row 0 of Q K^T is the seed's 110, 90, 80, with d_k = 64."""
    W_q = np.zeros((3, 64))
    W_q[0, 0], W_q[1, 1], W_q[2, 0], W_q[2, 2] = 10.0, 1.0, 1.0, 1.0
    W_k = np.zeros((3, 64))
    W_k[:, 0] = [11.0, 9.0, 8.0]
    W_k[:, 1] = [1.0, 2.0, 3.0]
    W_v = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    return np.eye(3), W_q, W_k, W_v


# ---------------------------------------------------------------------------
# the four steps
# ---------------------------------------------------------------------------


@check(
    points=0.5,
    ko="project_qkv는 (X W_q, X W_k, X W_v)를 반환합니다: X의 행이 e_1, e_2, e_3과 그 합이면 가중치의 행이 나옵니다.",
)
def project_qkv_values(student, rng):
    """project_qkv returns (X W_q, X W_k, X W_v): with X's rows e_1, e_2, e_3 and their sum, rows of the weights."""
    X = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    W_q, W_k, W_v = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 5))
    expected = tuple(np.vstack([W, W.sum(axis=0)]) for W in (W_q, W_k, W_v))
    got = expect.parts(student.project_qkv(X, W_q, W_k, W_v), 3, labels="Q, K, V")
    for got_part, expected_part in zip(got, expected):
        expect.close(
            got_part,
            expected_part,
            hint=text(
                "Each of Q, K and V is X times its own weight matrix (X on the left): one row per token.",
                "Q, K, V는 각각 X에 자기 가중치 행렬을 곱한 것입니다 (X가 왼쪽). 토큰마다 행이 하나입니다.",
            ),
        )


@check(points=1, ko="attention_scores(Q, K) = Q K^T: i번째 행에는 모든 키 j에 대한 q_i . k_j가 있습니다.")
def attention_scores_row_is_query(student):
    """attention_scores(Q, K) = Q K^T: row i holds q_i . k_j for every key j."""
    hint = text(
        "Scores look transposed: row i must hold q_i . k_j for every key j, so the queries stay on the left "
        "and the keys are transposed (Q Kᵀ, not K Qᵀ).",
        "점수가 전치된 것 같습니다: i번째 행은 모든 키 j에 대한 q_i · k_j여야 합니다. 쿼리가 왼쪽에 있고 "
        "키를 전치합니다 (K Qᵀ가 아니라 Q Kᵀ).",
    )
    Q = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    K = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    expect.close(student.attention_scores(Q, K), np.array([[1.0, 3, 5], [2, 4, 6], [3, 7, 11]]), hint=hint)
    expect.close(student.attention_scores(Q[:2], K), np.array([[1.0, 3, 5], [2, 4, 6]]), hint=hint)


@check(points=0.5, ko="시드 예제의 scale_scores: 110, 90, 80을 sqrt(64) = 8로 나누면 13.75, 11.25, 10.")
def scale_scores_seed_example(student):
    """scale_scores on the seed example: 110, 90, 80 divided by sqrt(64) = 8 -> 13.75, 11.25, 10."""
    scores = np.array([[110.0, 90.0, 80.0]])
    by_d_k = mistakes.Mistake(
        scores / 64,
        message=text("divided by d_k = 64 instead of its square root", "d_k = 64의 제곱근이 아니라 d_k로 나눴습니다"),
        hint=text("The scale is 1/√d_k: for d_k = 64 divide by 8.", "배율은 1/√d_k입니다: d_k = 64이면 8로 나눕니다."),
    )
    mistakes.close(
        student.scale_scores(scores, 64),
        np.array([[13.75, 11.25, 10.0]]),
        known=[by_d_k],
        hint=text("Divide by the square root of d_k: sqrt(64) = 8.", "d_k의 제곱근으로 나누세요: sqrt(64) = 8."),
    )


@check(points=0.5, ko="시드 예제의 softmax: [13.75, 11.25, 10] -> 약 [0.905, 0.074, 0.021].")
def softmax_seed_example(student):
    """softmax on the seed example: [13.75, 11.25, 10] -> about [0.905, 0.074, 0.021]."""
    mistakes.close(
        student.softmax(np.array([[13.75, 11.25, 10.0]])),
        _softmax_row([13.75, 11.25, 10.0])[None],
        known=[mistakes.SumsToOne(-1, "softmax(x)")],
        hint=text(
            "softmax(x)_j = exp(x_j) / sum_k exp(x_k) over each row.",
            "각 행에서 softmax(x)_j = exp(x_j) / Σ_k exp(x_k)입니다.",
        ),
    )


@check(
    points=1, ko="softmax: 각 행의 합이 1 (기본값 axis=-1), axis=0이면 각 열의 합이 1이고, 상수를 더해도 그대로입니다."
)
def softmax_rows_sum_to_one(student, rng):
    """softmax: each row sums to 1 (axis=-1 by default), each column with axis=0; adding a constant changes nothing."""
    x = rng.normal(size=(4, 5))
    hint = text(
        "Normalise along `axis` (default -1: each row): take the maximum and the sum along that axis, "
        "keeping it (keepdims) so that they line up with x again.",
        "`axis` 방향으로 정규화하세요 (기본 -1: 각 행). 최댓값과 합을 그 축으로 구하고, 그 축을 남겨 두어 "
        "(keepdims) x와 다시 맞춰지게 하세요.",
    )
    rows = student.softmax(x)
    expect.shape(rows, (4, 5))
    rows = np.asarray(rows, dtype=float)
    mistakes.close(
        rows.sum(axis=-1),
        np.ones(4),
        name="softmax(x).sum(axis=-1)",
        hint=hint,
        evidence=rows,
        known=[mistakes.SumsToOne(-1, "softmax(x)", hint)],
    )
    expect.true(
        bool(np.all(rows > 0)),
        text("softmax(x) has entries <= 0", "softmax(x)에 0 이하인 값이 있습니다"),
        hint=text("exp is positive: every softmax weight is > 0.", "exp는 양수이므로 모든 가중치는 0보다 큽니다."),
    )
    expect.close(
        student.softmax(x + 100.0),
        rows,
        name="softmax(x + 100)",
        hint=text("softmax(x + c) = softmax(x) for a constant c.", "상수 c에 대해 softmax(x + c) = softmax(x)입니다."),
    )
    columns = student.softmax(x, axis=0)
    expect.shape(columns, (4, 5))
    columns = np.asarray(columns, dtype=float)
    mistakes.close(
        columns.sum(axis=0),
        np.ones(5),
        name="softmax(x, axis=0).sum(axis=0)",
        hint=hint,
        evidence=columns,
        known=[mistakes.SumsToOne(0, "softmax(x, axis=0)", hint)],
    )


@check(points=1, ko="입력이 1e4까지인 softmax: 오버플로 없음, NaN 없음 (exp 전에 행의 최댓값을 뺍니다).")
def softmax_large_inputs_stable(student):
    """softmax with inputs up to 1e4: no overflow, no NaN (the row maximum is subtracted before exp)."""
    x = np.array([[1e4, -1e4, 0.0], [1e4, 1e4, 1e4 - 1.0], [-1e4, -1e4, -1e4]])
    expected = np.vstack([_softmax_row(row) for row in x])
    expect.close(
        student.softmax(x),
        expected,
        name="softmax([[1e4, -1e4, 0], [1e4, 1e4, 1e4 - 1], [-1e4, -1e4, -1e4]])",
        hint=text(
            "Overflow / NaN: np.exp(1e4) is inf and inf / inf is NaN. Subtract the row maximum before "
            "np.exp (softmax(x) = softmax(x - max)); the largest exponent is then 0.",
            "오버플로 / NaN: np.exp(1e4)는 inf이고 inf / inf는 NaN입니다. np.exp 전에 행의 최댓값을 "
            "빼세요 (softmax(x) = softmax(x - max)). 그러면 가장 큰 지수가 0이 됩니다.",
        ),
    )


@check(
    points=1.5, ko="시드 예제의 self_attention: Q K^T의 행 110, 90, 80과 d_k = 64이면 A[0]은 약 0.905, 0.074, 0.021."
)
def self_attention_seed_example(student):
    """self_attention on the seed example: Q K^T row 110, 90, 80 with d_k = 64 gives A[0] = about 0.905, 0.074,
    0.021."""
    X, W_q, W_k, W_v = _seed_problem()
    Z, A = expect.parts(student.self_attention(X, W_q, W_k, W_v), 2, labels="Z, A")
    known = [
        mistakes.SumsToOne(-1, "A", AXIS_HINT),
        mistakes.Mistake(
            _softmax_rows(SEED_SCORES),
            message=text(
                "A is the softmax of Q Kᵀ without the scale 1/√d_k (its weights are far too peaked)",
                "A가 배율 1/√d_k 없이 Q Kᵀ에 소프트맥스를 적용한 값입니다 (가중치가 지나치게 한쪽으로 쏠림)",
            ),
            hint=text(
                "Step 2 comes before the softmax: divide the scores by √d_k, with d_k the keys' width "
                "(W_k.shape[1] = 64 here, so by 8).",
                "소프트맥스 전에 2단계가 옵니다: 점수를 √d_k로 나누세요. d_k는 키의 폭입니다 "
                "(여기서는 W_k.shape[1] = 64이므로 8로 나눕니다).",
            ),
        ),
        mistakes.Mistake(
            _softmax_rows(SEED_SCORES / 64),
            message=text(
                "A is the softmax of Q Kᵀ / d_k: the scores were divided by d_k = 64 instead of √d_k = 8",
                "A가 Q Kᵀ / d_k의 소프트맥스입니다: 점수를 √d_k = 8이 아니라 d_k = 64로 나눴습니다",
            ),
            hint=text(
                "The scale is 1/√d_k, the square root of the keys' width.", "배율은 키 폭의 제곱근의 역수 1/√d_k입니다."
            ),
        ),
    ]
    mistakes.close(
        A,
        _softmax_rows(SEED_SCORES / 8),
        known=known,
        hint=text(
            "Row 0 of Q Kᵀ is [110, 90, 80] (Q, K = X W_q, X W_k); with d_k = W_k.shape[1] = 64 it "
            "becomes [13.75, 11.25, 10], and its softmax A[0] is about [0.905, 0.074, 0.021]. Check "
            "each step on this row.",
            "Q Kᵀ의 0번 행은 [110, 90, 80]입니다 (Q, K = X W_q, X W_k). d_k = W_k.shape[1] = 64이므로 "
            "[13.75, 11.25, 10]이 되고, 그 소프트맥스 A[0]은 약 [0.905, 0.074, 0.021]입니다. 이 행으로 "
            "각 단계를 확인하세요.",
        ),
    )
    expect.close(
        Z,
        np.asarray(A) @ W_v,
        hint=text(
            "Step 4: Z mixes the values with the weights, Z = A V (V = X W_v).",
            "4단계: Z는 가중치로 밸류를 섞은 것입니다. Z = A V (V = X W_v).",
        ),
    )


@check(points=1, ko="인과 마스크를 쓴 self_attention: 가려진 가중치는 정확히 0이고 모든 행의 합은 여전히 1입니다.")
def self_attention_mask_rows_sum_to_one(student, rng):
    """self_attention with a causal mask: masked weights are exactly 0 and every row still sums to 1."""
    X, W_q, W_k, W_v = (
        rng.normal(size=(4, 3)),
        rng.normal(size=(3, 2)),
        rng.normal(size=(3, 2)),
        rng.normal(size=(3, 5)),
    )
    mask = np.tril(np.ones((4, 4), dtype=bool))
    Z, A = expect.parts(
        student.self_attention(X, W_q, W_k, W_v, mask=mask), 2, name="self_attention(..., mask=causal)", labels="Z, A"
    )
    expect.shape(A, (4, 4))
    A = np.asarray(A, dtype=float)
    expect.close(
        A[~mask],
        np.zeros(int((~mask).sum())),
        name=text(
            "self_attention(..., mask=causal)[1] at masked positions",
            "가려진 위치의 self_attention(..., mask=causal)[1]",
        ),
        hint=text("mask[i, j] = False means A[i, j] = 0 exactly.", "mask[i, j] = False이면 A[i, j]는 정확히 0입니다."),
    )
    mistakes.close(
        A.sum(axis=-1),
        np.ones(4),
        name="self_attention(..., mask=causal)[1].sum(axis=-1)",
        evidence=A,
        known=[mistakes.MaskedAfterSoftmax(mask, "A"), mistakes.SumsToOne(-1, "A", AXIS_HINT)],
        hint=text(
            "Every row of A is a softmax over the positions its query may see, so it sums to 1.",
            "A의 각 행은 그 쿼리가 볼 수 있는 위치들에 대한 소프트맥스이므로 합이 1입니다.",
        ),
    )
    expect.close(Z, A @ (X @ W_v))


@check(
    points=1,
    ko="허용된 위치가 없는 행이 있는 self_attention: 그 행의 가중치와 Z의 행은 0이고 NaN이 아니며, 다른 행은 "
    "평소와 같습니다.",
)
def self_attention_fully_masked_row_is_zero(student, rng):
    """self_attention with a row that allows no position: its weights and its Z row are 0, never NaN; the other rows are
    normal."""
    X, W_q, W_k, W_v = (
        rng.normal(size=(4, 3)),
        rng.normal(size=(3, 2)),
        rng.normal(size=(3, 2)),
        rng.normal(size=(3, 5)),
    )
    mask = np.tril(np.ones((4, 4), dtype=bool))
    mask[0] = False
    hint = text(
        "NaN in A: a row with no allowed position must give all-zero weights (and a zero row of Z). Filling "
        "masked scores with -inf fails there: the row maximum is -inf and -inf - (-inf) is NaN. Handle rows "
        "without any allowed position separately.",
        "A에 NaN이 있습니다: 허용된 위치가 하나도 없는 행은 가중치가 모두 0이어야 합니다 (Z의 그 행도 0). "
        "가려진 점수를 -inf로 채우면 여기서 실패합니다: 행의 최댓값이 -inf이고 -inf - (-inf)는 NaN입니다. "
        "허용된 위치가 없는 행은 따로 처리하세요.",
    )
    call = "self_attention(..., mask with row 0 all False)"
    Z, A = expect.parts(student.self_attention(X, W_q, W_k, W_v, mask=mask), 2, name=call, labels="Z, A")
    expect.shape(A, (4, 4))
    expect.close(
        np.asarray(A)[0],
        np.zeros(4),
        name=text(f"{call}[1][0] (A's fully masked row)", f"{call}[1][0] (A의 완전히 가려진 행)"),
        hint=hint,
    )
    expect.shape(Z, (4, 5))
    expect.close(
        np.asarray(Z)[0],
        np.zeros(5),
        name=text(f"{call}[0][0] (Z's fully masked row)", f"{call}[0][0] (Z의 완전히 가려진 행)"),
        hint=hint,
    )
    A = np.asarray(A, dtype=float)
    expect.close(
        A[1:].sum(axis=-1),
        np.ones(3),
        name=text(
            f"{call}[1][1:].sum(axis=-1) (the rows that allow a position)",
            f"{call}[1][1:].sum(axis=-1) (허용된 위치가 있는 행)",
        ),
        hint=text(
            "Only the row without any allowed position is all zeros: every other row is a softmax over "
            "its allowed positions and sums to 1.",
            "허용된 위치가 없는 행만 모두 0입니다: 다른 행은 허용된 위치에 대한 소프트맥스이므로 합이 1입니다.",
        ),
    )
    expect.close(Z, A @ (X @ W_v))


@check(points=0.5, ko="마스크가 (n, n)이 아니면 self_attention이 ValueError를 냅니다.")
def self_attention_rejects_bad_mask_shape(student, rng):
    """self_attention raises ValueError for a mask that is not (n, n)."""
    X, W = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    hint = text(
        "Check mask.shape == (n, n) and raise ValueError otherwise (a (1, n) mask would be broadcast silently).",
        "mask.shape == (n, n)인지 확인하고 아니면 ValueError를 내세요 ((1, n) 마스크는 조용히 브로드캐스트됩니다).",
    )
    for shape in ((4, 3), (1, 4)):
        expect.raises(ValueError, student.self_attention, X, W, W, W, mask=np.ones(shape, dtype=bool), hint=hint)


# ---------------------------------------------------------------------------
# backward: each gradient against the numeric gradient of self_attention: yours once it passes the seed example, or
# the reference's in official grading
# ---------------------------------------------------------------------------


def _backward_problem(student, rng):
    at = dict(
        X=rng.normal(size=(4, 3)), W_q=rng.normal(size=(3, 2)), W_k=rng.normal(size=(3, 2)), W_v=rng.normal(size=(3, 5))
    )
    dZ = rng.normal(size=(4, 5))
    got = expect.parts(student.self_attention_backward(dZ, **at), 4, labels=", ".join(GRADIENTS))
    return at, dZ, dict(zip(NAMES, got))


def _check_one(student, oracle, rng, name, hint):
    at, dZ, got = _backward_problem(student, rng)

    arguments = {key: expect.param(key) if key == name else value for key, value in at.items()}
    Z = oracle.self_attention.partial(**arguments).then(
        lambda out: expect.parts(out, 2, name="self_attention(X, W_q, W_k, W_v)", labels="Z, A")[0]
    )

    expect.vjp(Z, at={name: at[name]}, dout=dZ, got={name: got[name]}, rng=rng, hint=hint)


@check(
    points=1,
    depends=("self_attention_seed_example",),
    ko="self_attention_backward의 dW_v가 self_attention의 수치 그래디언트와 같습니다.",
)
def self_attention_backward_dW_v(student, oracle, rng):
    """self_attention_backward's dW_v equals the numeric gradient of self_attention."""
    _check_one(
        student,
        oracle,
        rng,
        "W_v",
        text(
            "V is multiplied by A from the left (Z = A V), so its gradient is Aᵀ times dZ: mind the transpose of A. "
            "W_v's gradient is then Xᵀ times V's.",
            "V에는 A가 왼쪽에서 곱해지므로 (Z = A V) V의 그래디언트는 Aᵀ 곱하기 dZ입니다: A의 전치에 주의하세요. "
            "그다음 W_v의 그래디언트는 Xᵀ 곱하기 V의 그래디언트입니다.",
        ),
    )


@check(
    points=1.5,
    depends=("self_attention_seed_example",),
    ko="self_attention_backward의 dW_q가 self_attention의 수치 그래디언트와 같습니다 (softmax를 거쳐서).",
)
def self_attention_backward_dW_q(student, oracle, rng):
    """self_attention_backward's dW_q equals the numeric gradient of self_attention (through the softmax)."""
    _check_one(
        student,
        oracle,
        rng,
        "W_q",
        text(
            "The way back to W_q goes through the softmax: each row of A has the Jacobian diag(a) − a aᵀ, so the "
            "gradient of a row's scores keeps the term −(the row's sum of dA ⊙ A), which is easy to drop. The scale "
            "1/√d_k applies on the way back too.",
            "W_q로 가는 길은 소프트맥스를 지납니다: A의 각 행의 야코비안은 diag(a) − a aᵀ이므로, 한 행의 점수에 대한 "
            "그래디언트에는 빠뜨리기 쉬운 항 −(그 행의 dA ⊙ A의 합)이 남습니다. 배율 1/√d_k도 역전파에 적용됩니다.",
        ),
    )


@check(
    points=1.5,
    depends=("self_attention_seed_example",),
    ko="self_attention_backward의 dW_k가 self_attention의 수치 그래디언트와 같습니다.",
)
def self_attention_backward_dW_k(student, oracle, rng):
    """self_attention_backward's dW_k equals the numeric gradient of self_attention."""
    _check_one(
        student,
        oracle,
        rng,
        "W_k",
        text(
            "scores = Q Kᵀ holds K transposed, so the keys receive the transpose of the scores' gradient: key j "
            "collects column j of it (the queries' rows), not row j.",
            "scores = Q Kᵀ에는 K가 전치되어 들어 있으므로 키는 점수 그래디언트의 전치를 받습니다: 키 j는 그 "
            "그래디언트의 j번째 행이 아니라 j번째 열을 모읍니다.",
        ),
    )


@check(
    points=1,
    depends=("self_attention_seed_example",),
    ko="self_attention_backward의 dX가 self_attention의 수치 그래디언트와 같습니다 (X는 Q, K, V 모두에 들어갑니다).",
)
def self_attention_backward_dX(student, oracle, rng):
    """self_attention_backward's dX equals the numeric gradient of self_attention (X feeds Q, K and V)."""
    _check_one(
        student,
        oracle,
        rng,
        "X",
        text(
            "X feeds Q, K and V, so dX is the sum of three terms, one through each projection, each with the "
            "transpose of its weight matrix.",
            "X는 Q, K, V 세 곳에 쓰이므로 dX는 세 항의 합입니다. 항마다 한 투영을 거치고, 각각 그 가중치 행렬의 "
            "전치가 곱해집니다.",
        ),
    )
