"""Normalisation layers: `LayerNorm`, `RMSNorm`, `GroupNorm`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import jax
import jax.numpy as jnp

from .._module import Module, field
from ._defaults_and_checks import at_least_float32, default_floating_dtype, layer_name
from ._stateful import NO_STATE

_MSG_SHAPE = (
    "{layer}(shape={shape}) was called on an input of shape {got}; the shapes must be "
    "equal. For a batch, use jax.vmap(layer)(x)."
)
_MSG_BAD_SHAPE = "{layer}: shape must be an int or a sequence of ints, got {shape!r}."
_MSG_GROUPS = (
    "{layer}(groups={groups}, channels={channels}): groups must divide the number of "
    "channels of the input, which has {got}."
)
_MSG_CHANNELS = (
    "{layer}(channels={channels}) was called on an input with {got} channels (its first "
    "axis); its weight and bias have {channels}. For a batch, use jax.vmap(layer)(x)."
)
_MSG_AFFINE_CHANNELS = (
    "{layer}(channelwise_affine=True) needs `channels`, the size of the weight and "
    "bias: pass channels=..., or channelwise_affine=False."
)


def _shape_tuple(shape: Any, layer: str) -> tuple[int, ...]:
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, Sequence) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
    ):
        raise ValueError(_MSG_BAD_SHAPE.format(layer=layer, shape=shape))
    return tuple(shape)


def _check_shape(x: jax.Array, shape: tuple[int, ...], layer: str) -> None:
    if x.shape != shape:
        raise ValueError(_MSG_SHAPE.format(layer=layer, shape=shape, got=x.shape))


def _scale_and_shift(
    out: jax.Array, weight: jax.Array | None, bias: jax.Array | None, dtype: Any
) -> jax.Array:
    if weight is not None:
        out = weight.astype(dtype) * out
    if bias is not None:
        out = out + bias.astype(dtype)
    return out


class _Normalisation(Module):
    """What the normalisation layers share: a call that takes an optional state and
    passes it through, computed in at least float32 and returned in `x`'s dtype."""

    @overload
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...

    @overload
    def __call__(
        self, x: jax.Array, state: Any, *, key: jax.Array | None = None
    ) -> tuple[jax.Array, Any]: ...

    def __call__(self, x: jax.Array, state: Any = NO_STATE, *, key: jax.Array | None = None) -> Any:
        """Normalise `x`.

        Args:
            x: An input of the shape the layer takes.
            state: An optional `State`, returned unchanged, so that the layer is
                interchangeable with stateful normalisation layers.
            key: Ignored; accepted for a uniform layer interface.

        Returns:
            The output, of `x`'s shape and dtype; `(output, state)` when a state is
            given.

        Raises:
            ValueError: If `x` does not have the shape the layer takes (see the
                class).
        """
        self._check_input(x)
        dtype = at_least_float32(x.dtype)
        out = self._normalise(x.astype(dtype), dtype).astype(x.dtype)
        return out if state is NO_STATE else (out, state)

    def _check_input(self, x: jax.Array) -> None:
        raise NotImplementedError

    def _normalise(self, x: jax.Array, dtype: Any) -> jax.Array:
        """`x` (already in `dtype`) normalised, scaled and shifted."""
        raise NotImplementedError


class _WholeInputNorm(_Normalisation):
    """A normalisation over the whole input, of a fixed `shape`, then a scale and a shift.

    Its subclasses keep its `__init__` and declare `init=False` (see nn/_conv.py).
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
        """Args:
            shape: The input's shape, an int or a sequence of ints.
            eps: Added to the variance, for numerical stability.
            use_weight: Whether to follow with a learnt scale (ones) of `shape`.
            use_bias: Whether to follow with a learnt shift (zeros) of `shape`.
            dtype: The parameters' dtype (default float32, float64 under x64).

        Raises:
            ValueError: If `shape` is not an int or a sequence of ints.
        """
        dtype = default_floating_dtype() if dtype is None else dtype
        self.shape = _shape_tuple(shape, type(self).__name__)
        self.eps = eps
        self.use_weight = use_weight
        self.use_bias = use_bias
        self.weight = jnp.ones(self.shape, dtype) if use_weight else None
        self.bias = jnp.zeros(self.shape, dtype) if use_bias else None

    def _check_input(self, x: jax.Array) -> None:
        _check_shape(x, self.shape, layer_name(self))

    def _normalise(self, x: jax.Array, dtype: Any) -> jax.Array:
        return _scale_and_shift(self._standardise(x), self.weight, self.bias, dtype)

    def _standardise(self, x: jax.Array) -> jax.Array:
        raise NotImplementedError


class LayerNorm(_WholeInputNorm, init=False):
    """Normalises the whole input to zero mean and unit variance, then scales and shifts.

    As `equinox.nn.LayerNorm`: `(x - mean) / sqrt(var + eps) * weight + bias`,
    with `weight` (ones) and `bias` (zeros) of `shape` when `use_weight` /
    `use_bias`. The input must have exactly `shape`.
    """

    def _standardise(self, x: jax.Array) -> jax.Array:
        return (x - jnp.mean(x)) * jax.lax.rsqrt(jnp.var(x) + self.eps)


class RMSNorm(_WholeInputNorm, init=False):
    """Rescales the input by its root mean square (no centring), then scales and shifts.

    As `equinox.nn.RMSNorm`: `x / sqrt(mean(x**2) + eps) * weight + bias`, with
    `weight` (ones) and `bias` (zeros) of `shape` when `use_weight` / `use_bias`.
    The input must have exactly `shape`.
    """

    def _standardise(self, x: jax.Array) -> jax.Array:
        return jax.lax.rsqrt(jnp.mean(x**2) + self.eps) * x


class GroupNorm(_Normalisation):
    """Normalises each group of channels of an input of shape `(channels, *spatial)`.

    As `equinox.nn.GroupNorm`: the channels are split into `groups` equal
    groups, each normalised to zero mean and unit variance over its channels and
    spatial positions; with `channelwise_affine`, a per-channel `weight` (ones)
    and `bias` (zeros) follow, which needs `channels`.

    Args:
        groups: The number of groups; it must divide `channels`.
        channels: The number of channels; needed with `channelwise_affine`.
        eps: Added to the variance, for numerical stability.
        channelwise_affine: Whether to follow with a learnt per-channel scale
            and shift.
        dtype: The parameters' dtype (default float32, float64 under x64).

    Raises:
        ValueError: If `groups` does not divide `channels`, or
            `channelwise_affine` is set without `channels`.
    """

    groups: int = field(static=True)
    channels: int | None = field(static=True)
    eps: float = field(static=True)
    channelwise_affine: bool = field(static=True)
    weight: jax.Array | None
    bias: jax.Array | None

    def __init__(
        self,
        groups: int,
        channels: int | None = None,
        eps: float = 1e-5,
        channelwise_affine: bool = True,
        dtype: Any = None,
    ) -> None:
        if channels is not None and channels % groups != 0:
            raise ValueError(
                _MSG_GROUPS.format(
                    layer=layer_name(self), groups=groups, channels=channels, got=channels
                )
            )
        if channelwise_affine and channels is None:
            raise ValueError(_MSG_AFFINE_CHANNELS.format(layer=layer_name(self)))
        dtype = default_floating_dtype() if dtype is None else dtype
        self.groups = groups
        self.channels = channels
        self.eps = eps
        self.channelwise_affine = channelwise_affine
        self.weight = jnp.ones(channels, dtype) if channelwise_affine else None
        self.bias = jnp.zeros(channels, dtype) if channelwise_affine else None

    def _check_input(self, x: jax.Array) -> None:
        channels = x.shape[0]
        if self.weight is not None and channels != self.channels:
            raise ValueError(
                _MSG_CHANNELS.format(layer=layer_name(self), channels=self.channels, got=channels)
            )
        if channels % self.groups != 0:
            raise ValueError(
                _MSG_GROUPS.format(
                    layer=layer_name(self), groups=self.groups, channels=self.channels, got=channels
                )
            )

    def _normalise(self, x: jax.Array, dtype: Any) -> jax.Array:
        grouped = x.reshape(self.groups, -1)
        mean = jnp.mean(grouped, axis=1, keepdims=True)
        variance = jnp.maximum(0.0, jnp.var(grouped, axis=1, keepdims=True))
        out = ((grouped - mean) * jax.lax.rsqrt(variance + self.eps)).reshape(x.shape)
        if self.weight is not None and self.bias is not None:
            spatial = (1,) * (x.ndim - 1)
            out = _scale_and_shift(
                out, self.weight.reshape(-1, *spatial), self.bias.reshape(-1, *spatial), dtype
            )
        return out
