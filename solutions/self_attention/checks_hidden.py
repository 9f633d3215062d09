"""Hidden checks of self_attention: the reference on seeded random inputs and edge cases (a single token,
d_k != d_v, different query and key counts, scores of size 1e4 with and without a mask, causal and random
masks, fully masked rows, a masked position that dominates its row, lists, int and float32 arrays), and a
numeric gradient check of self_attention_backward against the reference's forward pass (so a wrong
forward pass never costs the backward pass's points here).
"""

import numpy as np

from grader import check, expect, text
from grader.engine.checks import mistakes

from .checks_common import GRADIENTS, NAMES


def _problem(rng, n, d_model, d_k, d_v, scale=1.0):
    return dict(
        X=rng.normal(size=(n, d_model)) * scale,
        W_q=rng.normal(size=(d_model, d_k)),
        W_k=rng.normal(size=(d_model, d_k)),
        W_v=rng.normal(size=(d_model, d_v)),
    )


MASK_HINT = text(
    "With a mask, take the softmax over the allowed positions only (masked weights exactly 0, each row summing to 1); "
    "a row with no allowed position gets all-zero weights and a zero row of Z, never NaN.",
    "마스크가 있으면 허용된 위치만으로 소프트맥스를 계산합니다 (가려진 가중치는 정확히 0, 각 행의 합은 1). "
    "허용된 위치가 없는 행은 가중치가 모두 0이고 Z의 그 행도 0이며, NaN이 나오면 안 됩니다.",
)


AXIS_HINT = text(
    "A[i, j] is query i's weight for key j: the softmax runs over the keys j of each row i (axis -1).",
    "A[i, j]는 쿼리 i가 키 j에 주는 가중치입니다: 소프트맥스는 각 행 i에서 키 j에 대해 (axis -1) 계산합니다.",
)


def _forward_mistakes(reference, p, mask=None):
    """What the usual forward mistakes give for the inputs ``p``, recognised in the student's A: the
    softmax over the wrong axis, no scale 1/√d_k, a mask applied after the softmax."""
    d_k = p["W_k"].shape[1]
    # Q K^T scales with W_q: the reference with W_q times √d_k computes the attention without the scale.
    unscaled = reference.self_attention(p["X"], p["W_q"] * np.sqrt(d_k), p["W_k"], p["W_v"], mask=mask)[1]
    known = [mistakes.SumsToOne(-1, "A", AXIS_HINT)]
    if mask is not None:
        known.append(mistakes.MaskedAfterSoftmax(mask, "A"))
    known.append(
        mistakes.Mistake(
            unscaled,
            message=text(
                "A is the softmax of Q Kᵀ without the scale 1/√d_k",
                "A가 배율 1/√d_k 없이 Q Kᵀ에 소프트맥스를 적용한 값입니다",
            ),
            hint=text(
                "Divide the scores by √d_k (d_k = W_k.shape[1]) before the softmax.",
                "소프트맥스 전에 점수를 √d_k (d_k = W_k.shape[1])로 나누세요.",
            ),
        )
    )
    return known


def _compare_attention(got, expected, call=None, hint=None, known=()):
    """``call``: what to call the call in messages, when it says more than its arguments (which mask)."""
    Z, A = expect.parts(got, 2, name=call, labels="Z, A")
    mistakes.close(A, expected[1], hint=hint, known=known)
    expect.close(Z, expected[0], hint=hint)


@check(
    points=1,
    ko="project_qkv, attention_scores, scale_scores가 참조 구현과 같습니다 (d_k != d_v, 쿼리와 키의 개수가 다름).",
)
def project_and_scores_match_reference(student, reference, rng):
    """project_qkv, attention_scores and scale_scores equal the reference (d_k != d_v, unequal query/key counts)."""
    p = _problem(rng, 5, 4, 3, 6)
    got = expect.parts(student.project_qkv(**p), 3, labels="Q, K, V")
    for got_part, expected in zip(got, reference.project_qkv(**p)):
        expect.close(got_part, expected)
    Q, K = rng.normal(size=(3, 4)), rng.normal(size=(5, 4))
    expect.close(student.attention_scores(Q, K), reference.attention_scores(Q, K))
    scores = rng.normal(size=(4, 4)) * 30
    for d_k in (1, 3, 64):
        expect.close(student.scale_scores(scores, d_k), reference.scale_scores(scores, d_k))


@check(points=1, ko="마지막 축, axis=0, 3차원 배열의 axis=1에서 softmax가 참조 구현과 같습니다.")
def softmax_matches_reference(student, reference, rng):
    """softmax equals the reference along the last axis, axis=0, and axis=1 of a 3-D array."""
    x = rng.normal(size=(4, 6)) * 3
    mistakes.close(student.softmax(x), reference.softmax(x), known=[mistakes.SumsToOne(-1, "softmax(x)")])
    expect.close(student.softmax(x, axis=0), reference.softmax(x, axis=0))
    y = rng.normal(size=(2, 3, 4))
    expect.close(student.softmax(y, axis=1), reference.softmax(y, axis=1))
    expect.close(student.softmax(y), reference.softmax(y))


@check(points=1, ko="크기 1e4의 입력, 모두 같은 값, 원소 하나에서 softmax가 참조 구현과 같습니다: NaN 없음.")
def softmax_extreme_values_match_reference(student, reference, rng):
    """softmax equals the reference for inputs of size 1e4, equal entries and a single entry: no NaN."""
    x = np.array([[1e4, 9999.0, -1e4, 0.0], [-1e4, -1e4 + 2.0, -1e4, -1e4], [5.0, 5.0, 5.0, 5.0]])
    expect.close(
        student.softmax(x),
        reference.softmax(x),
        name=text("softmax(rows with entries up to 1e4)", "softmax(값이 1e4까지인 행)"),
        hint=text("Subtract the maximum of each slice before np.exp.", "np.exp 전에 각 행의 최댓값을 빼세요."),
    )
    expect.close(
        student.softmax(x, axis=0),
        reference.softmax(x, axis=0),
        name=text("softmax(rows up to 1e4, axis=0)", "softmax(값이 1e4까지인 행, axis=0)"),
    )
    expect.close(student.softmax(np.array([[3.0]])), np.array([[1.0]]))


@check(
    points=0.5,
    ko="softmax는 학생들이 시험해 보는 입력을 받습니다: 정수 리스트, 정수 배열, float32 배열. 결과는 실수입니다.",
)
def softmax_lists_ints_and_float32(student, reference, rng):
    """softmax accepts what students test with: a list of ints, an int array, a float32 array; the results are
    floats."""
    for label, x in (
        ("[1, 2, 3]", [1, 2, 3]),
        ("[[1, 2, 3], [0, 0, 5]] (int array)", np.array([[1, 2, 3], [0, 0, 5]])),
        ("[[2, 2], [1, 3]] (int array), axis=0", np.array([[2, 2], [1, 3]])),
    ):
        axis = 0 if "axis=0" in label else -1
        expected = reference.softmax(x, axis=axis)
        mistakes.close(
            student.softmax(x, axis=axis), expected, name=f"softmax({label})", known=[mistakes.truncated(expected)]
        )
    x = (rng.normal(size=(3, 5)) * 20).astype(np.float32)
    expect.close(student.softmax(x), reference.softmax(x), rtol=1e-5, atol=1e-6)


@check(points=1.5, ko="self_attention이 참조 구현의 (Z, A)를 반환합니다: 무작위 입력, d_k != d_v, d_k = 64, 토큰 하나.")
def self_attention_matches_reference(student, reference, rng):
    """self_attention returns the reference's (Z, A): random inputs, d_k != d_v, d_k = 64, a single token."""
    for n, d_model, d_k, d_v, scale in ((5, 4, 3, 6, 1.0), (3, 8, 64, 2, 0.5), (1, 3, 2, 4, 1.0), (4, 3, 2, 2, 20.0)):
        p = _problem(rng, n, d_model, d_k, d_v, scale)
        _compare_attention(
            student.self_attention(**p), reference.self_attention(**p), known=_forward_mistakes(reference, p)
        )


@check(
    points=2,
    ko="마스크를 쓴 self_attention이 참조 구현과 같습니다: 인과 마스크, 완전히 가려진 행, 가려진 위치의 아주 큰 "
    "점수, 1e4까지의 점수.",
)
def self_attention_masks_match_reference(student, reference, rng):
    """self_attention with masks equals the reference: causal, a fully masked row, a dominant masked score, scores up to
    1e4."""
    p = _problem(rng, 5, 4, 3, 2)
    causal = np.tril(np.ones((5, 5), dtype=bool))
    random_mask = rng.random((5, 5)) < 0.6
    random_mask[2] = False
    random_mask[3] = [True, False, False, False, False]
    for label, mask in (("causal", causal), ("random, row 2 fully masked", random_mask)):
        call = f"self_attention(..., mask={label})"
        _compare_attention(
            student.self_attention(**p, mask=mask),
            reference.self_attention(**p, mask=mask),
            call,
            MASK_HINT,
            _forward_mistakes(reference, p, mask),
        )
    # Large scores where a masked key would dominate the row: the shift must use allowed positions only.
    big = _problem(rng, 4, 3, 2, 3, scale=15.0)
    upper = np.triu(np.ones((4, 4), dtype=bool))
    call = "self_attention(X with large scores, mask=upper triangle)"
    Z, A = expect.parts(student.self_attention(**big, mask=upper), 2, name=call, labels="Z, A")
    hint = text(
        "Take the softmax over the allowed positions only, shifting each row by the maximum of its allowed "
        "scores: a masked score may be far larger than every allowed one.",
        "허용된 위치만으로 소프트맥스를 계산하고, 각 행은 허용된 점수의 최댓값으로 이동하세요: 가려진 점수가 "
        "허용된 점수보다 훨씬 클 수 있습니다.",
    )
    expected = reference.self_attention(**big, mask=upper)
    expect.close(A, expected[1], hint=hint)
    expect.close(Z, expected[0], hint=hint)
    # Scores of size 1e4 with a causal mask: exp of a raw score overflows, only the shifted softmax is finite.
    extreme = _problem(rng, 4, 3, 2, 3, scale=100.0)
    causal = np.tril(np.ones((4, 4), dtype=bool))
    _compare_attention(
        student.self_attention(**extreme, mask=causal),
        reference.self_attention(**extreme, mask=causal),
        "self_attention(X with scores up to 1e4, mask=causal)",
        text(
            "Scores this large overflow np.exp: subtract each row's largest allowed score before "
            "exponentiating, and leave the masked positions out of both the maximum and the sum.",
            "이렇게 큰 점수는 np.exp에서 오버플로합니다: 지수를 계산하기 전에 각 행의 허용된 점수 중 최댓값을 "
            "빼고, 최댓값과 합 모두에서 가려진 위치를 빼세요.",
        ),
    )


@check(
    points=1.5,
    ko="self_attention_backward가 참조 구현의 (dX, dW_q, dW_k, dW_v)를 반환합니다: 무작위, d_k != d_v, 토큰 하나.",
)
def self_attention_backward_matches_reference(student, reference, rng):
    """self_attention_backward returns the reference's (dX, dW_q, dW_k, dW_v): random, d_k != d_v, a single token."""
    for n, d_model, d_k, d_v in ((5, 4, 3, 6), (1, 3, 2, 4), (3, 2, 4, 1)):
        p = _problem(rng, n, d_model, d_k, d_v)
        dZ = rng.normal(size=(n, d_v))
        got = expect.parts(student.self_attention_backward(dZ, **p), 4, labels=", ".join(GRADIENTS))
        for got_part, expected in zip(got, reference.self_attention_backward(dZ, **p)):
            expect.close(got_part, expected)


@check(
    points=3, ko="self_attention_backward가 참조 구현의 self_attention을 거친 sum(Z * dZ)의 수치 그래디언트와 같습니다."
)
def self_attention_backward_numeric_gradient(student, reference, rng):
    """self_attention_backward equals the numeric gradient of sum(Z * dZ) through the reference's self_attention."""
    for n, d_model, d_k, d_v in ((4, 3, 2, 5), (3, 4, 3, 2)):
        p = _problem(rng, n, d_model, d_k, d_v)
        dZ = rng.normal(size=(n, d_v))
        got = expect.parts(student.self_attention_backward(dZ, **p), 4, labels=", ".join(GRADIENTS))
        expect.vjp(
            lambda X, W_q, W_k, W_v: reference.self_attention(X, W_q, W_k, W_v)[0],
            at=p,
            dout=dZ,
            got=dict(zip(NAMES, got)),
            rng=rng,
        )
