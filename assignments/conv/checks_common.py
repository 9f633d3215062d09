"""What the public and the hidden checks of conv share (``from .checks_common import ...`` in both)."""

import numpy as np


def distinct(rng, shape):
    """Values far from ties (a scaled permutation), so that every pooling window has one clear maximum."""
    return (rng.permutation(int(np.prod(shape))).reshape(shape) + 1.0) * 0.1
