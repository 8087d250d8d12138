"""`Linear`: an affine map `y = Wx + b`."""

from __future__ import annotations

import math
from typing import Any, Literal

import jax
import jax.numpy as jnp

from .._module import Module, field
from ._defaults_and_checks import (
    check_multiplied_size,
    check_size,
    default_floating_dtype,
    layer_name,
    uniform_init,
)

_MSG_NOT_SCALAR = "{layer}(in_features='scalar') expects an input of shape (), got shape {shape}."


class Linear(Module):
    """Affine layer `y = weight @ x + bias`, initialised as in Equinox.

    `weight` has shape `(out_features, in_features)` and `bias` shape
    `(out_features,)` (or is None without bias), both drawn uniformly from
    `[-1/sqrt(in_features), 1/sqrt(in_features)]`.

    Args:
        in_features: The input size, or `"scalar"` for an input of shape `()`.
        out_features: The output size, or `"scalar"` for an output of shape `()`.
        use_bias: Whether to add a bias.
        dtype: The parameters' dtype (default float32, float64 under x64).
        key: A PRNG key for the initialisation.
    """

    weight: jax.Array
    bias: jax.Array | None
    in_features: int | Literal["scalar"] = field(static=True)
    out_features: int | Literal["scalar"] = field(static=True)
    use_bias: bool = field(static=True)

    def __init__(
        self,
        in_features: int | Literal["scalar"],
        out_features: int | Literal["scalar"],
        use_bias: bool = True,
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None:
        # Zero-size layers are allowed, as in Equinox.
        in_size = check_size(self, "in_features", in_features, allow_zero=True)
        out_size = check_size(self, "out_features", out_features, allow_zero=True)
        dtype = default_floating_dtype() if dtype is None else dtype
        wkey, bkey = jax.random.split(key)
        limit = 1 / math.sqrt(in_size) if in_size else 1.0
        self.weight = uniform_init(wkey, (out_size, in_size), dtype, limit)
        self.bias = uniform_init(bkey, (out_size,), dtype, limit) if use_bias else None
        self.in_features = in_features
        self.out_features = out_features
        self.use_bias = use_bias

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        """Apply the layer.

        Args:
            x: An input of shape `(in_features,)` (or `()` for `"scalar"`).
            key: Ignored; accepted so that layers can be called uniformly.

        Returns:
            The output, shape `(out_features,)` (or `()`).

        Raises:
            ValueError: If `in_features` is `"scalar"` and `x` is not a scalar.
            TypeError: If `x` does not have `in_features` entries.
        """
        if self.in_features == "scalar":
            if jnp.shape(x) != ():
                raise ValueError(_MSG_NOT_SCALAR.format(layer=layer_name(self), shape=jnp.shape(x)))
            x = jnp.broadcast_to(x, (1,))
        else:
            check_multiplied_size(self, "the input", x, "in_features", self.in_features)
        y = self.weight @ x
        if self.bias is not None:
            y = y + self.bias
        if self.out_features == "scalar":
            y = jnp.squeeze(y, axis=-1)
        return y
