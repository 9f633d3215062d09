"""Bug: sigmoid written as 1 / (1 + exp(-z)) directly: exp overflows for z around -710 and below (RuntimeWarning; an error under np.errstate).

Check: sigmoid at z = -1e4 under numpy_errors="raise": "numpy reported a floating-point error in your code: overflow
encountered in exp" at the student's line, with the engine's hint (np.exp(-|z|)).
Affects: sigmoid
"""

import numpy as np

# loss() clips probabilities into [EPS, 1 - EPS] so that a = 0 or a = 1 still gives a finite loss.
EPS = 1e-15


def sigmoid(z):
    """시그모이드 / logistic function 1 / (1 + exp(-z)), elementwise.

    z: scalar or array. Returns the same shape (a float for a scalar). Numerically stable: no overflow
    warning and no NaN for any finite z (|z| up to 1e4 and beyond); exp is only taken of -|z|.
    """
    z = np.asarray(z, dtype=float)
    out = 1.0 / (1.0 + np.exp(-z))
    return out[()]  # 0-d array -> scalar


def forward(X, w, b):
    """정방향 계산 / forward pass: sigmoid(X @ w + b).

    X: (n, d), w: (d,), b: float. Returns a: (n,), the probabilities that y = 1.
    """
    return sigmoid(np.asarray(X, dtype=float) @ w + b)


def loss(a, y):
    """평균 이진 크로스 엔트로피 / mean binary cross-entropy.

    a: (n,) probabilities, y: (n,) labels in {0, 1}.
    L = -mean(y*log(a) + (1-y)*log(1-a)), with a clipped to [EPS, 1 - EPS] (EPS = 1e-15) first, so
    the loss is finite even when a is exactly 0 or 1. Returns a float.
    """
    a = np.clip(np.asarray(a, dtype=float), EPS, 1.0 - EPS)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(a) + (1.0 - y) * np.log(1.0 - a)))


def gradients(X, y, w, b):
    """손실의 기울기 / gradient of the mean loss at (w, b).

    X: (n, d), y: (n,), w: (d,), b: float.
    With a = forward(X, w, b): dw = X.T @ (a - y) / n  (shape (d,)),  db = mean(a - y)  (float).
    """
    X = np.asarray(X, dtype=float)
    err = forward(X, w, b) - y  # dL_i/dz_i = a_i - y_i (sigmoid and cross-entropy combined)
    return X.T @ err / X.shape[0], float(np.mean(err))


def gradient_descent(X, y, lr=0.1, epochs=100):
    """전체 배치 경사 하강법 / full-batch gradient descent.

    X: (n, d), y: (n,). Starts from w = zeros(d), b = 0.0; each epoch does one update
    w <- w - lr * dw, b <- b - lr * db with the gradients of the whole batch.
    Returns (w, b, losses): w (d,), b float, losses (epochs,) where losses[i] is the loss with the
    parameters *before* update i (losses[0] = loss at zeros = log 2).
    """
    X = np.asarray(X, dtype=float)
    w, b = np.zeros(X.shape[1]), 0.0
    losses = np.empty(epochs)
    for i in range(epochs):
        losses[i] = loss(forward(X, w, b), y)
        dw, db = gradients(X, y, w, b)
        w, b = w - lr * dw, b - lr * db
    return w, b, losses


def predict(X, w, b, threshold=0.5):
    """분류 / class labels: 1 where forward(X, w, b) > threshold (strictly, as in the book), else 0.

    Returns an int array (n,) of 0s and 1s.
    """
    return (forward(X, w, b) > threshold).astype(int)


class LogisticNeuron:
    """책의 LogisticNeuron / the book's neuron: one sample at a time, learning rate 1.

    w: (d,) weights and b: bias, both None until fit() is called.
    """

    def __init__(self):
        self.w = None
        self.b = None

    def forpass(self, x):
        """직선 방정식 / z = sum(x * w) + b for one sample x: (d,). Returns a float."""
        z = np.sum(x * self.w) + self.b
        return z

    def backprop(self, x, err):
        """그래디언트 / (w_grad, b_grad) = (x * err, 1 * err) for one sample, err = -(y - a)."""
        w_grad = x * err
        b_grad = 1 * err
        return w_grad, b_grad

    def activation(self, z):
        """시그모이드 / sigmoid of z after clipping z at -100 from below (a safe np.exp)."""
        z = np.clip(z, -100, None)
        a = 1 / (1 + np.exp(-z))
        return a

    def fit(self, x, y, epochs=100):
        """학습 / train: w = ones(d), b = 0, then for each epoch, for each sample in order (no shuffling):
        a = activation(forpass(x_i)), err = -(y_i - a), w -= w_grad, b -= b_grad (learning rate 1).
        """
        self.w = np.ones(x.shape[1])
        self.b = 0
        for i in range(epochs):
            for x_i, y_i in zip(x, y):
                z = self.forpass(x_i)
                a = self.activation(z)
                err = -(y_i - a)
                w_grad, b_grad = self.backprop(x_i, err)
                self.w -= w_grad
                self.b -= b_grad

    def predict(self, x):
        """예측 / boolean array (n,): activation(forpass(x_i)) > 0.5 for every sample x_i of x (n, d)."""
        z = [self.forpass(x_i) for x_i in x]
        a = self.activation(np.array(z))
        return a > 0.5
