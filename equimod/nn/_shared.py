"""`Shared`: one set of parameters used in several places of a model (tied weights)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._eval_shape import filter_eval_shape
from .._module import Module
from .._tree import tree_at
from .._tree_equal import tree_equal

_MSG_MISMATCH = (
    "Every node being shared together by nn.Shared must have the same structure, shapes "
    "and dtypes: what `where` picks out and what `get` returns must have the same "
    "structure, shapes and dtypes. `where` picks out {where} and `get` returns {get}."
)


class SharedNode:
    """Stands in a `Shared` model for a node that is filled in from `get` when called."""

    def __repr__(self) -> str:
        return "SharedNode"


class Shared(Module):
    """A pytree in which the nodes `where` picks out are copies of what `get` picks out.

    As `equinox.nn.Shared`: the copies are not stored (they hold a `SharedNode`), so
    the parameters exist once and `shared()` returns the pytree with them filled in;
    gradients from every use add up on the one stored copy. E.g. tied embedding and
    output weights: `Shared((embedding, linear), lambda p: p[1].weight,
    lambda p: p[0].weight)`.

    Args:
        pytree: The pytree holding the nodes, typically a tuple of layers.
        where: A function of `pytree` picking out the nodes to replace (one node
            or a tuple of them), as in `equimod.tree_at`.
        get: A function of `pytree` picking out the nodes they are copies of, in
            the same order.

    Raises:
        ValueError: If the nodes `where` and `get` pick out differ in structure,
            shape or dtype.
    """

    pytree: Any
    where: Callable[..., Any]
    get: Callable[..., Any]

    def __init__(self, pytree: Any, where: Callable[..., Any], get: Callable[..., Any]) -> None:
        source = filter_eval_shape(get, pytree)
        destination = filter_eval_shape(where, pytree)
        if tree_equal(source, destination) is not True:
            raise ValueError(_MSG_MISMATCH.format(where=destination, get=source))
        self.pytree = tree_at(where, pytree, replace_fn=lambda _: SharedNode())
        self.where = where
        self.get = get

    def __call__(self) -> Any:
        """The pytree with every shared node filled in from `get`.

        Returns:
            `pytree` with the nodes that `where` picks out replaced by those that
            `get` picks out.
        """
        return tree_at(self.where, self.pytree, self.get(self.pytree))
