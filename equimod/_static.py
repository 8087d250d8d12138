"""`Static`: a value carried through a JAX transform in the tree structure."""

from __future__ import annotations

from typing import Any

from ._module import Module, field


class Static(Module):
    """Carries `value` through a JAX transform as part of the treedef, never as a leaf.

    Transforms return it from the traced function to get non-array outputs out.
    """

    value: Any = field(static=True)
