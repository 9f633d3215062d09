"""What the public and the hidden checks of rnn_backward share (``from .checks_common import ...`` in both)."""

from grader import expect

RNN_ARGS = ("X", "h0", "W_x", "W_rec", "b")
RNN_GRADIENTS = ("dX", "dh0", "dW_x", "dW_rec", "db")


def backward_gradient_parts(student, X, S, grad_out, wRec):
    """(wx_grad, wRec_grad, grad_over_time) of the student's backward_gradient, its structure checked."""
    grads, grad_over_time = expect.parts(
        student.backward_gradient(X, S, grad_out, wRec), 2, labels="(wx_grad, wRec_grad), grad_over_time"
    )
    wx_grad, wRec_grad = expect.parts(grads, 2, labels="wx_grad, wRec_grad")
    return wx_grad, wRec_grad, grad_over_time


def rnn_backward_parts(student, dhs, hs, p, *, name=None, **options):
    """(dX, dh0, dW_x, dW_rec, db) of the student's rnn_backward at the problem ``p``, its structure checked."""
    return expect.parts(
        student.rnn_backward(dhs, p["X"], hs, p["h0"], p["W_x"], p["W_rec"], p["b"], **options),
        5,
        name=name,
        labels=", ".join(RNN_GRADIENTS),
    )


def rnn_problem(rng, N=2, T=4, D=3, H=4):
    """Inputs of the tanh RNN at a moderate scale (tanh neither saturated nor linear)."""
    return dict(
        X=rng.normal(size=(N, T, D)),
        h0=0.5 * rng.normal(size=(N, H)),
        W_x=0.6 * rng.normal(size=(D, H)),
        W_rec=0.6 * rng.normal(size=(H, H)),
        b=0.3 * rng.normal(size=H),
    )
