"""`Static`: a value carried through a JAX transform in the tree structure."""

from __future__ import annotations

from typing import Any, cast

import jax.tree_util as jtu


class Held:
    """A value in a treedef, compared and hashed as its flattened leaves and structure.

    JAX compares the treedefs holding a `Static` or a Module's static field (in its
    caches): comparing the value itself could call the `__eq__` of a Module inside
    it, which compares arrays and may give an array rather than a bool. A static
    field that holds a pytree holds it as a `Held`.
    """

    __slots__ = ("_key", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self._key: tuple[tuple[Any, ...], Any] | None = None

    def _flat(self) -> tuple[tuple[Any, ...], Any]:
        if self._key is None:
            leaves, treedef = jtu.tree_flatten(self.value)
            self._key = (tuple(leaves), treedef)
        return self._key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Held) and self._flat() == other._flat()

    def __hash__(self) -> int:
        return hash(self._flat())


class Static:
    """Carries `value` through a JAX transform as part of the treedef, never as a leaf.

    Transforms return it from the traced function to get non-array outputs out.
    A pytree node with no children, not a Module: `filter_jit` rebuilds one per
    call from the compiled function's output structure, and a Module's
    unflatten costs several times what this one's does.
    """

    __slots__ = ("held",)

    def __init__(self, value: Any) -> None:
        self.held = Held(value)

    @property
    def value(self) -> Any:
        """The value carried."""
        return self.held.value

    def __repr__(self) -> str:
        return f"Static({self.held.value!r})"


def _rebuild(held: Held, children: Any) -> Static:
    static = object.__new__(Static)
    static.held = held
    return static


jtu.register_pytree_node(Static, lambda static: ((), static.held), _rebuild)


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
