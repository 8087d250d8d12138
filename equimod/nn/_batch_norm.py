"""`BatchNorm`: normalisation by statistics over a batch, with running averages as state."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Literal

import jax
import jax.numpy as jnp

from .._module import field
from ._defaults_and_checks import check_size, default_floating_dtype, layer_name
from ._stateful import State, StatefulLayer, StateIndex

# Typed here: jax.lax.pmean is untyped in some of the jax releases we support.
_pmean: Callable[[jax.Array, Any], jax.Array] = jax.lax.pmean

_MSG_MODE = "{layer}: mode must be 'ema' or 'batch', got {mode!r}."
_MSG_DEFAULT_MODE = (
    "{layer}: no mode given, so mode='ema' (Equinox's default). mode='batch' is usually "
    "faster and debiases its running statistics; pass mode='ema' or mode='batch' to "
    "choose and silence this warning."
)
_MSG_UNBOUND_AXIS = (
    "{layer}(axis_name={axis_name!r}) computes statistics across the batch, so it must "
    "run under a vmap over the batch with that axis name: "
    "`jax.vmap(model, axis_name={axis_name!r}, in_axes=(0, None), out_axes=(0, None))(x, state)` "
    "or equimod.filter_vmap(..., axis_name={axis_name!r}). JAX said: {error}"
)
_MSG_CHANNELS = (
    "{layer}(input_size={size}) expects inputs of shape (input_size, *spatial), got shape {shape}."
)


class UnboundAxisNameError(ValueError, NameError):
    """A `BatchNorm` called outside a vmap naming its axis: a `ValueError`, and the
    `NameError` JAX (and so Equinox) raises for an unbound axis name."""


class BatchNorm(StatefulLayer):
    """Batch normalisation, as `equinox.nn.BatchNorm`, for one example of shape
    `(input_size, *spatial)` called under a vmap whose axis is named `axis_name`.

    In training, each channel is normalised by its mean and variance over the batch
    (and spatial positions); the running statistics in the `State` are updated.
    With `inference=True` the running statistics are used instead.

    `mode="ema"` normalises by an exponential moving average that includes the
    current batch, and keeps it as the running statistics; `mode="batch"` normalises
    by the batch alone and keeps a debiased moving average for inference.

    Args:
        input_size: The number of channels (the input's first axis).
        axis_name: The name of the vmapped batch axis (or a sequence of names,
            for nested vmaps) over which the statistics are computed.
        eps: Added to the variance, for numerical stability.
        channelwise_affine: Whether to follow the normalisation with a learnt
            per-channel scale (ones) and shift (zeros).
        momentum: The weight of the old running statistics in each update.
        inference: Use the running statistics rather than the batch's.
        dtype: The dtype of the parameters and statistics (default float32,
            float64 under x64).
        mode: `"ema"` or `"batch"`. Not giving one means `"ema"`, with a warning
            (as Equinox's default).

    Raises:
        ValueError: If `mode` is not `"ema"` or `"batch"`.

    Warns:
        UserWarning: If `mode` is not given.
    """

    weight: jax.Array | None
    bias: jax.Array | None
    ema_first_time_index: StateIndex[jax.Array] | None
    ema_state_index: StateIndex[tuple[jax.Array, jax.Array]] | None
    batch_counter: StateIndex[jax.Array] | None
    batch_state_index: StateIndex[tuple[jax.Array, jax.Array]] | None
    axis_name: Hashable | Sequence[Hashable] = field(static=True)
    inference: bool
    input_size: int = field(static=True)
    eps: float = field(static=True)
    channelwise_affine: bool = field(static=True)
    momentum: float = field(static=True)
    mode: Literal["ema", "batch"] = field(static=True)

    def __init__(
        self,
        input_size: int,
        axis_name: Hashable | Sequence[Hashable],
        eps: float = 1e-5,
        channelwise_affine: bool = True,
        momentum: float = 0.99,
        inference: bool = False,
        dtype: Any = None,
        mode: Literal["ema", "batch", "legacy"] = "legacy",
    ) -> None:
        check_size(self, "input_size", input_size, allow_scalar=False)
        if mode == "legacy":
            warnings.warn(
                _MSG_DEFAULT_MODE.format(layer=layer_name(self)), UserWarning, stacklevel=2
            )
            mode = "ema"
        if mode not in ("ema", "batch"):
            raise ValueError(_MSG_MODE.format(layer=layer_name(self), mode=mode))
        dtype = default_floating_dtype() if dtype is None else dtype
        if channelwise_affine:
            self.weight = jnp.ones((input_size,), dtype)
            self.bias = jnp.zeros((input_size,), dtype)
        else:
            self.weight = self.bias = None
        self.ema_first_time_index = self.ema_state_index = None
        self.batch_counter = self.batch_state_index = None
        if mode == "ema":
            self.ema_first_time_index = StateIndex(jnp.array(True))
            zeros = jnp.zeros((input_size,), dtype)
            self.ema_state_index = StateIndex((zeros, zeros))
        else:
            self.batch_counter = StateIndex(jnp.array(0))
            start = (jnp.zeros((input_size,), dtype), jnp.ones((input_size,), dtype))
            self.batch_state_index = StateIndex(start)
        # A list of names is not hashable; a tuple means the same to JAX.
        self.axis_name = tuple(axis_name) if isinstance(axis_name, list) else axis_name
        self.inference = inference
        self.input_size = input_size
        self.eps = eps
        self.channelwise_affine = channelwise_affine
        self.momentum = momentum
        self.mode = mode

    def _batch_mean(self, value: jax.Array) -> jax.Array:
        try:
            return _pmean(value, self.axis_name)
        except NameError as error:
            raise UnboundAxisNameError(
                _MSG_UNBOUND_AXIS.format(
                    layer=layer_name(self), axis_name=self.axis_name, error=error
                )
            ) from None

    def _statistics(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        def per_channel(channel: jax.Array) -> tuple[jax.Array, jax.Array]:
            mean = self._batch_mean(jnp.mean(channel))
            centred = channel - mean
            var = self._batch_mean(jnp.mean(centred * jnp.conj(centred)))
            return mean, jnp.maximum(0.0, var)

        mean, var = jax.vmap(per_channel)(x)
        return mean, var

    def __call__(
        self,
        x: jax.Array,
        state: State,
        *,
        key: jax.Array | None = None,
        inference: bool | None = None,
    ) -> tuple[jax.Array, State]:
        """Normalise `x` by the batch's (or the running) statistics.

        Args:
            x: One example, of shape `(input_size, *spatial)`.
            state: The model's `State`, holding the running statistics.
            key: Ignored; accepted for a uniform layer interface.
            inference: Overrides the layer's `inference` flag for this call.

        Returns:
            `(output, new_state)`; in training the state holds the updated
            statistics.

        Raises:
            ValueError: If `x` does not have `input_size` channels, or, in training,
                the layer is not called under a vmap with axis name `axis_name`.
        """
        if x.ndim < 1 or x.shape[0] != self.input_size:
            raise ValueError(
                _MSG_CHANNELS.format(layer=layer_name(self), size=self.input_size, shape=x.shape)
            )
        if inference is None:
            inference = self.inference
        momentum = self.momentum
        if self.mode == "ema":
            assert self.ema_first_time_index is not None and self.ema_state_index is not None
            if inference:
                mean, var = state.get(self.ema_state_index)
            else:
                first_time = state.get(self.ema_first_time_index)
                state = state.set(self.ema_first_time_index, jnp.array(False))
                batch_mean, batch_var = self._statistics(x)
                running_mean, running_var = state.get(self.ema_state_index)
                mean = (1 - momentum) * batch_mean + momentum * running_mean
                var = (1 - momentum) * batch_var + momentum * running_var
                mean = jax.lax.select(first_time, batch_mean, mean)
                var = jax.lax.select(first_time, batch_var, var)
                state = state.set(self.ema_state_index, (mean, var))
        else:
            assert self.batch_counter is not None and self.batch_state_index is not None
            counter = state.get(self.batch_counter)
            running_mean, running_var = state.get(self.batch_state_index)
            if inference:
                # The moving average started from zero: divide by the weight it has
                # accumulated so far (none before the first batch).
                debias = jnp.where(counter == 0, 1, 1 - momentum**counter)
                mean, var = running_mean / debias, running_var / debias
            else:
                mean, var = self._statistics(x)
                state = state.set(self.batch_counter, counter + 1)
                running = (
                    running_mean * momentum + mean * (1 - momentum),
                    running_var * momentum + var * (1 - momentum),
                )
                state = state.set(self.batch_state_index, running)

        def normalise(channel: jax.Array, m: Any, v: Any, w: Any, b: Any) -> jax.Array:
            out: jax.Array = (channel - m) / jnp.sqrt(v + self.eps)
            return out * w + b if self.channelwise_affine else out

        out: jax.Array = jax.vmap(normalise)(x, mean, var, self.weight, self.bias)
        return out, state
