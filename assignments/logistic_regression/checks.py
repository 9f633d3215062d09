"""Public checks of logistic_regression: run them yourself with `grader grade logistic_regression`.

They use only your code, small hand-checkable values (sigmoid(0) = 0.5, sigmoid(ln 3) = 0.75, the loss
at 0.5 is ln 2, the book neuron's first update), properties (the loss goes down, no overflow at
|z| = 1e4, a finite loss at exact 0/1) and the numeric gradient of your own loss(forward(...)) (when an instructor
grades with the hidden checks, the reference's forward stands in for yours: a
correct backward keeps its points even while your forward is wrong).

"No overflow" and "finite" are checked with numpy's floating-point errors turned on while your function
runs (numpy_errors="raise": overflow, division by zero and invalid values raise FloatingPointError however
you import numpy; underflow to 0 is fine); the error is reported with your own line.
"""

import math

import numpy as np

from grader import check, expect, text

EPS = 1e-15


def _separable_data(rng, n=30):
    X = rng.normal(size=(n, 2))
    y = (X @ np.array([1.5, -2.0]) + 0.3 > 0).astype(int)
    return X, y


# ---------------------------------------------------------------------------
# sigmoid, forward, loss
# ---------------------------------------------------------------------------


@check(
    points=1, ko="sigmoid(0) = 0.5, sigmoid(ln 3) = 0.75, sigmoid(-ln 3) = 0.25이고, 스칼라를 넣으면 스칼라가 나옵니다."
)
def sigmoid_values(student):
    """sigmoid(0) = 0.5, sigmoid(ln 3) = 0.75, sigmoid(-ln 3) = 0.25; a scalar gives a scalar."""
    hint = text(
        "sigmoid(z) = 1 / (1 + exp(-z)), elementwise, with the shape of z.",
        "sigmoid(z) = 1 / (1 + exp(-z))를 원소별로 계산하고 z와 같은 모양을 반환합니다.",
    )
    expect.close(
        student.sigmoid(np.array([0.0, math.log(3), -math.log(3)])),
        np.array([0.5, 0.75, 0.25]),
        name="sigmoid([0, ln 3, -ln 3])",
        hint=hint,
    )
    expect.close(
        student.sigmoid(np.array([[0.0], [math.log(3)]])),
        np.array([[0.5], [0.75]]),
        name="sigmoid([[0], [ln 3]])",
        hint=hint,
    )
    scalar = student.sigmoid(0.0)
    expect.close(scalar, 0.5, hint=hint)
    expect.true(
        bool(np.ndim(scalar) == 0),
        text(
            f"sigmoid(0.0) should be a number, got an array of shape {np.shape(scalar)}",
            f"sigmoid(0.0)은 숫자여야 하는데 모양이 {np.shape(scalar)}인 배열입니다",
        ),
        hint=text(
            "For a scalar input return a number, not a 0-d array: index the 0-d array with an empty tuple, "
            "or convert it, to get its value.",
            "스칼라 입력에는 0차원 배열이 아니라 숫자를 반환하세요: 0차원 배열을 빈 튜플로 인덱싱하거나 "
            "변환하면 값이 나옵니다.",
        ),
    )


@check(
    points=1.5,
    numpy_errors="raise",
    ko="|z|가 1e4까지인 sigmoid: 오버플로 없음 (numpy 오류를 켬), 값은 0과 1, NaN 없음.",
)
def sigmoid_no_overflow_at_large_inputs(student):
    """sigmoid at |z| up to 1e4: no overflow (numpy errors on), values 0 and 1, no NaN."""
    hint = text(
        "1 / (1 + e^(−z)) computed as written overflows in exp for z below about −710. Take exp of -|z| only "
        "(it is in (0, 1]) and use two branches: 1 / (1 + e) for z >= 0 and e / (1 + e) for z < 0, with "
        "e = exp(-|z|).",
        "1 / (1 + e^(−z))를 식 그대로 계산하면 z가 약 −710보다 작을 때 exp에서 오버플로합니다. -|z|의 exp만 계산하고 "
        "(값이 (0, 1] 안에 있습니다) 두 경우로 나누세요: e = exp(-|z|)일 때 z >= 0이면 1 / (1 + e), "
        "z < 0이면 e / (1 + e).",
    )
    z = np.array([-1e4, -800.0, -30.0, 0.0, 30.0, 800.0, 1e4])
    expected = np.array([0.0, 0.0, math.exp(-30) / (1 + math.exp(-30)), 0.5, 1 / (1 + math.exp(-30)), 1.0, 1.0])
    expect.close(student.sigmoid(z), expected, name="sigmoid([-1e4, -800, -30, 0, 30, 800, 1e4])", hint=hint)
    for value, expected in ((-1e4, 0.0), (1e4, 1.0)):
        expect.close(student.sigmoid(value), expected, hint=hint)


@check(points=0.5, ko="forward(X, w, b) = sigmoid(X @ w + b), 모양 (n,).")
def forward_values(student, rng):
    """forward(X, w, b) = sigmoid(X @ w + b), shape (n,)."""
    X, w, b = rng.normal(size=(6, 3)), np.array([0.5, -1.0, 0.25]), 0.2
    expect.close(
        student.forward(X, w, b),
        1.0 / (1.0 + np.exp(-(X @ w + b))),
        hint=text(
            "z = X @ w + b (one value per sample), then a = sigmoid(z); the result has shape (n,).",
            "z = X @ w + b (샘플마다 값 하나)를 구한 뒤 a = sigmoid(z)입니다. 결과의 모양은 (n,)입니다.",
        ),
    )


@check(points=0.5, ko="loss는 평균 이진 크로스 엔트로피입니다: a = 0.5이면 ln 2, y = 1이고 a = 0.75이면 -ln 0.75.")
def loss_small_example(student):
    """loss is the mean binary cross-entropy: ln 2 at a = 0.5, -ln 0.75 at a = 0.75 for y = 1."""
    hint = text(
        "L = -mean(y * log(a) + (1 - y) * log(1 - a)): a mean over the samples, with a minus sign.",
        "L = -mean(y * log(a) + (1 - y) * log(1 - a))입니다. 샘플에 대한 평균이고 앞에 마이너스가 붙습니다.",
    )
    expect.close(student.loss(np.array([0.5, 0.5]), np.array([0, 1])), math.log(2), hint=hint)
    expect.close(student.loss(np.array([0.75, 0.25]), np.array([1, 0])), -math.log(0.75), hint=hint)


@check(
    points=1.5,
    numpy_errors="raise",
    ko="확률이 정확히 0과 1이어도 loss가 유한합니다: a를 먼저 [EPS, 1 - EPS]로 자릅니다 (EPS = 1e-15).",
)
def loss_exact_zero_one_probabilities(student):
    """loss with probabilities of exactly 0 and 1 is finite: a is clipped to [EPS, 1 - EPS] first (EPS = 1e-15)."""
    hint = text(
        "Not finite: log(0) is -inf. Clip a into [EPS, 1 − EPS] with EPS = 1e-15 first, then take the logs.",
        "유한하지 않습니다: log(0)은 -inf입니다. 먼저 EPS = 1e-15로 a를 [EPS, 1 − EPS] 안으로 자르고 "
        "그다음 로그를 계산하세요.",
    )
    got = student.loss(np.array([0.0, 1.0, 1.0]), np.array([1, 0, 1]))
    # Clipped: log(EPS) for a = 0 with y = 1, log(1 - (1 - EPS)) for a = 1 with y = 0, log(1 - EPS) for a = 1, y = 1.
    # In float64 1 - (1 - 1e-15) is 1.11e-15, not 1e-15, so the value depends on whether a or 1 - a is clipped
    # (23.0261 or 23.0259): rtol=1e-2 accepts both, and still tells a clipped loss from one clipped elsewhere
    # (EPS = 1e-12 gives 18.4, 1e-7 gives 10.7).
    expected = -(math.log(EPS) + math.log(1.0 - (1.0 - EPS)) + math.log(1.0 - EPS)) / 3
    expect.close(got, expected, rtol=1e-2, hint=hint)
    expect.close(student.loss(np.array([0.0, 1.0]), np.array([0, 1])), -math.log(1.0 - EPS), hint=hint)


# ---------------------------------------------------------------------------
# gradients and gradient descent
# ---------------------------------------------------------------------------


@check(
    points=3,
    depends=("forward_values", "loss_small_example"),
    ko="gradients(X, y, w, b)가 loss(forward(X, w, b), y)의 수치 그래디언트와 같습니다.",
)
def gradients_match_numeric_gradient(student, oracle, rng):
    """gradients(X, y, w, b) equals the numeric gradient of loss(forward(X, w, b), y)."""
    n = 8
    X, y = rng.normal(size=(n, 3)), rng.integers(0, 2, size=n)
    w, b = np.array([0.4, -0.3, 0.8]), 0.2
    dw, db = expect.parts(student.gradients(X, y, w, b), 2, labels="dw, db")
    # The forward for every perturbed w, b in one round trip; the loss is applied to each.
    mean_loss = oracle.forward.partial(X, expect.param("w"), expect.param("b")).then(
        oracle.loss.partial(expect.param("a"), y)
    )
    expect.gradient(mean_loss, at={"w": w, "b": b}, got={"w": dw, "b": db}, rng=rng, batch_size=n)


@check(
    points=0.5, ko="gradient_descent: losses는 epoch마다 하나씩이고 losses[0]은 w = 0, b = 0에서의 손실 (ln 2)입니다."
)
def gradient_descent_first_loss_is_log2(student, rng):
    """gradient_descent: losses has one entry per epoch and losses[0] is the loss at w = 0, b = 0 (ln 2)."""
    X, y = _separable_data(rng)
    _, _, losses = expect.parts(student.gradient_descent(X, y, lr=0.3, epochs=5), 3, labels="w, b, losses")
    expect.shape(losses, (5,))
    expect.close(
        np.asarray(losses)[0],
        math.log(2),
        name="gradient_descent(X, y, lr=0.3, epochs=5)[2][0] (losses[0])",
        hint=text(
            "losses[0] must be the loss at w = 0, b = 0, which is ln 2 = 0.693: record the loss of each "
            "epoch before the update.",
            "losses[0]은 w = 0, b = 0에서의 손실, 즉 ln 2 = 0.693이어야 합니다. 각 epoch의 손실은 갱신하기 "
            "전에 기록하세요.",
        ),
    )


@check(points=1, ko="epoch 하나의 gradient_descent: 0에서 시작해 w = -lr Xᵀ(0.5 - y) / n, b = -lr mean(0.5 - y).")
def gradient_descent_first_update(student, rng):
    """gradient_descent with one epoch from zeros: w = -lr Xᵀ(0.5 - y) / n and b = -lr mean(0.5 - y)."""
    X, y = _separable_data(rng, n=10)
    lr = 0.3
    w, b, _ = expect.parts(student.gradient_descent(X, y, lr=lr, epochs=1), 3, labels="w, b, losses")
    hint = text(
        "Start from w = 0, b = 0 (so a = 0.5 everywhere) and take one step against the mean gradient: "
        "w ← w − lr·dw, b ← b − lr·db.",
        "w = 0, b = 0에서 시작해서 (그러면 모든 a = 0.5) 평균 그래디언트의 반대 방향으로 한 번 갑니다: "
        "w ← w − lr·dw, b ← b − lr·db.",
    )
    expect.close(w, -lr * X.T @ (0.5 - y) / len(y), hint=hint)
    expect.close(b, -lr * np.mean(0.5 - y), hint=hint)


@check(points=0.5, ko="학습률이 작은 gradient_descent: 손실이 epoch마다 줄어듭니다.")
def gradient_descent_loss_decreases(student, rng):
    """gradient_descent with a small learning rate: the loss goes down at every epoch."""
    X, y = _separable_data(rng)
    _, _, losses = expect.parts(student.gradient_descent(X, y, lr=0.5, epochs=20), 3, labels="w, b, losses")
    expect.shape(losses, (20,))
    losses = np.asarray(losses, dtype=float)
    up = [i + 1 for i in range(19) if not losses[i + 1] < losses[i]]
    expect.true(
        not up,
        text(
            f"the loss goes up (or stays) at epochs {up[:5]}: losses = {np.round(losses[:4], 4).tolist()}...",
            f"epoch {up[:5]}에서 손실이 커지거나 그대로입니다: losses = {np.round(losses[:4], 4).tolist()}...",
        ),
        hint=text(
            "Gradient descent steps against the gradient: w ← w − lr·dw with dw = Xᵀ(a − y) / n "
            "(a − y, not y − a, and a mean over the samples).",
            "경사 하강법은 그래디언트의 반대 방향으로 갑니다: w ← w − lr·dw, dw = Xᵀ(a − y) / n "
            "(y − a가 아니라 a − y이고, 샘플에 대한 평균입니다).",
        ),
    )


@check(points=1, ko="predict는 확률에 엄격한 임계값을 적용합니다: a = 0.5는 0, 정수 레이블, threshold 인자를 씁니다.")
def predict_strict_threshold(student):
    """predict thresholds the probability strictly: a = 0.5 gives 0; int labels; the threshold argument is used."""
    X = np.array([[0.0], [0.3], [-0.3], [2.0]])  # z = X @ [1] + 0: a = 0.5, 0.574, 0.426, 0.881
    w, b = np.array([1.0]), 0.0
    hint = text(
        "Labels wrong: predict is 1 where the probability a = sigmoid(X @ w + b) is > threshold (strictly; "
        "a = 0.5 gives 0), else 0. Threshold the probability a, not z.",
        "레이블이 틀렸습니다: 확률 a = sigmoid(X @ w + b)가 threshold보다 클 때 (엄격한 부등호: a = 0.5는 0) "
        "1이고 아니면 0입니다. z가 아니라 확률 a에 임계값을 적용하세요.",
    )
    got = student.predict(X, w, b)
    expect.equal(
        got,
        np.array([0, 1, 0, 1]),
        name=text(
            "predict(X, w=[1], b=0) with z = [0, 0.3, -0.3, 2]", "z = [0, 0.3, -0.3, 2]일 때의 predict(X, w=[1], b=0)"
        ),
        hint=hint,
    )
    expect.true(
        bool(np.asarray(got).dtype.kind in "iu"),
        text(
            f"predict should return an int array of 0s and 1s, got dtype {np.asarray(got).dtype}",
            f"predict는 0과 1의 정수 배열을 반환해야 하는데 dtype이 {np.asarray(got).dtype}입니다",
        ),
        hint=text(
            "The comparison gives booleans: convert them to the ints 0 and 1.",
            "비교하면 불리언이 나옵니다: 정수 0과 1로 변환하세요.",
        ),
    )
    expect.equal(student.predict(X, w, b, threshold=0.55), np.array([0, 1, 0, 1]), hint=hint)
    expect.equal(student.predict(X, w, b, threshold=0.6), np.array([0, 0, 0, 1]), hint=hint)


# ---------------------------------------------------------------------------
# LogisticNeuron
# ---------------------------------------------------------------------------


@check(points=0.5, ko="LogisticNeuron: forpass, backprop, activation (-100에서 자름), predict (불리언 배열).")
def neuron_methods(student):
    """LogisticNeuron: forpass, backprop, activation (clipped at -100) and predict (a boolean array)."""
    neuron = student.LogisticNeuron()
    neuron.w = np.array([1.0, 2.0])
    neuron.b = 0.5
    expect.close(
        neuron.forpass(np.array([1.0, 1.0])),
        3.5,
        name=text("forpass([1, 1]) with w = [1, 2], b = 0.5", "w = [1, 2], b = 0.5일 때의 forpass([1, 1])"),
        hint=text(
            "forpass is the weighted sum of one sample: z = Σ_i x_i w_i + b.",
            "forpass는 샘플 하나의 가중합입니다: z = Σ_i x_i w_i + b.",
        ),
    )
    expect.close(
        neuron.backprop(np.array([1.0, 2.0]), 0.5),
        (np.array([0.5, 1.0]), 0.5),
        hint=text(
            "backprop returns the pair (∂L/∂w, ∂L/∂b) = (x·err, err).",
            "backprop은 (∂L/∂w, ∂L/∂b) = (x·err, err) 쌍을 반환합니다.",
        ),
    )
    expect.close(neuron.activation(0.0), 0.5)
    expect.close(
        neuron.activation(-1000.0),
        1.0 / (1.0 + math.exp(100.0)),
        rtol=1e-6,
        atol=0.0,
        hint=text(
            "activation clips z at −100 from below (no upper bound) before the sigmoid.",
            "activation은 시그모이드 전에 z를 아래에서 −100으로 자릅니다 (위쪽 한계 없음).",
        ),
    )
    got = neuron.predict(np.array([[1.0, 1.0], [-3.0, 0.0], [-0.5, 0.0]]))  # z = 3.5, -2.5 and exactly 0
    expect.equal(
        got,
        np.array([True, False, False]),
        name=text(
            "predict([[1, 1], [-3, 0], [-0.5, 0]]) with w = [1, 2], b = 0.5",
            "w = [1, 2], b = 0.5일 때의 predict([[1, 1], [-3, 0], [-0.5, 0]])",
        ),
        hint=text(
            "predict is activation(forpass(x_i)) > 0.5, strictly: z = 0 gives a = 0.5, which is False.",
            "predict는 activation(forpass(x_i)) > 0.5 (엄격한 부등호)입니다: z = 0이면 a = 0.5이고 False입니다.",
        ),
    )
    expect.true(
        bool(np.asarray(got).dtype == bool),
        text(
            f"LogisticNeuron.predict should return a boolean array (a > 0.5), got dtype {np.asarray(got).dtype}",
            f"LogisticNeuron.predict는 불리언 배열 (a > 0.5)을 반환해야 하는데 dtype이 {np.asarray(got).dtype}입니다",
        ),
    )


@check(points=0.5, ko="epochs=0인 LogisticNeuron.fit은 책의 초깃값을 그대로 둡니다: w = ones(n_features), b = 0.")
def neuron_fit_starts_from_ones(student):
    """LogisticNeuron.fit with epochs=0 leaves the book's initial values: w = ones(n_features), b = 0."""
    neuron = student.LogisticNeuron()
    neuron.fit(np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 2.0]]), np.array([1, 0]), epochs=0)
    hint = text(
        "Different weights than the book's neuron: fit starts from w = (1, …, 1), one 1 per feature, and "
        "b = 0 before the first epoch.",
        "책의 뉴런과 가중치가 다릅니다: fit은 첫 epoch 전에 w = (1, …, 1) (특성마다 1), b = 0에서 시작합니다.",
    )
    expect.close(
        neuron.w,
        np.ones(3),
        name=text("LogisticNeuron.w after fit(x, y, epochs=0)", "fit(x, y, epochs=0) 뒤의 LogisticNeuron.w"),
        hint=hint,
    )
    expect.close(
        neuron.b,
        0.0,
        name=text("LogisticNeuron.b after fit(x, y, epochs=0)", "fit(x, y, epochs=0) 뒤의 LogisticNeuron.b"),
        hint=hint,
    )


@check(
    points=1,
    ko="x = [1, 0], y = 1로 한 epoch 학습한 LogisticNeuron.fit: w[0]과 b가 1 - sigmoid(1)만큼 커집니다 (학습률 1).",
)
def neuron_fit_moves_downhill(student):
    """LogisticNeuron.fit, one epoch on x = [1, 0], y = 1: w[0] and b grow by 1 - sigmoid(1) (learning rate 1)."""
    neuron = student.LogisticNeuron()
    neuron.fit(np.array([[1.0, 0.0]]), np.array([1]), epochs=1)
    step = 1.0 - 1.0 / (1.0 + math.exp(-1.0))  # a = sigmoid(1 * 1 + 0 * 1 + 0), err = -(1 - a)
    hint = text(
        "Weights move the wrong way (or by the wrong amount): the book's error is err = −(y − a), and each "
        "sample's update subtracts backprop's gradients (learning rate 1): w ← w − x·err, b ← b − err. For "
        "y = 1 the weights of positive inputs must grow.",
        "가중치가 반대 방향으로 (또는 다른 크기로) 움직입니다: 책의 오차는 err = −(y − a)이고, 샘플마다 "
        "backprop의 그래디언트를 뺍니다 (학습률 1): w ← w − x·err, b ← b − err. y = 1이면 양수 입력의 "
        "가중치가 커져야 합니다.",
    )
    expect.close(
        neuron.w,
        np.array([1.0 + step, 1.0]),
        name=text(
            "LogisticNeuron.w after fit([[1, 0]], [1], epochs=1)", "fit([[1, 0]], [1], epochs=1) 뒤의 LogisticNeuron.w"
        ),
        hint=hint,
    )
    expect.close(
        neuron.b,
        step,
        name=text(
            "LogisticNeuron.b after fit([[1, 0]], [1], epochs=1)", "fit([[1, 0]], [1], epochs=1) 뒤의 LogisticNeuron.b"
        ),
        hint=hint,
    )
