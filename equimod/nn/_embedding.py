"""`Embedding`: a lookup table."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .._module import Module, field
from ._defaults_and_checks import default_floating_dtype, layer_name

_MSG_ARGS = (
    "{layer} needs either num_embeddings=..., embedding_size=... and key=..., or "
    "weight=... (an array of shape (num_embeddings, embedding_size)); got {given}."
)
_MSG_SIZE = "{layer}: {name} must be a non-negative int, got {value!r}."
_MSG_WEIGHT = "{layer}: weight must have shape (num_embeddings, embedding_size), got {shape}."
_MSG_INDEX = "{layer} expects a scalar integer index, got {what}. For many, use jax.vmap."


class Embedding(Module):
    """A table of `num_embeddings` vectors of size `embedding_size`, as `equinox.nn.Embedding`.

    Initialised from a standard normal, or from a given `weight`. Calling it with
    a scalar integer index returns that row. As with any JAX indexing, an index
    out of range is clamped, not an error.

    Args:
        num_embeddings: The number of rows of the table.
        embedding_size: The size of each row.
        weight: A table to use, of shape `(num_embeddings, embedding_size)`,
            instead of the sizes and a key.
        dtype: The table's dtype when it is drawn (default float32, float64 under
            x64).
        key: A PRNG key for the initialisation.

    Raises:
        ValueError: If neither the sizes and a key nor a `weight` are given, a
            size is negative, or `weight` does not have the shape the sizes give.
    """

    num_embeddings: int = field(static=True)
    embedding_size: int = field(static=True)
    weight: jax.Array

    def __init__(
        self,
        num_embeddings: int | None = None,
        embedding_size: int | None = None,
        weight: jax.Array | None = None,
        dtype: Any = None,
        *,
        key: jax.Array | None = None,
    ) -> None:
        if weight is None:
            if num_embeddings is None or embedding_size is None or key is None:
                given = {
                    "num_embeddings": num_embeddings,
                    "embedding_size": embedding_size,
                    "key": "given" if key is not None else None,
                }
                raise ValueError(_MSG_ARGS.format(layer=layer_name(self), given=given))
            for name, value in (
                ("num_embeddings", num_embeddings),
                ("embedding_size", embedding_size),
            ):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(
                        _MSG_SIZE.format(layer=layer_name(self), name=name, value=value)
                    )
            dtype = default_floating_dtype() if dtype is None else dtype
            weight = jax.random.normal(key, (num_embeddings, embedding_size), dtype)
        else:
            shape = jnp.shape(weight)
            if (
                len(shape) != 2
                or (num_embeddings is not None and shape[0] != num_embeddings)
                or (embedding_size is not None and shape[1] != embedding_size)
            ):
                raise ValueError(_MSG_WEIGHT.format(layer=layer_name(self), shape=shape))
            num_embeddings, embedding_size = shape
        self.num_embeddings = num_embeddings
        self.embedding_size = embedding_size
        self.weight = weight

    def __call__(self, x: Any, *, key: jax.Array | None = None) -> jax.Array:
        """Look up one row.

        Args:
            x: A scalar integer index.
            key: Ignored; accepted for a uniform layer interface.

        Returns:
            The row at `x`, shape `(embedding_size,)`.

        Raises:
            ValueError: If `x` is not a scalar integer.
        """
        if jnp.shape(x) != () or not jnp.issubdtype(jnp.result_type(x), jnp.integer):
            raise ValueError(
                _MSG_INDEX.format(
                    layer=layer_name(self), what=f"shape {jnp.shape(x)} of {jnp.result_type(x)}"
                )
            )
        return self.weight[x]
