"""What the layers share: dtype defaults, initialisers, size checks, and the name errors give."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import jax.random as jr

_MSG_BAD_SIZE = "{layer}: {name} must be a {sign} int{or_scalar}, got {value!r}."
_MSG_WRONG_INPUT_SIZE = (
    "{layer}: {argument} has shape {shape}, but {name} is {size}: it must have shape "
    "({size},). For a batch, use jax.vmap(layer)(x)."
)
_MSG_NO_WEIGHT = (
    "{wrapper}: the layer {layer} has no array attribute {name!r} to {purpose}; pass "
    "weight_name=... naming its weight."
)


def default_floating_dtype() -> Any:
    """float64 when JAX's x64 mode is on, else float32."""
    # Not `jax.config.jax_enable_x64`: its typing differs between the jax releases
    # we support; canonicalising is typed in all of them and means the same.
    return jax.dtypes.canonicalize_dtype(jnp.float64)


def at_least_float32(dtype: Any) -> Any:
    """The dtype to compute in for inputs of `dtype`: it, or float32 where it is
    narrower (bfloat16, float16). Under strict dtype promotion too, which has no
    implicit path between floating types."""
    with jax.numpy_dtype_promotion("standard"):
        return jnp.result_type(dtype, jnp.float32)


def uniform_init(key: jax.Array, shape: tuple[int, ...], dtype: Any, limit: float) -> jax.Array:
    """Uniform on [-limit, limit]; for complex dtypes, real and imaginary parts each."""
    if jnp.issubdtype(dtype, jnp.complexfloating):
        real_dtype = jnp.real(jnp.zeros((), dtype)).dtype
        rkey, ikey = jr.split(key)
        real = jr.uniform(rkey, shape, real_dtype, minval=-limit, maxval=limit)
        imag = jr.uniform(ikey, shape, real_dtype, minval=-limit, maxval=limit)
        return jax.lax.complex(real, imag).astype(dtype) / math.sqrt(2)
    return jr.uniform(key, shape, dtype, minval=-limit, maxval=limit)


def layer_name(layer: object) -> str:
    """The name a layer's errors give it: its class's, so a `Conv2d` or a user's
    subclass is named as the user wrote it."""
    return type(layer).__name__


def check_size(
    layer: object, name: str, value: object, allow_scalar: bool = True, allow_zero: bool = False
) -> int:
    """The integer size `layer` uses for `value` ("scalar" counts as 1)."""
    if allow_scalar and value == "scalar":
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        or_scalar = " or the string 'scalar'" if allow_scalar else ""
        sign = "non-negative" if allow_zero else "positive"
        raise ValueError(
            _MSG_BAD_SIZE.format(
                layer=layer_name(layer), name=name, sign=sign, or_scalar=or_scalar, value=value
            )
        )
    return value


def check_multiplied_size(layer: object, argument: str, x: Any, name: str, size: int) -> None:
    """Raise the layer's own error where `weight @ x` would fail on `x`'s size: the
    axis a matrix multiplies (the first of a vector, else the second to last) must
    have `size` entries. A TypeError, as JAX's own error here."""
    shape = jnp.shape(x)
    multiplied = None if not shape else shape[0] if len(shape) == 1 else shape[-2]
    if multiplied != size:
        raise TypeError(
            _MSG_WRONG_INPUT_SIZE.format(
                layer=layer_name(layer), argument=argument, shape=shape, name=name, size=size
            )
        )


def layer_weight(wrapper: object, purpose: str, layer: object, name: str) -> jax.Array:
    """The array `layer.<name>` that a wrapping layer (SpectralNorm, WeightNorm) rewrites."""
    weight = getattr(layer, name, None)
    if not hasattr(weight, "ndim"):
        raise ValueError(
            _MSG_NO_WEIGHT.format(
                wrapper=layer_name(wrapper), layer=layer_name(layer), name=name, purpose=purpose
            )
        )
    return weight  # type: ignore[return-value]
