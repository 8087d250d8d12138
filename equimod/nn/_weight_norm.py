"""`WeightNorm`: a layer whose weight is stored as a direction and a magnitude."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import jax
import jax.numpy as jnp

from .._module import Module, field
from .._tree import tree_at
from ._defaults_and_checks import layer_name, layer_weight

_Layer = TypeVar("_Layer")

_MSG_AXIS = (
    "{wrapper}: axis={axis} is not an axis of {layer}.{name}, of shape {shape}; pass an "
    "axis in range({ndim}), or None for one norm over the whole weight."
)


class WeightNorm(Module, Generic[_Layer]):
    """Wraps `layer` so that its weight is `g * v / |v|`, as `equinox.nn.WeightNorm`
    (Salimans & Kingma, 2016).

    `v` is the layer's `weight_name` weight, trained as it is; `g`, initialised to
    `|v|`, is the norm over every axis but `axis` (over all axes when `axis=None`).

    Args:
        layer: The layer to wrap.
        weight_name: The name of the layer's weight field.
        axis: The axis that keeps its own norm (the output axis, 0, for `Linear`
            and convolutions), or None for one norm over the whole weight.

    Raises:
        ValueError: If `axis` is not an axis of the weight.
    """

    layer: _Layer
    g: jax.Array
    weight_name: str = field(static=True)
    axis: int | None = field(static=True)

    def __init__(self, layer: _Layer, weight_name: str = "weight", axis: int | None = 0) -> None:
        weight = layer_weight(self, "reparametrise", layer, weight_name)
        if axis is not None and not -weight.ndim <= axis < weight.ndim:
            raise ValueError(
                _MSG_AXIS.format(
                    wrapper=layer_name(self),
                    axis=axis,
                    layer=layer_name(layer),
                    name=weight_name,
                    shape=weight.shape,
                    ndim=weight.ndim,
                )
            )
        self.layer = layer
        self.weight_name = weight_name
        self.axis = axis
        self.g = self._norm(weight)

    def _norm(self, v: jax.Array) -> jax.Array:
        """The 2-norm of `v` over every axis but `axis`, keeping all of `v`'s dimensions."""
        axes = tuple(range(v.ndim))
        if self.axis is not None:
            kept = self.axis % v.ndim
            axes = tuple(a for a in axes if a != kept)
        return jnp.sqrt(jnp.sum(jnp.real(v * jnp.conj(v)), axis=axes, keepdims=True))

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> Any:
        """Apply the layer with weight `g * v / |v|`.

        Args:
            x: The wrapped layer's input.
            key: Ignored (as in Equinox); accepted for a uniform layer interface.

        Returns:
            The wrapped layer's output.
        """
        v = getattr(self.layer, self.weight_name)
        weight = v * self.g / self._norm(v)
        layer = tree_at(lambda lyr: getattr(lyr, self.weight_name), self.layer, weight)
        return layer(x)
