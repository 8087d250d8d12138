"""`SpectralNorm`: a layer whose weight is divided by its largest singular value."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import jax
import jax.numpy as jnp

from .._module import field
from .._tree import tree_at
from ._defaults_and_checks import layer_name, layer_weight
from ._stateful import State, StatefulLayer, StateIndex

_Layer = TypeVar("_Layer")

_MSG_WEIGHT_RANK = (
    "{wrapper}: {layer}.{name} has shape {shape}; a spectral norm needs a weight of at "
    "least two dimensions (it is taken over the first axis against all the others)."
)
_INITIAL_ITERATIONS = 15


def _power_iteration(weight: jax.Array, v: jax.Array, eps: float) -> tuple[jax.Array, jax.Array]:
    """One step towards the leading singular vectors `(u, v)` of `weight`."""
    u = weight @ v
    u = u / jnp.maximum(eps, jnp.sqrt(jnp.sum(u**2)))
    v = weight.T @ u
    v = v / jnp.maximum(eps, jnp.sqrt(jnp.sum(v**2)))
    return u, v


class SpectralNorm(StatefulLayer, Generic[_Layer]):
    """Wraps `layer` so that its `weight_name` weight is used divided by its spectral
    norm, as `equinox.nn.SpectralNorm` (Miyato et al., 2018).

    The singular vectors are estimated by power iteration and kept in the `State`;
    each call in training runs `num_power_iterations` more steps. Call it as
    `y, state = layer(x, state)`.

    Args:
        layer: The layer to wrap.
        weight_name: The name of the layer's weight field to normalise (at least
            2-d).
        num_power_iterations: Power-iteration steps per call in training.
        eps: Added to norms, for numerical stability.
        inference: Use the stored singular vectors without iterating.
        key: A PRNG key for the initial singular vectors.

    Raises:
        ValueError: If the weight has fewer than two dimensions.
    """

    layer: _Layer
    weight_name: str = field(static=True)
    uv_index: StateIndex[tuple[jax.Array, jax.Array]]
    num_power_iterations: int = field(static=True)
    eps: float = field(static=True)
    inference: bool

    def __init__(
        self,
        layer: _Layer,
        weight_name: str,
        num_power_iterations: int = 1,
        eps: float = 1e-12,
        inference: bool = False,
        *,
        key: jax.Array,
    ) -> None:
        weight = layer_weight(self, "normalise", layer, weight_name)
        if weight.ndim < 2:
            raise ValueError(
                _MSG_WEIGHT_RANK.format(
                    wrapper=layer_name(self),
                    layer=layer_name(layer),
                    name=weight_name,
                    shape=weight.shape,
                )
            )
        matrix = jnp.reshape(weight, (weight.shape[0], -1))
        # Equinox draws a starting u from the first key; each step recomputes u from v.
        _, vkey = jax.random.split(key)
        v = jax.random.normal(vkey, (matrix.shape[1],), matrix.dtype)
        u = matrix @ v
        for _ in range(_INITIAL_ITERATIONS):
            u, v = _power_iteration(matrix, v, eps)
        self.layer = layer
        self.weight_name = weight_name
        self.uv_index = StateIndex((u, v))
        self.num_power_iterations = num_power_iterations
        self.eps = eps
        self.inference = inference

    def __call__(
        self,
        x: jax.Array,
        state: State,
        *,
        key: jax.Array | None = None,
        inference: bool | None = None,
    ) -> tuple[Any, State]:
        """Apply the layer with its normalised weight.

        Args:
            x: The wrapped layer's input.
            state: The model's `State`, holding the singular-vector estimates.
            key: Ignored; accepted for a uniform layer interface.
            inference: Overrides the layer's `inference` flag for this call.

        Returns:
            `(output, new_state)`; in training the state holds the updated estimates.
        """
        u, v = state.get(self.uv_index)
        weight = getattr(self.layer, self.weight_name)
        matrix = jnp.reshape(weight, (weight.shape[0], -1))
        if inference is None:
            inference = self.inference
        if not inference:
            fixed = jax.lax.stop_gradient(matrix)
            for _ in range(self.num_power_iterations):
                u, v = _power_iteration(fixed, v, self.eps)
            state = state.set(self.uv_index, (u, v))
        sigma = jnp.einsum("i,ij,j->", u, matrix, v)
        normalised = jnp.reshape(matrix / sigma, weight.shape)
        layer = tree_at(lambda lyr: getattr(lyr, self.weight_name), self.layer, normalised)
        return layer(x), state
