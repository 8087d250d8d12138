"""Recurrent cells: `GRUCell` and `LSTMCell`, one step of a recurrence each."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from .._module import Module, field
from ._defaults_and_checks import (
    check_multiplied_size,
    check_size,
    default_floating_dtype,
    uniform_init,
)


def _init_cell(
    cell: GRUCell | LSTMCell,
    gates: int,
    input_size: int,
    hidden_size: int,
    use_bias: bool,
    dtype: Any,
    keys: tuple[jax.Array, jax.Array, jax.Array],
) -> Any:
    """Sets what both cells hold: the weights and bias of `gates` gates (uniform in
    `±_limit(hidden_size)`) and the sizes. Returns the parameters' dtype."""
    check_size(cell, "input_size", input_size, allow_scalar=False)
    check_size(cell, "hidden_size", hidden_size, allow_scalar=False)
    dtype = default_floating_dtype() if dtype is None else dtype
    ihkey, hhkey, bkey = keys
    limit = _limit(hidden_size)
    cell.weight_ih = uniform_init(ihkey, (gates * hidden_size, input_size), dtype, limit)
    cell.weight_hh = uniform_init(hhkey, (gates * hidden_size, hidden_size), dtype, limit)
    cell.bias = uniform_init(bkey, (gates * hidden_size,), dtype, limit) if use_bias else None
    cell.input_size = input_size
    cell.hidden_size = hidden_size
    cell.use_bias = use_bias
    return dtype


def _check_step(cell: GRUCell | LSTMCell, input: jax.Array, *hidden: jax.Array) -> None:
    check_multiplied_size(cell, "the input", input, "input_size", cell.input_size)
    for state in hidden:
        check_multiplied_size(cell, "the hidden state", state, "hidden_size", cell.hidden_size)


def _limit(hidden_size: int) -> float:
    return math.sqrt(1 / hidden_size)


class GRUCell(Module):
    """One step of a gated recurrent unit, as `equinox.nn.GRUCell`:
    `cell(input, hidden) -> new hidden`, shapes `(input_size,)` and `(hidden_size,)`.

    Scan it over a sequence with `jax.lax.scan`.

    Args:
        input_size: The size of each input.
        hidden_size: The size of the hidden state.
        use_bias: Whether the gates have biases.
        dtype: The parameters' dtype (default float32, float64 under x64).
        key: A PRNG key for the initialisation.
    """

    weight_ih: jax.Array
    weight_hh: jax.Array
    bias: jax.Array | None
    bias_n: jax.Array | None
    input_size: int = field(static=True)
    hidden_size: int = field(static=True)
    use_bias: bool = field(static=True)

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        use_bias: bool = True,
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None:
        ihkey, hhkey, bkey, nkey = jax.random.split(key, 4)
        dtype = _init_cell(self, 3, input_size, hidden_size, use_bias, dtype, (ihkey, hhkey, bkey))
        limit = _limit(hidden_size)
        self.bias_n = uniform_init(nkey, (hidden_size,), dtype, limit) if use_bias else None

    def __call__(
        self, input: jax.Array, hidden: jax.Array, *, key: jax.Array | None = None
    ) -> jax.Array:
        """One step.

        Args:
            input: The input, shape `(input_size,)`.
            hidden: The hidden state, shape `(hidden_size,)`.
            key: Ignored; accepted for a uniform layer interface.

        Returns:
            The next hidden state, shape `(hidden_size,)`.

        Raises:
            TypeError: If `input` or `hidden` has the wrong size.
        """
        _check_step(self, input, hidden)
        in_gates = self.weight_ih @ input
        if self.bias is not None:
            in_gates = in_gates + self.bias
        in_reset, in_update, in_new = jnp.split(in_gates, 3)
        hid_reset, hid_update, hid_new = jnp.split(self.weight_hh @ hidden, 3)
        if self.bias_n is not None:
            hid_new = hid_new + self.bias_n
        reset = jax.nn.sigmoid(in_reset + hid_reset)
        update = jax.nn.sigmoid(in_update + hid_update)
        new = jnp.tanh(in_new + reset * hid_new)
        out: jax.Array = new + update * (hidden - new)
        return out


class LSTMCell(Module):
    """One step of a long short-term memory, as `equinox.nn.LSTMCell`:
    `cell(input, (h, c)) -> (h, c)`, each of shape `(hidden_size,)`.

    Args:
        input_size: The size of each input.
        hidden_size: The size of the hidden state.
        use_bias: Whether the gates have biases.
        dtype: The parameters' dtype (default float32, float64 under x64).
        key: A PRNG key for the initialisation.
    """

    weight_ih: jax.Array
    weight_hh: jax.Array
    bias: jax.Array | None
    input_size: int = field(static=True)
    hidden_size: int = field(static=True)
    use_bias: bool = field(static=True)

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        use_bias: bool = True,
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None:
        ihkey, hhkey, bkey = jax.random.split(key, 3)
        _init_cell(self, 4, input_size, hidden_size, use_bias, dtype, (ihkey, hhkey, bkey))

    def __call__(
        self,
        input: jax.Array,
        hidden: tuple[jax.Array, jax.Array],
        *,
        key: jax.Array | None = None,
    ) -> tuple[jax.Array, jax.Array]:
        """One step.

        Args:
            input: The input, shape `(input_size,)`.
            hidden: The pair `(h, c)`, each of shape `(hidden_size,)`.
            key: Ignored; accepted for a uniform layer interface.

        Returns:
            The next `(h, c)`.

        Raises:
            TypeError: If `input`, `h` or `c` has the wrong size.
        """
        h, c = hidden
        _check_step(self, input, h, c)
        gates = self.weight_ih @ input + self.weight_hh @ h
        if self.bias is not None:
            gates = gates + self.bias
        i, f, g, o = jnp.split(gates, 4)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return h, c
