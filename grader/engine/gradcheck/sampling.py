"""How much of a parameter to check: every coordinate, or a sample plus random directions.

A full central-difference check costs two loss evaluations per coordinate, which for a million
parameters is two million calls. Past the budget, a random sample of coordinates catches errors that
touch many entries (sign, scale, transpose, a missing term) and shows where they are, and random
directional derivatives ``v . grad`` catch errors anywhere in the tensor at once: a wrong entry shifts
``v . analytic`` away from ``d/dt loss(x + t v)`` for almost every ``v``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_BUDGET = 200
"""First-look loss evaluations per parameter, counted as two per coordinate or direction; up to this,
every coordinate is checked."""
DIRECTIONS = 8
"""Random directions per sampled parameter (each costs two evaluations' worth of the budget)."""
FULL, SAMPLED = "full", "sampled+directional"


@dataclass(frozen=True)
class Plan:
    """What the first look at one parameter covers."""

    how: str
    """FULL (every coordinate) or SAMPLED (a random sample of coordinates plus random directions)."""
    coordinates: np.ndarray
    """Flat indices of the coordinates to check, in order."""
    directions: int
    """How many random directional derivatives to check."""
    spare: int
    """How many replacements may be drawn for samples skipped at a kink."""


def plan(size: int, budget: int, rng: np.random.Generator) -> Plan:
    """Check everything if two evaluations per coordinate (a central difference) fit the budget, else sample."""
    if 2 * size <= budget:
        return Plan(FULL, np.arange(size), 0, 0)
    directions = min(DIRECTIONS, max(1, budget // 8))
    count = min(size, max(1, (budget - 2 * directions) // 2))
    return Plan(SAMPLED, rng.choice(size, size=count, replace=False), directions, max(1, budget // 8))


def more_coordinates(size: int, taken: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``count`` further coordinates not yet taken (replacements for skipped kinks)."""
    count = min(count, size - len(taken))
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    if size <= 4 * (len(taken) + count):
        # A small pool: draw from what is left (rejection sampling would mostly hit taken indices).
        return rng.choice(np.setdiff1d(np.arange(size), taken), size=count, replace=False)
    fresh: list[int] = []
    seen = set(int(i) for i in taken)
    while len(fresh) < count:
        for index in rng.integers(0, size, size=2 * count):
            if int(index) not in seen and len(fresh) < count:
                seen.add(int(index))
                fresh.append(int(index))
    return np.asarray(fresh, dtype=np.int64)


def direction(scale: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random direction: a unit Gaussian vector, stretched per coordinate by its step scale.

    Unit length makes a step ``t`` along it as gentle as a step ``t`` along one axis (the same
    truncation error whatever the parameter count); the stretch moves large coordinates more, as the
    coordinate steps do.
    """
    v = rng.standard_normal(scale.size)
    stretched: np.ndarray = v / np.linalg.norm(v) * scale  # numpy's stubs type this Any
    return stretched
