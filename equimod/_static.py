"""`Static`: a value carried through a JAX transform in the tree structure."""

from __future__ import annotations

from typing import Any, cast

import jax.tree_util as jtu

from ._module import Module, field


class Static(Module):
    """Carries `value` through a JAX transform as part of the treedef, never as a leaf.

    Transforms return it from the traced function to get non-array outputs out.
    """

    value: Any = field(static=True)


def static_equal(a: Any, b: Any) -> bool:
    """Whether two pytrees of non-array leaves have the same structure and equal leaves."""
    a_leaves, a_treedef = jtu.tree_flatten(a)
    b_leaves, b_treedef = jtu.tree_flatten(b)
    if cast(Any, a_treedef) != b_treedef:
        return False
    try:
        return all(x is y or bool(x == y) for x, y in zip(a_leaves, b_leaves, strict=True))
    except Exception:
        return False
