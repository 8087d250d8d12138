"""`MLP`: a multi-layer perceptron of `Linear` layers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import jax

from .._module import Module, field
from ._linear import Linear
from ._misc import check_size

_MSG_BAD_DEPTH = "MLP: depth must be a non-negative int, got {depth!r}."


def _identity(x: jax.Array) -> jax.Array:
    return x


class MLP(Module):
    """Standard multi-layer perceptron, as `equinox.nn.MLP`.

    Args:
        in_size: The input size, or `"scalar"`.
        out_size: The output size, or `"scalar"`.
        width_size: The size of each hidden layer.
        depth: The number of hidden layers plus the output layer: `depth=0` is a
            single `Linear(in_size, out_size)`.
        activation: Applied after every hidden layer (default ReLU).
        final_activation: Applied after the output layer (default the identity).
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
            raise ValueError(_MSG_BAD_DEPTH.format(depth=depth))
        if depth > 0:
            check_size("MLP", "width_size", width_size, allow_scalar=False)
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
        self.activation = activation
        self.final_activation = final_activation
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
        """
        *hidden, last = self.layers
        if self.scan and hidden:
            first, stacked = hidden
            x = self.activation(first(x))
            x, _ = jax.lax.scan(lambda x, layer: (self.activation(layer(x)), None), x, stacked)
        else:
            for layer in hidden:
                x = self.activation(layer(x))
        return self.final_activation(last(x))
