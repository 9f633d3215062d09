"""Hidden checks of logistic_regression: the reference on seeded random inputs and edge cases (one sample,
one feature, |z| = 1e4 and the overflow border near -710, float32 z, probabilities of exactly 0 or 1,
epochs = 0, a = 0.5 at the threshold, lists and int arrays), the book neuron against the reference
neuron (trained twice, on int features), and a numeric gradient check of gradients against the
reference's loss and forward pass (so a wrong forward pass never costs the gradient's points here).
"""

import numpy as np

from grader import check, expect, text


def _problem(rng, n, d):
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d) * 0.7
    y = (X @ rng.normal(size=d) + 0.3 * rng.normal(size=n) > 0).astype(int)
    return X, y, w, float(rng.normal() * 0.5)


@check(points=1, ko="여러 모양의 무작위 배열과 스칼라에서 sigmoid가 참조 구현과 같습니다.")
def sigmoid_matches_reference(student, reference, rng):
    """sigmoid equals the reference on random arrays of several shapes and on scalars."""
    for shape in ((7,), (3, 4), (2, 1, 3)):
        z = rng.normal(scale=4.0, size=shape)
        expect.close(student.sigmoid(z), reference.sigmoid(z))
    for z in (-2.5, 0.7):
        expect.close(student.sigmoid(z), reference.sigmoid(z))


@check(
    points=1,
    numpy_errors="raise",
    ko="±1e4, ±800, 오버플로 경계 -710 근처, ±40, float32에서의 sigmoid: numpy 오류 없이 참조 구현의 값.",
)
def sigmoid_extremes_match_reference(student, reference):
    """sigmoid at +-1e4, +-800, around the overflow border -710, at +-40, and in float32: no numpy error, the
    reference's values."""
    hint = text(
        "Take exp of -|z| only (it never overflows) and use z >= 0 / z < 0 branches.",
        "-|z|의 exp만 계산하고 (오버플로하지 않습니다) z >= 0과 z < 0으로 나누세요.",
    )
    z = np.array([-1e4, -800.0, -712.0, -708.0, -40.0, 40.0, 708.0, 712.0, 800.0, 1e4])
    expect.close(
        student.sigmoid(z),
        reference.sigmoid(z),
        hint=hint,
        name="sigmoid([-1e4, -800, -712, -708, -40, 40, 708, 712, 800, 1e4])",
    )
    expect.close(student.sigmoid(-1e4), 0.0, hint=hint)
    # float32 overflows in exp from about 89 on: a clip that is safe in float64 (at 500, say) is not here.
    z32 = np.array([-1e4, -500.0, -100.0, -90.0, 0.0, 90.0, 100.0, 1e4], dtype=np.float32)
    expect.close(
        student.sigmoid(z32),
        reference.sigmoid(z32),
        rtol=1e-5,
        atol=1e-30,
        name="sigmoid(float32 [-1e4, -500, -100, -90, 0, 90, 100, 1e4])",
        hint=hint,
    )


@check(points=1, ko="무작위 입력, 샘플 하나, 특성 하나에서 forward가 참조 구현과 같습니다.")
def forward_matches_reference(student, reference, rng):
    """forward equals the reference on random inputs, one sample and one feature."""
    for n, d in ((9, 4), (1, 3), (5, 1)):
        X, _, w, b = _problem(rng, n, d)
        expect.close(student.forward(X, w, b), reference.forward(X, w, b))


@check(
    points=1,
    numpy_errors="raise",
    ko="무작위 확률, 샘플 하나, 정확히 0/1인 확률 (자르기)에서 loss가 참조 구현과 같습니다.",
)
def loss_matches_reference(student, reference, rng):
    """loss equals the reference on random probabilities, one sample, and exact 0/1 probabilities (clipped)."""
    a, y = rng.uniform(0.01, 0.99, size=12), rng.integers(0, 2, size=12)
    expect.close(student.loss(a, y), reference.loss(a, y))
    expect.close(student.loss(a[:1], y[:1]), reference.loss(a[:1], y[:1]))
    hint = text(
        "Clip a to [EPS, 1 - EPS] with EPS = 1e-15 before the logs.",
        "로그 전에 EPS = 1e-15로 a를 [EPS, 1 - EPS]로 자르세요.",
    )
    for a, y in (
        (np.array([0.0, 1.0, 0.0, 1.0]), np.array([0, 1, 0, 1])),
        (np.array([1.0, 0.0, 0.5]), np.array([0, 1, 1])),
    ):
        # rtol=1e-2: at the clip bound, 1 - (1 - EPS) is 1.11e-15 in float64, so clipping a or 1 - a gives
        # slightly different (equally finite) values; an unclipped loss is inf or NaN, another EPS far off.
        expect.close(student.loss(a, y), reference.loss(a, y), rtol=1e-2, hint=hint)


@check(points=1, ko="무작위 입력, 샘플 하나, 특성 하나에서 gradients가 참조 구현의 (dw, db)를 반환합니다.")
def gradients_match_reference(student, reference, rng):
    """gradients returns the reference's (dw, db) on random inputs, one sample and one feature."""
    for n, d in ((10, 3), (1, 4), (6, 1)):
        X, y, w, b = _problem(rng, n, d)
        dw, db = expect.parts(student.gradients(X, y, w, b), 2, labels="dw, db")
        ref_dw, ref_db = reference.gradients(X, y, w, b)
        expect.close(dw, ref_dw)
        expect.close(db, ref_db)


@check(points=2.5, ko="gradients가 참조 구현의 평균 손실의 수치 그래디언트와 같습니다 (무작위, 샘플 하나, 특성 하나).")
def gradients_numeric_gradient(student, reference, rng):
    """gradients equals the numeric gradient of the reference's mean loss (random, one sample, one feature)."""
    for n, d in ((12, 3), (1, 2), (5, 1)):
        X, y, w, b = _problem(rng, n, d)
        dw, db = expect.parts(student.gradients(X, y, w, b), 2, labels="dw, db")
        expect.gradient(
            lambda w, b: reference.loss(reference.forward(X, w, b), y),
            at={"w": w, "b": b},
            got={"w": dw, "b": db},
            rng=rng,
            batch_size=n,
        )


@check(points=1, ko="여러 학습률과 epochs = 0에서 gradient_descent가 참조 구현의 (w, b, losses)를 반환합니다.")
def gradient_descent_matches_reference(student, reference, rng):
    """gradient_descent returns the reference's (w, b, losses) for several learning rates and epochs = 0."""
    for n, d, lr, epochs in ((20, 3, 0.1, 30), (8, 2, 1.5, 7), (1, 2, 0.5, 4), (6, 3, 0.1, 0)):
        X, y, _, _ = _problem(rng, n, d)
        got = expect.parts(student.gradient_descent(X, y, lr=lr, epochs=epochs), 3, labels="w, b, losses")
        for got_part, expected in zip(got, reference.gradient_descent(X, y, lr=lr, epochs=epochs)):
            expect.close(got_part, expected)


@check(points=1, ko="predict가 참조 구현과 같습니다: 무작위 입력, 다른 임계값, 정확히 a = 0.5 (0이 됨).")
def predict_matches_reference(student, reference, rng):
    """predict equals the reference: random inputs, other thresholds, and a = 0.5 exactly (gives 0)."""
    X, _, w, b = _problem(rng, 15, 3)
    for threshold in (0.5, 0.3, 0.8):
        expect.equal(student.predict(X, w, b, threshold), reference.predict(X, w, b, threshold))
    X0 = np.array([[1.0, -1.0], [2.0, -2.0]])  # z = 0 exactly: a = 0.5 is not > 0.5
    expect.equal(
        student.predict(X0, np.ones(2), 0.0),
        reference.predict(X0, np.ones(2), 0.0),
        name=text("predict(X, w, b) with z = 0 (a = 0.5)", "z = 0 (a = 0.5)일 때의 predict(X, w, b)"),
    )


@check(points=1.5, ko="fit 후의 LogisticNeuron이 참조 뉴런과 같습니다: w, b, predict (여러 epoch, 특성 하나).")
def neuron_fit_matches_reference(student, reference, rng):
    """LogisticNeuron after fit equals the reference neuron: w, b and predict (several epochs, one feature)."""
    for n, d, epochs in ((12, 3, 4), (6, 1, 10), (5, 2, 1)):
        X, y, _, _ = _problem(rng, n, d)
        ours = reference.LogisticNeuron()
        ours.fit(X, y, epochs=epochs)
        theirs = student.LogisticNeuron()
        theirs.fit(X, y, epochs=epochs)
        call = f"LogisticNeuron().fit(x of shape ({n}, {d}), y, epochs={epochs})"
        expect.close(theirs.w, ours.w, name=text(f"w after {call}", f"{call} 뒤의 w"))
        expect.close(theirs.b, ours.b, name=text(f"b after {call}", f"{call} 뒤의 b"))
        expect.equal(theirs.predict(X), ours.predict(X), name=f"predict(x) after {call}")


@check(
    points=1, ko="학생들이 해 보는 것: LogisticNeuron.fit 두 번 (두 번째는 처음부터)과 정수 특성, 리스트의 gradients."
)
def neuron_refit_and_integer_inputs(student, reference, rng):
    """What students try: LogisticNeuron.fit twice (the second starts afresh) and on int features; gradients of
    lists."""
    X1, y1, _, _ = _problem(rng, 6, 3)
    X2 = rng.integers(0, 2, size=(8, 2))  # int 0/1 features, another feature count
    y2 = (X2[:, 0] > X2[:, 1]).astype(int)
    ours = reference.LogisticNeuron()
    ours.fit(X2, y2, epochs=3)
    theirs = student.LogisticNeuron()
    theirs.fit(X1, y1, epochs=2)
    theirs.fit(X2, y2, epochs=3)
    call = "LogisticNeuron: fit(x (6, 3), y, epochs=2), then fit(x int (8, 2), y, epochs=3)"
    hint = text(
        "Every call of fit starts afresh from w = (1, …, 1) and b = 0, for the features of the data it is "
        "given; the weights are floats even when x holds ints.",
        "fit은 호출할 때마다 주어진 데이터의 특성 수에 맞춰 w = (1, …, 1), b = 0에서 새로 시작합니다. x가 "
        "정수여도 가중치는 실수입니다.",
    )
    expect.close(theirs.w, ours.w, name=text(f"w after {call}", f"{call} 뒤의 w"), hint=hint)
    expect.close(theirs.b, ours.b, name=text(f"b after {call}", f"{call} 뒤의 b"), hint=hint)
    _, y, w, b = _problem(rng, 5, 2)
    X_list, y_list = rng.integers(-3, 4, size=(5, 2)).tolist(), y.tolist()
    dw, db = expect.parts(
        student.gradients(X_list, y_list, w, b),
        2,
        labels="dw, db",
        name="gradients(X as a list of lists of ints, y as a list, w, b)",
    )
    ref_dw, ref_db = reference.gradients(X_list, y_list, w, b)
    expect.close(dw, ref_dw)
    expect.close(db, ref_db)
