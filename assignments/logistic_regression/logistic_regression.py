"""로지스틱 회귀: 단일층 신경망을 경사 하강법으로 학습 / logistic regression trained by gradient descent.

z = X @ w + b,  a = sigmoid(z),  L = -mean(y*log(a) + (1-y)*log(1-a)),  w <- w - lr * dL/dw.
(After "Do it! 딥러닝 입문", chapter 4.)
"""

import numpy as np

# loss() clips probabilities into [EPS, 1 - EPS] so that a = 0 or a = 1 still gives a finite loss.
EPS = 1e-15


def sigmoid(z):
    """시그모이드 / logistic function 1 / (1 + exp(-z)), elementwise.

    z: scalar or array (any float dtype, float32 too). Returns the same shape (a float for a scalar).
    Numerically stable: no overflow warning and no NaN for any finite z (|z| up to 1e4 and beyond) in
    float64 or float32; exp is only taken of -|z|.
    """
    raise NotImplementedError


def forward(X, w, b):
    """정방향 계산 / forward pass: sigmoid(X @ w + b).

    X: (n, d), w: (d,), b: float. Returns a: (n,), the probabilities that y = 1.
    """
    raise NotImplementedError


def loss(a, y):
    """평균 이진 크로스 엔트로피 / mean binary cross-entropy.

    a: (n,) probabilities, y: (n,) labels in {0, 1}.
    L = -mean(y*log(a) + (1-y)*log(1-a)), with a clipped to [EPS, 1 - EPS] (EPS = 1e-15) first, so
    the loss is finite even when a is exactly 0 or 1. Returns a float.
    """
    raise NotImplementedError


def gradients(X, y, w, b):
    """손실의 기울기 / gradient of the mean loss at (w, b).

    X: (n, d), y: (n,) (arrays or nested lists of numbers), w: (d,), b: float.
    With a = forward(X, w, b): dw = Xᵀ(a - y) / n  (shape (d,)),  db = mean(a - y)  (float).
    """
    raise NotImplementedError


def gradient_descent(X, y, lr=0.1, epochs=100):
    """전체 배치 경사 하강법 / full-batch gradient descent.

    X: (n, d), y: (n,). Starts from w = zeros(d), b = 0.0; each epoch does one update
    w <- w - lr * dw, b <- b - lr * db with the gradients of the whole batch.
    Returns (w, b, losses): w (d,), b float, losses (epochs,) where losses[i] is the loss with the
    parameters *before* update i (losses[0] = loss at zeros = log 2).
    """
    raise NotImplementedError


def predict(X, w, b, threshold=0.5):
    """분류 / class labels: 1 where forward(X, w, b) > threshold (strictly, as in the book), else 0.

    Returns an int array (n,) of 0s and 1s.
    """
    raise NotImplementedError


class LogisticNeuron:
    """책의 LogisticNeuron / the book's neuron: one sample at a time, learning rate 1.

    w: (d,) weights and b: bias, both None until fit() is called.
    """

    def __init__(self):
        raise NotImplementedError

    def forpass(self, x):
        """직선 방정식 / the weighted sum z = Σ_i x_i w_i + b of one sample x: (d,). Returns a float."""
        raise NotImplementedError

    def backprop(self, x, err):
        """그래디언트 / the pair (w_grad, b_grad) = (∂L/∂w, ∂L/∂b) = (x·err, err) of one sample, err = −(y − a)."""
        raise NotImplementedError

    def activation(self, z):
        """시그모이드 / sigmoid of z after clipping z at -100 from below (a safe np.exp)."""
        raise NotImplementedError

    def fit(self, x, y, epochs=100):
        """학습 / train on x: (n, d) (a numpy array, ints allowed) and y: (n,) labels.

        Starts afresh on every call (a second fit forgets the first): w = ones(d) (floats), b = 0; then
        for each epoch, for each sample in order (no shuffling): a = σ(z) from forpass and activation,
        the book's error err = −(yᵢ − a), and w, b move against backprop's gradients (learning rate 1).
        """
        raise NotImplementedError

    def predict(self, x):
        """예측 / boolean array (n,): activation(forpass(x_i)) > 0.5 for every sample x_i of x (n, d)."""
        raise NotImplementedError
