"""`tree_equal`: structural and leaf-wise equality of pytrees."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np

from ._filters import is_array


def tree_equal(
    *pytrees: Any, typematch: bool = False, rtol: Any = 0.0, atol: Any = 0.0
) -> bool | jax.Array:
    """Whether all `pytrees` have the same structure and equal leaves.

    Arrays are equal when their shapes and dtypes agree and their values are equal
    (within `rtol`/`atol` when given). Other leaves compare with `==`.

    Args:
        *pytrees: The pytrees to compare.
        typematch: Also require the types of non-array leaves to match.
        rtol: Relative tolerance for inexact arrays.
        atol: Absolute tolerance for inexact arrays.

    Returns:
        As in Equinox: `False` when the answer is known without comparing JAX
        arrays' values (another structure, shape, dtype or non-array leaf);
        otherwise a boolean JAX array where JAX arrays were compared (traced
        under `jax.jit`), and a Python bool where only NumPy arrays and other
        leaves were.
    """
    if len(pytrees) < 2:
        return True
    first, *rest = pytrees
    first_leaves, first_def = jtu.tree_flatten(first)
    first_structure: Any = first_def
    result: bool | jax.Array = True
    for other in rest:
        leaves, treedef = jtu.tree_flatten(other)
        if treedef != first_structure:
            return False
        for x, y in zip(first_leaves, leaves, strict=True):
            equal = _leaf_equal(x, y, typematch, rtol, atol)
            if equal is False:
                return False
            if equal is not True:
                result = equal if result is True else result & equal
    return result


def _leaf_equal(x: Any, y: Any, typematch: bool, rtol: Any, atol: Any) -> bool | jax.Array:
    if typematch and type(x) is not type(y):
        return False
    if is_array(x) or is_array(y):
        if not (is_array(x) and is_array(y)):
            return False
        if x.shape != y.shape or x.dtype != y.dtype:
            return False
        if isinstance(x, jax.Array) or isinstance(y, jax.Array):
            if rtol == 0 and atol == 0:
                return jnp.array_equal(x, y)
            return jnp.allclose(x, y, rtol=rtol, atol=atol)
        if rtol == 0 and atol == 0:
            return bool(np.array_equal(x, y))
        return bool(np.allclose(x, y, rtol=rtol, atol=atol))
    try:
        return bool(x == y)
    except Exception:
        return x is y
