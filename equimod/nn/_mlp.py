"""`MLP`: a multi-layer perceptron of `Linear` layers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import jax
import jax.numpy as jnp
import jax.tree_util as jtu

from .._filters import combine, is_array, partition
from .._module import Module, field
from ._defaults_and_checks import check_multiplied_size, check_size, layer_name
from ._linear import Linear

_MSG_BAD_DEPTH = "{layer}: depth must be a non-negative int, got {depth!r}."


def _identity(x: jax.Array) -> jax.Array:
    return x


# Activations that act on each element alone: applying one to a whole vector is
# applying it to every neuron, without the vmap that any other callable gets.
_ELEMENTWISE: frozenset[Callable[..., Any]] = frozenset(
    {
        _identity,
        jax.nn.relu,
        jax.nn.relu6,
        jax.nn.gelu,
        jax.nn.sigmoid,
        jax.nn.log_sigmoid,
        jax.nn.silu,
        jax.nn.swish,
        jax.nn.softplus,
        jax.nn.elu,
        jax.nn.celu,
        jax.nn.selu,
        jax.nn.leaky_relu,
        jax.nn.hard_tanh,
        jnp.tanh,
        jnp.sin,
        jnp.exp,
        jnp.abs,
    }
)


def _per_neuron(activation: Callable[..., Any], shape: tuple[int, ...]) -> Any:
    """A copy of `activation`'s arrays for every neuron (`shape` of them), as Equinox
    makes: a learnt activation (such as `PReLU`) learns each neuron's own parameters."""
    return jtu.tree_map(
        lambda x: jnp.broadcast_to(x, shape + jnp.shape(x)) if is_array(x) else x, activation
    )


def _has_arrays(activation: Any) -> bool:
    return any(is_array(leaf) for leaf in jtu.tree_leaves(activation))


def _apply_per_neuron(activation: Any, x: jax.Array) -> jax.Array:
    """`activation` applied to each element of `x` on its own, as Equinox applies it:
    element `j` with the activation's arrays at index `j`."""
    out: jax.Array
    if not _has_arrays(activation):
        out = activation(x) if activation in _ELEMENTWISE else jax.vmap(activation)(x)
        return out
    arrays, rest = partition(activation, is_array)
    out = jax.vmap(lambda a, v: combine(a, rest)(v))(arrays, x)
    return out


def _layer_activation(activation: Any, i: Any) -> Any:
    """The per-neuron activations of hidden layer `i`."""
    if not _has_arrays(activation):
        return activation
    return jtu.tree_map(lambda x: x[i] if is_array(x) else x, activation)


class MLP(Module):
    """Standard multi-layer perceptron, as `equinox.nn.MLP`.

    Args:
        in_size: The input size, or `"scalar"`.
        out_size: The output size, or `"scalar"`.
        width_size: The size of each hidden layer.
        depth: The number of hidden layers plus the output layer: `depth=0` is a
            single `Linear(in_size, out_size)`.
        activation: Applied to each neuron of every hidden layer (default ReLU).
            As in Equinox, it is applied element by element, and one with
            arrays (a learnt activation, such as `PReLU`) is copied for every
            neuron of every hidden layer: its arrays gain leading axes
            `(depth, width_size)`.
        final_activation: Applied to each output element (default the identity);
            a learnt one is copied for every output (leading axis `out_size`).
        use_bias: Whether the hidden layers have biases.
        use_final_bias: Whether the output layer has a bias.
        dtype: The parameters' dtype (default float32, float64 under x64).
        scan: Store the hidden layers after the first as one `Linear` whose arrays
            are stacked, and apply them with `jax.lax.scan`: one compiled step for
            all of them, so compilation time does not grow with `depth`. The
            parameters are those of `scan=False` with the same key, stacked.
        key: A PRNG key for the initialisation.

    Raises:
        ValueError: If `depth` is not a non-negative int.
    """

    layers: tuple[Linear, ...]
    activation: Callable[[jax.Array], jax.Array]
    final_activation: Callable[[jax.Array], jax.Array]
    use_bias: bool = field(static=True)
    use_final_bias: bool = field(static=True)
    in_size: int | Literal["scalar"] = field(static=True)
    out_size: int | Literal["scalar"] = field(static=True)
    width_size: int = field(static=True)
    depth: int = field(static=True)
    scan: bool = field(static=True)

    def __init__(
        self,
        in_size: int | Literal["scalar"],
        out_size: int | Literal["scalar"],
        width_size: int,
        depth: int,
        activation: Callable[[jax.Array], jax.Array] = jax.nn.relu,
        final_activation: Callable[[jax.Array], jax.Array] = _identity,
        use_bias: bool = True,
        use_final_bias: bool = True,
        dtype: Any = None,
        *,
        scan: bool = False,
        key: jax.Array,
    ) -> None:
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
            raise ValueError(_MSG_BAD_DEPTH.format(layer=layer_name(self), depth=depth))
        if depth > 0:
            check_size(self, "width_size", width_size, allow_scalar=False)
        keys = jax.random.split(key, depth + 1)
        if depth == 0:
            layers = [Linear(in_size, out_size, use_final_bias, dtype, key=keys[0])]
        else:
            layers = [Linear(in_size, width_size, use_bias, dtype, key=keys[0])]

            def hidden(key: jax.Array) -> Linear:
                return Linear(width_size, width_size, use_bias, dtype, key=key)

            if scan:
                layers.append(jax.vmap(hidden)(keys[1:depth]))
            else:
                layers += [hidden(keys[i]) for i in range(1, depth)]
            layers.append(Linear(width_size, out_size, use_final_bias, dtype, key=keys[-1]))
        self.layers = tuple(layers)
        self.activation = _per_neuron(activation, (depth, width_size))
        self.final_activation = (
            final_activation if out_size == "scalar" else _per_neuron(final_activation, (out_size,))
        )
        self.use_bias = use_bias
        self.use_final_bias = use_final_bias
        self.in_size = in_size
        self.out_size = out_size
        self.width_size = width_size
        self.depth = depth
        self.scan = scan

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        """Apply the layers in turn.

        Args:
            x: An input of shape `(in_size,)` (or `()` for `"scalar"`).
            key: Ignored; accepted for a uniform layer interface.

        Returns:
            The output, shape `(out_size,)` (or `()`).

        Raises:
            TypeError: If `x` does not have `in_size` entries.
        """
        if self.in_size != "scalar":
            # The first layer would find it too, but name itself rather than the MLP.
            check_multiplied_size(self, "the input", x, "in_size", self.in_size)
        *hidden, last = self.layers
        activation = self.activation
        if self.scan and hidden:
            first, stacked = hidden
            x = _apply_per_neuron(_layer_activation(activation, 0), first(x))

            def step(x: jax.Array, indexed: tuple[Any, Linear]) -> tuple[jax.Array, None]:
                i, layer = indexed
                return _apply_per_neuron(_layer_activation(activation, i), layer(x)), None

            x, _ = jax.lax.scan(step, x, (jnp.arange(1, self.depth), stacked))
        else:
            for i, layer in enumerate(hidden):
                x = _apply_per_neuron(_layer_activation(activation, i), layer(x))
        x = last(x)
        if self.out_size == "scalar":
            return self.final_activation(x)
        return _apply_per_neuron(self.final_activation, x)
