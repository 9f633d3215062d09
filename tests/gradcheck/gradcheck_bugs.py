"""Planted bugs: the mistakes students make in backward passes, applied to a correct gradient.

Each bug returns the wrong gradients, the parameter it broke, and what the diagnosis should say.
Magnitudes are those of the real mistakes (a factor, a transpose, a missing loop iteration), and for
"one entry wrong" a tenth of the gradient's largest entry: a missing term in one entry, not noise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from gradcheck_models import SMOOTH, Case


@dataclass(frozen=True)
class Planted:
    """A wrong gradient and what a good diagnosis of it says."""

    got: dict[str, object]
    """All claimed gradients, one of them (or, for the time-step bug, several) wrong."""
    name: str
    """The parameter whose diagnosis is checked."""
    kind: str
    """The expected ``Diagnosis.kind``."""
    factor_name: str | None = None
    """For "sign" and "scale": the expected ``factor_name``."""
    index: tuple[int, ...] | None = None
    """For one wrong entry: its index (the diagnosis must list exactly it)."""


def _copy(case: Case) -> dict[str, object]:
    return {name: np.array(value) if np.ndim(value) else value for name, value in case.grad.items()}


def _pick(names: list[str], rng: np.random.Generator) -> str:
    return names[int(rng.integers(len(names)))]


def sign(case: Case, rng: np.random.Generator) -> Planted:
    got = _copy(case)
    name = _pick(list(got), rng)
    got[name] = -got[name]
    return Planted(got, name, "sign", "-1")


def batch(case: Case, rng: np.random.Generator) -> Planted:
    """Summed over the batch where the loss takes the mean."""
    got = _copy(case)
    name = _pick(list(got), rng)
    got[name] = got[name] * case.batch_size
    return Planted(got, name, "scale", "batch size")


def double(case: Case, rng: np.random.Generator) -> Planted:
    got = _copy(case)
    name = _pick(list(got), rng)
    got[name] = got[name] * 2
    return Planted(got, name, "scale", "2")


def transpose(case: Case, rng: np.random.Generator) -> Planted:
    got = _copy(case)
    name = _pick(list(case.square), rng)
    got[name] = np.ascontiguousarray(got[name].T)
    return Planted(got, name, "transpose")


def zero(case: Case, rng: np.random.Generator) -> Planted:
    got = _copy(case)
    name = _pick(list(got), rng)
    got[name] = np.zeros_like(got[name]) if np.ndim(got[name]) else 0.0
    return Planted(got, name, "zero")


def one_entry(case: Case, rng: np.random.Generator) -> Planted:
    got = _copy(case)
    name = _pick([name for name, value in got.items() if np.size(value) >= 2], rng)
    flat = got[name].reshape(-1)
    k = int(rng.integers(flat.size))
    flat[k] += rng.choice((-1, 1)) * 0.1 * np.max(np.abs(flat))
    return Planted(got, name, "partial", index=tuple(int(i) for i in np.unravel_index(k, got[name].shape)))


def time_step(case: Case, rng: np.random.Generator) -> Planted:
    """The BPTT loop stops one step early: the first time step gets no gradient."""
    return Planted(case.backward(first_step=1), next(iter(case.time_axis)), "partial")


BUGS: dict[str, tuple[Callable[[Case, np.random.Generator], Planted], tuple[str, ...]]] = {
    "sign": (sign, tuple(SMOOTH)),
    "batch": (batch, ("linear_rnn", "tanh_rnn", "logistic_bce", "mse")),
    "double": (double, tuple(SMOOTH)),
    "transpose": (transpose, ("tanh_rnn", "attention", "mse")),
    "zero": (zero, tuple(SMOOTH)),
    "one_entry": (one_entry, tuple(SMOOTH)),
    "time_step": (time_step, ("linear_rnn", "tanh_rnn")),
}
"""Each bug and the models it applies to (a batch mean, a square parameter, a time loop)."""
