"""`PReLU`: a leaky ReLU whose negative slope is learnt."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._module import Module


class PReLU(Module):
    """`x` where `x >= 0`, else `negative_slope * x`, with `negative_slope` a parameter.

    As `equinox.nn.PReLU`: `init_alpha` is the initial slope, a scalar (one slope
    shared by every element) or an array broadcasting against the input.

    Args:
        init_alpha: The initial slope: a scalar, one slope shared by every
            element, or an array broadcasting against the input.
    """

    negative_slope: jax.Array

    def __init__(self, init_alpha: float | jax.Array | None = 0.25) -> None:
        if init_alpha is None:
            init_alpha = 0.25
        self.negative_slope = jnp.asarray(init_alpha)

    def __call__(self, x: jax.Array) -> jax.Array:
        """Apply the activation.

        Args:
            x: Any array broadcasting against the slope.

        Returns:
            `x` where `x >= 0`, else `negative_slope * x`.
        """
        # A learnt slope may be float where `x` is int, or shaped per channel:
        # promote and broadcast as NumPy would, whatever the global strictness.
        with jax.numpy_dtype_promotion("standard"), jax.numpy_rank_promotion("allow"):
            return jnp.where(x >= 0, x, self.negative_slope * x)
