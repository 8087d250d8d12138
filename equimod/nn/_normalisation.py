"""`LayerNorm`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from .._module import Module, field
from ._misc import default_floating_dtype

_MSG_SHAPE = (
    "LayerNorm(shape={shape}) was called on an input of shape {got}; the shapes must be "
    "equal. For a batch, use jax.vmap(layer_norm)(x)."
)
_MSG_BAD_SHAPE = "LayerNorm: shape must be an int or a sequence of ints, got {shape!r}."

_NO_STATE: Any = object()


class LayerNorm(Module):
    """Normalises the whole input to zero mean and unit variance, then scales and shifts.

    As `equinox.nn.LayerNorm`: `(x - mean) / sqrt(var + eps) * weight + bias`,
    with `weight` (ones) and `bias` (zeros) of `shape` when `use_weight` /
    `use_bias`. The input must have exactly `shape`.
    """

    shape: tuple[int, ...] = field(static=True)
    eps: float = field(static=True)
    use_weight: bool = field(static=True)
    use_bias: bool = field(static=True)
    weight: jax.Array | None
    bias: jax.Array | None

    def __init__(
        self,
        shape: int | Sequence[int],
        eps: float = 1e-5,
        use_weight: bool = True,
        use_bias: bool = True,
        dtype: Any = None,
    ) -> None:
        if isinstance(shape, int) and not isinstance(shape, bool):
            shape = (shape,)
        if not isinstance(shape, Sequence) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
        ):
            raise ValueError(_MSG_BAD_SHAPE.format(shape=shape))
        dtype = default_floating_dtype() if dtype is None else dtype
        self.shape = tuple(shape)
        self.eps = eps
        self.use_weight = use_weight
        self.use_bias = use_bias
        self.weight = jnp.ones(self.shape, dtype) if use_weight else None
        self.bias = jnp.zeros(self.shape, dtype) if use_bias else None

    def __call__(
        self, x: jax.Array, state: Any = _NO_STATE, *, key: jax.Array | None = None
    ) -> Any:
        """Normalise `x` of shape `shape`. With a `state`, returns `(out, state)` unchanged,
        for interchangeability with stateful normalisation layers."""
        if x.shape != self.shape:
            raise ValueError(_MSG_SHAPE.format(shape=self.shape, got=x.shape))
        orig_dtype = x.dtype
        dtype = jnp.result_type(x.dtype, jnp.float32)
        x = x.astype(dtype)
        mean = jnp.mean(x)
        variance = jnp.var(x)
        out = (x - mean) * jax.lax.rsqrt(variance + self.eps)
        if self.weight is not None:
            out = out * self.weight.astype(dtype)
        if self.bias is not None:
            out = out + self.bias.astype(dtype)
        out = out.astype(orig_dtype)
        return out if state is _NO_STATE else (out, state)
