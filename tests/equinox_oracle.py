"""Comparing equimod's results with Equinox's, the oracle for what a name means."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import equimod


def same_as_equinox(a: Any, b: Any) -> bool:
    """Equal structure, equal non-array leaves, allclose arrays (equimod and Equinox
    Modules aside)."""
    a_leaves = jax.tree_util.tree_leaves(a)
    b_leaves = jax.tree_util.tree_leaves(b)
    if len(a_leaves) != len(b_leaves):
        return False
    for x, y in zip(a_leaves, b_leaves, strict=True):
        if equimod.is_array(x) or equimod.is_array(y):
            if jnp.shape(x) != jnp.shape(y) or not np.allclose(x, y, equal_nan=True):
                return False
        elif isinstance(x, jax.ShapeDtypeStruct):
            if (x.shape, x.dtype) != (y.shape, y.dtype):
                return False
        elif x != y:
            return False
    return True


def mixed(x: dict[str, Any], scale: float, name: str) -> dict[str, Any]:
    """A function whose output mixes arrays, integer arrays, Python values and constants."""
    return {
        "out": jnp.sin(x["w"]) * scale,
        "count": x["n"],
        "ints": x["i"] + 1,
        "name": name,
        "const": jnp.ones(2),
    }


# An input of `mixed`: a float array, a Python int and an integer array.
PRIMAL = {"w": jnp.arange(3.0), "n": 2, "i": jnp.arange(2)}
