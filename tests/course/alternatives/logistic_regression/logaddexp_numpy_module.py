"""Alternative: a correct logistic_regression that imports `numpy` (not `np`) and computes differently.

sigmoid as exp(-log(1 + exp(-z))) via np.logaddexp (stable, no overflow), the loss with np.where on
the labels, gradients with einsum, a scalar for a scalar sigmoid via float(), the neuron written with
np.dot. Must score full marks.
"""

import math

import numpy

EPS = 1e-15


def sigmoid(z):
    z = numpy.asarray(z, dtype=float)
    out = numpy.exp(-numpy.logaddexp(0.0, -z))
    return float(out) if out.ndim == 0 else out


def forward(X, w, b):
    return sigmoid(numpy.dot(X, w) + b)


def loss(a, y):
    a = numpy.clip(numpy.asarray(a, dtype=float), EPS, 1 - EPS)
    y = numpy.asarray(y)
    return -float(numpy.mean(numpy.where(y == 1, numpy.log(a), numpy.log(1 - a))))


def gradients(X, y, w, b):
    X = numpy.asarray(X, dtype=float)
    err = forward(X, w, b) - numpy.asarray(y, dtype=float)
    n = len(err)
    return numpy.einsum("i,ij->j", err, X) / n, float(err.sum() / n)


def gradient_descent(X, y, lr=0.1, epochs=100):
    X = numpy.asarray(X, dtype=float)
    w, b, losses = numpy.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        losses.append(loss(forward(X, w, b), y))
        dw, db = gradients(X, y, w, b)
        w = w - lr * dw
        b = b - lr * db
    return w, b, numpy.array(losses, dtype=float)


def predict(X, w, b, threshold=0.5):
    return numpy.where(forward(X, w, b) > threshold, 1, 0)


class LogisticNeuron:
    def __init__(self):
        self.w = None
        self.b = None

    def forpass(self, x):
        return numpy.dot(x, self.w) + self.b

    def backprop(self, x, err):
        return x * err, err * 1

    def activation(self, z):
        z = numpy.maximum(z, -100)
        return 1.0 / (1.0 + numpy.exp(-z))

    def fit(self, x, y, epochs=100):
        self.w = numpy.ones(numpy.shape(x)[1])
        self.b = 0
        for _ in range(epochs):
            for i in range(len(x)):
                a = self.activation(self.forpass(x[i]))
                w_grad, b_grad = self.backprop(x[i], -(y[i] - a))
                self.w = self.w - w_grad
                self.b = self.b - b_grad

    def predict(self, x):
        return numpy.array([self.activation(self.forpass(row)) > 0.5 for row in x])


assert math.isclose(sigmoid(0.0), 0.5)
