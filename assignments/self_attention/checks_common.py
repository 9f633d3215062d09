"""What the public and the hidden checks of self_attention share (``from .checks_common import ...`` in both)."""

NAMES = ("X", "W_q", "W_k", "W_v")
"""self_attention's inputs, in the order of its signature (and of self_attention_backward's gradients)."""
GRADIENTS = ("dX", "dW_q", "dW_k", "dW_v")
"""What self_attention_backward returns."""
