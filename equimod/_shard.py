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
_MSG_NOT_A_PLACEMENT = (
    "filter_shard: device_or_shardings{where} is {value!r}, of type {type}, which is "
    "neither a jax.sharding.Sharding nor a jax.Device. Pass a Sharding (such as "
    "jax.sharding.NamedSharding(mesh, PartitionSpec(...))), a device, or a pytree "
    "prefix of the pytree being sharded with those at its leaves."
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
        TypeError: If a leaf of `device_or_shardings` is neither a Sharding nor a
            device.
        ValueError: If `device_or_shardings` is not a prefix of `x`.
    """
    _check_placements(device_or_shardings)
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


def _check_placements(device_or_shardings: Any) -> None:
    # Checked here, so that the error names the argument rather than being JAX's
    # about the value device_put or with_sharding_constraint was handed.
    for path, leaf in jtu.tree_flatten_with_path(device_or_shardings, is_leaf=_is_placement)[0]:
        if not _is_placement(leaf):
            raise TypeError(
                _MSG_NOT_A_PLACEMENT.format(
                    where=jtu.keystr(path), value=leaf, type=type(leaf).__name__
                )
            )
