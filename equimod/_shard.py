"""`filter_shard`: place the arrays of a pytree on devices, inside or outside `jax.jit`."""

from __future__ import annotations

from typing import Any, TypeVar

import jax
import jax.tree_util as jtu

from ._filters import combine, is_array, partition

_T = TypeVar("_T")

_MSG_STRUCTURE = (
    "filter_shard: device_or_shardings must be a Sharding or Device, or a pytree prefix "
    "of the pytree being sharded with those at its leaves; it does not match: {error}"
)


def _is_placement(x: Any) -> bool:
    return x is None or isinstance(x, (jax.sharding.Sharding, jax.Device))


def filter_shard(x: _T, device_or_shardings: Any) -> _T:
    """Place the array leaves of `x` according to `device_or_shardings`; other leaves pass through.

    Outside `jax.jit` this is `jax.device_put`; inside, it is
    `jax.lax.with_sharding_constraint`, telling the compiler how to lay out the
    intermediate.

    Args:
        x: Any pytree, such as a model or a batch.
        device_or_shardings: A `jax.sharding.Sharding` (or a device, outside jit),
            or a pytree prefix of `x` with those at its leaves.

    Returns:
        `x` with its arrays placed.

    Raises:
        ValueError: If `device_or_shardings` is not a prefix of `x`.
    """
    dynamic, static = partition(x, is_array)
    leaves = jtu.tree_leaves(dynamic)
    if _is_placement(device_or_shardings):
        placements: Any = device_or_shardings
    else:
        try:
            placements = jtu.tree_map(
                lambda placement, subtree: jtu.tree_map(lambda _: placement, subtree),
                device_or_shardings,
                dynamic,
                is_leaf=_is_placement,
            )
        except ValueError as error:
            raise ValueError(_MSG_STRUCTURE.format(error=error)) from None
    if any(isinstance(leaf, jax.core.Tracer) for leaf in leaves):
        placed = jax.lax.with_sharding_constraint(dynamic, placements)  # type: ignore[no-untyped-call]
    else:
        placed = jax.device_put(dynamic, placements)
    return combine(placed, static)  # type: ignore[no-any-return]
