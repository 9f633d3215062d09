"""Public checks of self_attention: run them yourself with `grader grade self_attention`.

They use only your code, the seed's worked example ("I am good": a first row of Q K^T of 110, 90, 80
with d_k = 64 becomes 13.75, 11.25, 10 and about 0.905, 0.074, 0.021), small hand-checkable values,
properties (softmax rows sum to 1, masked weights are 0) and numeric gradients of your own
self_attention.
"""


import numpy as np

from grader import check, expect


def _text(en, ko):
    return {"en": en, "ko": ko}


def _softmax_row(row):
    """The softmax of one row of literal numbers, for the expected values of the checks."""
    e = np.exp(np.asarray(row, dtype=float) - np.max(row))
    return e / e.sum()


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


@check(points=0.5, description={
    "en": "project_qkv returns (X @ W_q, X @ W_k, X @ W_v): with X's rows e_1, e_2, e_3 and their sum, rows of the weights.",
    "ko": "project_qkv는 (X @ W_q, X @ W_k, X @ W_v)를 반환합니다: X의 행이 e_1, e_2, e_3과 그 합이면 가중치의 행이 나옵니다."})
def project_qkv_values(student, rng):
    """project_qkv returns (X @ W_q, X @ W_k, X @ W_v): with X's rows e_1, e_2, e_3 and their sum, rows of the weights."""
    X = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    W_q, W_k, W_v = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 5))
    expected = tuple(np.vstack([W, W.sum(axis=0)]) for W in (W_q, W_k, W_v))
    got = expect.parts(student.project_qkv(X, W_q, W_k, W_v), 3, name="project_qkv(X, W_q, W_k, W_v)", labels="Q, K, V")
    for i, label in enumerate("QKV"):
        expect.close(got[i], expected[i], name=f"project_qkv(X, W_q, W_k, W_v)[{i}] ({label})",
                     hint=_text("Q = X @ W_q, K = X @ W_k, V = X @ W_v: one row per token.",
                                "Q = X @ W_q, K = X @ W_k, V = X @ W_v입니다. 토큰마다 행이 하나입니다."))


@check(points=1, description={
    "en": "attention_scores(Q, K) = Q @ K.T: row i holds q_i . k_j for every key j.",
    "ko": "attention_scores(Q, K) = Q @ K.T: i번째 행에는 모든 키 j에 대한 q_i . k_j가 있습니다."})
def attention_scores_row_is_query(student):
    """attention_scores(Q, K) = Q @ K.T: row i holds q_i . k_j for every key j."""
    hint = _text("Scores look transposed: row i must hold q_i . k_j for every key j, i.e. Q @ K.T (not K @ Q.T).",
                 "점수가 전치된 것 같습니다: i번째 행은 모든 키 j에 대한 q_i · k_j여야 합니다. 즉 K @ Q.T가 아니라 "
                 "Q @ K.T입니다.")
    Q = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    K = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    expect.close(student.attention_scores(Q, K), np.array([[1.0, 3, 5], [2, 4, 6], [3, 7, 11]]),
                 name="attention_scores(Q=[[1,0],[0,1],[1,1]], K=[[1,2],[3,4],[5,6]])", hint=hint)
    expect.close(student.attention_scores(Q[:2], K), np.array([[1.0, 3, 5], [2, 4, 6]]),
                 name="attention_scores(Q with 2 queries, K with 3 keys)", hint=hint)


@check(points=0.5, description={
    "en": "scale_scores on the seed example: 110, 90, 80 divided by sqrt(64) = 8 -> 13.75, 11.25, 10.",
    "ko": "시드 예제의 scale_scores: 110, 90, 80을 sqrt(64) = 8로 나누면 13.75, 11.25, 10."})
def scale_scores_seed_example(student):
    """scale_scores on the seed example: 110, 90, 80 divided by sqrt(64) = 8 -> 13.75, 11.25, 10."""
    expect.close(student.scale_scores(np.array([[110.0, 90.0, 80.0]]), 64), np.array([[13.75, 11.25, 10.0]]),
                 name="scale_scores([[110, 90, 80]], d_k=64)",
                 hint=_text("Divide by the square root of d_k: sqrt(64) = 8.", "d_k의 제곱근으로 나누세요: sqrt(64) = 8."))


@check(points=0.5, description={
    "en": "softmax on the seed example: [13.75, 11.25, 10] -> about [0.905, 0.074, 0.021].",
    "ko": "시드 예제의 softmax: [13.75, 11.25, 10] -> 약 [0.905, 0.074, 0.021]."})
def softmax_seed_example(student):
    """softmax on the seed example: [13.75, 11.25, 10] -> about [0.905, 0.074, 0.021]."""
    expect.close(student.softmax(np.array([[13.75, 11.25, 10.0]])), _softmax_row([13.75, 11.25, 10.0])[None],
                 name="softmax([[13.75, 11.25, 10]])",
                 hint=_text("softmax(x)_j = exp(x_j) / sum_k exp(x_k) over each row.",
                            "각 행에서 softmax(x)_j = exp(x_j) / Σ_k exp(x_k)입니다."))


@check(points=1, description={
    "en": "softmax: each row sums to 1 (axis=-1 by default), each column with axis=0; adding a constant changes nothing.",
    "ko": "softmax: 각 행의 합이 1 (기본값 axis=-1), axis=0이면 각 열의 합이 1이고, 상수를 더해도 그대로입니다."})
def softmax_rows_sum_to_one(student, rng):
    """softmax: each row sums to 1 (axis=-1 by default), each column with axis=0; adding a constant changes nothing."""
    x = rng.normal(size=(4, 5))
    hint = _text("Rows do not sum to 1: normalise along `axis` (default -1, each query's row): "
                 "np.sum(e, axis=axis, keepdims=True), and use the same axis for the maximum.",
                 "행의 합이 1이 아닙니다: `axis` 방향으로 정규화하세요 (기본 -1, 각 쿼리의 행). "
                 "np.sum(e, axis=axis, keepdims=True)를 쓰고 최댓값도 같은 axis로 구하세요.")
    rows = student.softmax(x)
    expect.shape(rows, (4, 5), name="softmax(x)")
    rows = np.asarray(rows, dtype=float)
    expect.close(rows.sum(axis=-1), np.ones(4), name="softmax(x).sum(axis=-1)", hint=hint)
    expect.true(bool(np.all(rows > 0)), _text("softmax(x) has entries <= 0", "softmax(x)에 0 이하인 값이 있습니다"),
                hint=_text("exp is positive: every softmax weight is > 0.", "exp는 양수이므로 모든 가중치는 0보다 큽니다."))
    expect.close(student.softmax(x + 100.0), rows, name="softmax(x + 100)",
                 hint=_text("softmax(x + c) = softmax(x) for a constant c.", "상수 c에 대해 softmax(x + c) = softmax(x)입니다."))
    columns = student.softmax(x, axis=0)
    expect.shape(columns, (4, 5), name="softmax(x, axis=0)")
    expect.close(np.asarray(columns, dtype=float).sum(axis=0), np.ones(5), name="softmax(x, axis=0).sum(axis=0)",
                 hint=hint)


@check(points=1, description={
    "en": "softmax with inputs up to 1e4: no overflow, no NaN (the row maximum is subtracted before exp).",
    "ko": "입력이 1e4까지인 softmax: 오버플로 없음, NaN 없음 (exp 전에 행의 최댓값을 뺍니다)."})
def softmax_large_inputs_stable(student):
    """softmax with inputs up to 1e4: no overflow, no NaN (the row maximum is subtracted before exp)."""
    x = np.array([[1e4, -1e4, 0.0], [1e4, 1e4, 1e4 - 1.0], [-1e4, -1e4, -1e4]])
    expected = np.vstack([_softmax_row(row) for row in x])
    expect.close(student.softmax(x), expected, name="softmax([[1e4, -1e4, 0], [1e4, 1e4, 1e4 - 1], [-1e4, -1e4, -1e4]])",
                 hint=_text("Overflow / NaN: np.exp(1e4) is inf and inf / inf is NaN. Subtract the row maximum before "
                            "np.exp (softmax(x) = softmax(x - max)); the largest exponent is then 0.",
                            "오버플로 / NaN: np.exp(1e4)는 inf이고 inf / inf는 NaN입니다. np.exp 전에 행의 최댓값을 "
                            "빼세요 (softmax(x) = softmax(x - max)). 그러면 가장 큰 지수가 0이 됩니다."))


@check(points=1.5, description={
    "en": "self_attention on the seed example: Q K^T row 110, 90, 80 with d_k = 64 gives A[0] = about 0.905, 0.074, 0.021.",
    "ko": "시드 예제의 self_attention: Q K^T의 행 110, 90, 80과 d_k = 64이면 A[0]은 약 0.905, 0.074, 0.021."})
def self_attention_seed_example(student):
    """self_attention on the seed example: Q K^T row 110, 90, 80 with d_k = 64 gives A[0] = about 0.905, 0.074, 0.021."""
    X, W_q, W_k, W_v = _seed_problem()
    Z, A = expect.parts(student.self_attention(X, W_q, W_k, W_v), 2, name="self_attention(X, W_q, W_k, W_v)", labels="Z, A")
    expect.shape(A, (3, 3), name="self_attention(...)[1] (A)")
    a0 = _softmax_row([13.75, 11.25, 10.0])
    expect.close(np.asarray(A)[0], a0, name="self_attention(...)[1][0] (A's row for 'I')",
                 hint=_text("Row 0 of Q @ K.T is [110, 90, 80]; divide by sqrt(d_k) = 8 (d_k = W_k.shape[1] = 64) before "
                            "the softmax: A[0] = softmax([13.75, 11.25, 10]) = about [0.905, 0.074, 0.021] (without the "
                            "scaling the weights are far too peaked).",
                            "Q @ K.T의 0번 행은 [110, 90, 80]입니다. 소프트맥스 전에 sqrt(d_k) = 8로 나누세요 "
                            "(d_k = W_k.shape[1] = 64): A[0] = softmax([13.75, 11.25, 10]) = 약 [0.905, 0.074, 0.021] "
                            "(나누지 않으면 가중치가 지나치게 한쪽으로 쏠립니다)."))
    expect.close(Z, np.asarray(A) @ W_v, name="self_attention(...)[0] (Z)",
                 hint=_text("Step 4: Z = A @ V with V = X @ W_v.", "4단계: Z = A @ V이고 V = X @ W_v입니다."))


@check(points=1, description={
    "en": "self_attention with a causal mask: masked weights are exactly 0 and every row still sums to 1.",
    "ko": "인과 마스크를 쓴 self_attention: 가려진 가중치는 정확히 0이고 모든 행의 합은 여전히 1입니다."})
def self_attention_mask_rows_sum_to_one(student, rng):
    """self_attention with a causal mask: masked weights are exactly 0 and every row still sums to 1."""
    X, W_q, W_k, W_v = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 5))
    mask = np.tril(np.ones((4, 4), dtype=bool))
    Z, A = expect.parts(student.self_attention(X, W_q, W_k, W_v, mask=mask), 2,
                        name="self_attention(..., mask=causal)", labels="Z, A")
    expect.shape(A, (4, 4), name="self_attention(..., mask=causal)[1] (A)")
    A = np.asarray(A, dtype=float)
    expect.close(A[~mask], np.zeros(int((~mask).sum())), name="self_attention(..., mask=causal)[1] at masked positions",
                 hint=_text("mask[i, j] = False means A[i, j] = 0 exactly.", "mask[i, j] = False이면 A[i, j]는 정확히 0입니다."))
    expect.close(A.sum(axis=-1), np.ones(4), name="self_attention(..., mask=causal)[1].sum(axis=-1)",
                 hint=_text("Masked rows do not sum to 1: exclude the masked positions before normalising (a softmax "
                            "over the allowed positions only), do not zero weights after the softmax.",
                            "가려진 행의 합이 1이 아닙니다: 정규화하기 전에 가려진 위치를 빼세요 (허용된 위치만으로 "
                            "소프트맥스). 소프트맥스 뒤에 가중치를 0으로 만들면 안 됩니다."))
    expect.close(Z, A @ (X @ W_v), name="self_attention(..., mask=causal)[0] (Z)")


@check(points=1, description={
    "en": "self_attention with a row that allows no position: its weights and its Z row are 0, never NaN.",
    "ko": "허용된 위치가 없는 행이 있는 self_attention: 그 행의 가중치와 Z의 행은 0이고, NaN이 아닙니다."})
def self_attention_fully_masked_row_is_zero(student, rng):
    """self_attention with a row that allows no position: its weights and its Z row are 0, never NaN."""
    X, W_q, W_k, W_v = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 5))
    mask = np.tril(np.ones((4, 4), dtype=bool))
    mask[0] = False
    hint = _text("NaN in A: a row with no allowed position must give all-zero weights (and a zero row of Z). Filling "
                 "masked scores with -inf fails there: the row maximum is -inf and -inf - (-inf) is NaN. Handle rows "
                 "without any allowed position separately.",
                 "A에 NaN이 있습니다: 허용된 위치가 하나도 없는 행은 가중치가 모두 0이어야 합니다 (Z의 그 행도 0). "
                 "가려진 점수를 -inf로 채우면 여기서 실패합니다: 행의 최댓값이 -inf이고 -inf - (-inf)는 NaN입니다. "
                 "허용된 위치가 없는 행은 따로 처리하세요.")
    call = "self_attention(..., mask with row 0 all False)"
    Z, A = expect.parts(student.self_attention(X, W_q, W_k, W_v, mask=mask), 2, name=call, labels="Z, A")
    expect.shape(A, (4, 4), name=f"{call}[1] (A)")
    expect.close(np.asarray(A)[0], np.zeros(4), name=f"{call}[1][0] (A's fully masked row)", hint=hint)
    expect.shape(Z, (4, 5), name=f"{call}[0] (Z)")
    expect.close(np.asarray(Z)[0], np.zeros(5), name=f"{call}[0][0] (Z's fully masked row)", hint=hint)


@check(points=0.5, description={
    "en": "self_attention raises ValueError for a mask that is not (n, n).",
    "ko": "마스크가 (n, n)이 아니면 self_attention이 ValueError를 냅니다."})
def self_attention_rejects_bad_mask_shape(student, rng):
    """self_attention raises ValueError for a mask that is not (n, n)."""
    X, W = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    hint = _text("Check mask.shape == (n, n) and raise ValueError otherwise (a (1, n) mask would be broadcast silently).",
                 "mask.shape == (n, n)인지 확인하고 아니면 ValueError를 내세요 ((1, n) 마스크는 조용히 브로드캐스트됩니다).")
    for shape in ((4, 3), (1, 4)):
        expect.raises(ValueError, student.self_attention, X, W, W, W, mask=np.ones(shape, dtype=bool), hint=hint)


# ---------------------------------------------------------------------------
# backward: each gradient against the numeric gradient of your own self_attention
# ---------------------------------------------------------------------------


def _backward_problem(student, rng):
    at = dict(X=rng.normal(size=(4, 3)), W_q=rng.normal(size=(3, 2)), W_k=rng.normal(size=(3, 2)),
              W_v=rng.normal(size=(3, 5)))
    dZ = rng.normal(size=(4, 5))
    call = "self_attention_backward(dZ, X, W_q, W_k, W_v)"
    got = expect.parts(student.self_attention_backward(dZ, **at), 4, name=call, labels="dX, dW_q, dW_k, dW_v")
    return at, dZ, dict(zip(("X", "W_q", "W_k", "W_v"), got)), call


def _check_one(student, rng, name, index, hint):
    at, dZ, got, call = _backward_problem(student, rng)

    arguments = {key: expect.param(key) if key == name else value for key, value in at.items()}
    Z = student.self_attention.partial(**arguments).then(
        lambda out: expect.parts(out, 2, name="self_attention(X, W_q, W_k, W_v)", labels="Z, A")[0])

    expect.vjp(Z, at={name: at[name]}, dout=dZ, got={name: got[name]}, rng=rng, name=f"{call}[{index}] (d{name})",
               hint=hint)


@check(points=1, description={
    "en": "self_attention_backward's dW_v equals the numeric gradient of your self_attention.",
    "ko": "self_attention_backward의 dW_v가 여러분의 self_attention의 수치 그래디언트와 같습니다."})
def self_attention_backward_dW_v(student, rng):
    """self_attention_backward's dW_v equals the numeric gradient of your self_attention."""
    _check_one(student, rng, "W_v", 3, _text("dV = A.T @ dZ and dW_v = X.T @ dV.", "dV = A.T @ dZ이고 dW_v = X.T @ dV입니다."))


@check(points=1.5, description={
    "en": "self_attention_backward's dW_q equals the numeric gradient of your self_attention (through the softmax).",
    "ko": "self_attention_backward의 dW_q가 여러분의 self_attention의 수치 그래디언트와 같습니다 (softmax를 거쳐서)."})
def self_attention_backward_dW_q(student, rng):
    """self_attention_backward's dW_q equals the numeric gradient of your self_attention (through the softmax)."""
    _check_one(student, rng, "W_q", 1, _text(
        "Go back through the softmax with its Jacobian diag(a) - a a^T: dA = dZ @ V.T, "
        "dS = A * (dA - rowsum(dA * A)); then dQ = dS @ K / sqrt(d_k) and dW_q = X.T @ dQ.",
        "소프트맥스의 야코비안 diag(a) - a a^T로 역전파하세요: dA = dZ @ V.T, dS = A * (dA - rowsum(dA * A)). "
        "그다음 dQ = dS @ K / sqrt(d_k), dW_q = X.T @ dQ입니다."))


@check(points=1.5, description={
    "en": "self_attention_backward's dW_k equals the numeric gradient of your self_attention.",
    "ko": "self_attention_backward의 dW_k가 여러분의 self_attention의 수치 그래디언트와 같습니다."})
def self_attention_backward_dW_k(student, rng):
    """self_attention_backward's dW_k equals the numeric gradient of your self_attention."""
    _check_one(student, rng, "W_k", 2, _text(
        "scores = Q K^T, so the keys get the transpose of dS: dK = dS.T @ Q / sqrt(d_k) (not dS @ Q), "
        "dW_k = X.T @ dK, with dS = A * (dA - rowsum(dA * A)) from the softmax Jacobian.",
        "scores = Q K^T이므로 키는 dS의 전치를 받습니다: dK = dS.T @ Q / sqrt(d_k) (dS @ Q가 아님), "
        "dW_k = X.T @ dK이고, dS = A * (dA - rowsum(dA * A))는 소프트맥스의 야코비안에서 나옵니다."))


@check(points=1, description={
    "en": "self_attention_backward's dX equals the numeric gradient of your self_attention (X feeds Q, K and V).",
    "ko": "self_attention_backward의 dX가 여러분의 self_attention의 수치 그래디언트와 같습니다 (X는 Q, K, V 모두에 들어갑니다)."})
def self_attention_backward_dX(student, rng):
    """self_attention_backward's dX equals the numeric gradient of your self_attention (X feeds Q, K and V)."""
    _check_one(student, rng, "X", 0, _text(
        "X feeds Q, K and V, so dX sums three terms: dX = dQ @ W_q.T + dK @ W_k.T + dV @ W_v.T.",
        "X는 Q, K, V 세 곳에 쓰이므로 dX는 세 항의 합입니다: dX = dQ @ W_q.T + dK @ W_k.T + dV @ W_v.T."))
