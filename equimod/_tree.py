"""`tree_at` (out-of-place surgery on a pytree) and `apply_updates`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import jax.tree_util as jtu

from ._filters import is_none, none_or

_T = TypeVar("_T")

_MSG_REPLACE_ARGS = "tree_at needs exactly one of replace=... or replace_fn=..., got {given}."
_MSG_NOT_A_NODE = (
    "tree_at: `where` returned {what}, which is not a node of the pytree. `where` must "
    "pick out existing nodes by attribute/index access, e.g. `lambda m: m.layers[0].weight`; "
    "it may not compute new values, and static fields are not nodes (use "
    "dataclasses.replace for those)."
)
_MSG_WHERE_FAILED = (
    "tree_at: calling `where` on the pytree failed ({error}). `where` must only pick out "
    "nodes by attribute/index access, e.g. `lambda m: m.layers[0].weight`, not compute "
    "with them."
)
_MSG_DUPLICATE = "tree_at: `where` picked out the same node more than once ({what})."
_MSG_NESTED = (
    "tree_at: `where` picked out nodes nested in one another; pick out either the "
    "subtree or the nodes inside it, not both."
)
_MSG_REPLACE_NOT_SEQUENCE = (
    "tree_at: `where` picked out {nodes} nodes, so replace must be a tuple or list of "
    "{nodes} values, one per node in the same order; got {type}."
)
_MSG_REPLACE_LENGTH = (
    "tree_at: `where` picked out {nodes} node(s) but replace has {values} value(s); give "
    "one replacement per node, in the same order."
)


class _Marker:
    """Wraps one leaf of the pytree so that every position has a distinct identity."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


_UNSET: Any = object()
_EMPTY_TUPLE: tuple[()] = ()


def _unmark(tree: Any) -> Any:
    if isinstance(tree, _Marker):
        return tree.value
    return jtu.tree_map(lambda m: m.value, tree, is_leaf=lambda x: isinstance(x, _Marker))


def tree_at(
    where: Callable[[_T], Any],
    pytree: _T,
    replace: Any = _UNSET,
    replace_fn: Callable[[Any], Any] = _UNSET,
    is_leaf: Callable[[Any], bool] | None = None,
) -> Any:  # a replacement may change types; the mypy plugin types what it can
    """A copy of `pytree` with the node(s) that `where` picks out replaced.

    `pytree` itself is not modified, which is how frozen Modules are "updated":
    `tree_at(lambda m: m.layers[0].weight, model, new_weight)`.

    Args:
        where: A function of `pytree` returning one node (a leaf, including a
            None leaf, or a subtree) or a tuple/list of nodes. It sees the
            tree's Nones as None, as in Equinox (so it may leave them out);
            a None it returns is replaced, without `is_leaf`.
        pytree: The tree to copy.
        replace: The new value, or a sequence of values, one per node.
        replace_fn: Called on each old node to give its replacement. Give exactly
            one of `replace` and `replace_fn`.
        is_leaf: As in `jax.tree_util`: which nodes count as leaves.

    Returns:
        A copy of `pytree` with the nodes replaced. Typed `Any`, since a
        replacement may change the type of what it replaces; the mypy plugin
        gives it `pytree`'s type wherever every replacement fits its node.

    Raises:
        TypeError: If `where` fails on the tree (it may only pick nodes out, not
            compute), or picks out several nodes and `replace` is not a tuple or
            list.
        ValueError: If neither or both of `replace` and `replace_fn` are given;
            if `where` picks out something that is not a node of `pytree`, the
            same node twice, or nodes nested inside each other, or `replace`
            does not have one value per node.
    """
    given = [
        name for name, v in (("replace", replace), ("replace_fn", replace_fn)) if v is not _UNSET
    ]
    if len(given) != 1:
        raise ValueError(_MSG_REPLACE_ARGS.format(given=" and ".join(given) or "neither"))

    # `where` first sees the tree as Equinox shows it, its Nones as they are, so
    # that a `where` written for Equinox (one that leaves out the Nones it meets,
    # say) picks what it picked there. Only if it picks a None does it see the
    # tree again with each None marked as a leaf, to replace that None.
    marked, picked, many = _picked(where, pytree, is_leaf)
    nodes: Sequence[Any] = picked if many else [picked]
    if any(node is None for node in nodes):
        marked, picked, many = _picked(where, pytree, none_or(is_leaf))
        nodes = picked if many else [picked]
    wanted = {id(node): i for i, node in enumerate(nodes)}
    if len(wanted) != len(nodes):
        counts = [node for node in nodes if sum(n is node for n in nodes) > 1]
        raise ValueError(_MSG_DUPLICATE.format(what=_describe(_unmark_safely(counts[0]))))

    found: list[int] = []

    def is_wanted(x: Any) -> bool:
        if id(x) in wanted:
            found.append(id(x))
            return True
        return isinstance(x, _Marker)

    leaves, treedef = jtu.tree_flatten(marked, is_leaf=is_wanted)
    missing = [node for node in nodes if id(node) not in found]
    if any(_is_node_of(node, marked) for node in missing):
        raise ValueError(_MSG_NESTED)
    if missing:
        raise ValueError(_MSG_NOT_A_NODE.format(what=_describe(_unmark_safely(missing[0]))))
    if len(found) != len(set(found)):
        raise ValueError(_MSG_NESTED)

    if replace is not _UNSET:
        if many:
            if not isinstance(replace, (tuple, list)):
                raise TypeError(
                    _MSG_REPLACE_NOT_SEQUENCE.format(nodes=len(nodes), type=type(replace).__name__)
                )
            if len(replace) != len(nodes):
                raise ValueError(_MSG_REPLACE_LENGTH.format(nodes=len(nodes), values=len(replace)))
            values = list(replace)
        else:
            values = [replace]

        def new_value(node: Any) -> Any:
            return values[wanted[id(node)]]

    else:

        def new_value(node: Any) -> Any:
            return replace_fn(_unmark(node))

    new_leaves = [new_value(leaf) if id(leaf) in wanted else leaf.value for leaf in leaves]
    return jtu.tree_unflatten(treedef, new_leaves)


def _picked(
    where: Callable[[Any], Any], pytree: Any, is_leaf: Callable[[Any], bool] | None
) -> tuple[Any, Any, bool]:
    """The tree rebuilt with its leaves marked, what `where` picks out of it, and
    whether that is several nodes."""
    # Rebuilding the tree gives every internal node a fresh identity and every
    # leaf a unique marker, so `where` can be answered by identity. The empty
    # tuple is one object wherever it stands, so it is marked like a leaf.
    marked = jtu.tree_map(
        _Marker,
        pytree,
        is_leaf=lambda x: x is _EMPTY_TUPLE or (is_leaf is not None and is_leaf(x)),
    )
    try:
        picked = where(marked)
    except Exception as error:
        raise TypeError(
            _MSG_WHERE_FAILED.format(error=f"{type(error).__name__}: {error}")
        ) from error
    # A tuple or list is several nodes, unless it is itself a node of the tree.
    many = isinstance(picked, (tuple, list)) and not _is_node_of(picked, marked)
    return marked, picked, many


def _is_node_of(node: Any, tree: Any) -> bool:
    seen = []

    def check(x: Any) -> bool:
        if x is node:
            seen.append(x)
            return True
        return isinstance(x, _Marker)

    jtu.tree_flatten(tree, is_leaf=check)
    return bool(seen)


def _unmark_safely(x: Any) -> Any:
    try:
        return _unmark(x)
    except Exception:
        return x


def _describe(x: Any) -> str:
    text = repr(x)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(x).__name__} {text}"


def apply_updates(model: _T, updates: Any) -> _T:
    """`model` with `updates` added to its leaves; leaves whose update is None are kept.

    Args:
        model: Any pytree, typically a Module.
        updates: A pytree of the model's structure, typically gradients transformed
            by an optimiser (e.g. optax), with None where the model has non-array
            leaves.

    Returns:
        A pytree of `model`'s type with each leaf `leaf + update`.
    """

    def apply(update: Any, leaf: Any) -> Any:
        return leaf if update is None else leaf + update

    return jtu.tree_map(apply, updates, model, is_leaf=is_none)  # type: ignore[no-any-return]


_MSG_OWN_CHILD = (
    "tree_flatten_one_level: the {type} node is one of its own children, so the pytree "
    "contains itself. A pytree must be a tree; store a copy, or the data it needs, instead."
)
_MSG_CYCLE = (
    "tree_check: the pytree contains itself: a {type} node is reachable from its own "
    "children. A pytree must be a tree; store a copy, or the data it needs, instead."
)
_MSG_SHARED = (
    "tree_check: the same {type} node (id {id}) appears twice in the pytree. JAX "
    "treats each appearance as a separate copy, so the two places would stop sharing "
    "after any transform (a layer updated in one place keeps its old value in the "
    "other). Store it once, or make the sharing explicit."
)


def tree_flatten_one_level(pytree: Any) -> tuple[list[Any], jtu.PyTreeDef]:
    """Flatten only the root node: its immediate children, and the treedef that rebuilds it.

    Args:
        pytree: Any pytree.

    Returns:
        `(children, treedef)`; a leaf gives `([leaf], leaf_treedef)`.

    Raises:
        ValueError: If the root is one of its own children (a list holding itself).
    """
    root_seen = False

    def is_child(node: Any) -> bool:
        nonlocal root_seen
        if node is pytree and not root_seen:
            root_seen = True
            return False
        return True

    leaves, treedef = jtu.tree_flatten(pytree, is_leaf=is_child)
    if not jtu.treedef_is_leaf(treedef) and any(leaf is pytree for leaf in leaves):
        raise ValueError(_MSG_OWN_CHILD.format(type=type(pytree).__name__))
    return leaves, treedef


def tree_check(pytree: Any) -> None:
    """Raise `ValueError` unless `pytree` is a tree: no node inside itself, none reached twice.

    Leaves (arrays, numbers, ...) may repeat; a node with children (a Module, a
    list, a dict, ...) may not, since JAX would copy it apart.

    Args:
        pytree: Any pytree.

    Raises:
        ValueError: Naming the type of the first node found inside itself or
            reached twice.
    """
    seen: set[int] = set()

    def visit(node: Any, path: set[int]) -> None:
        children, treedef = tree_flatten_one_level(node)
        if treedef.num_nodes == 1 or not children:
            return  # a leaf, or a node without children (such as None or ())
        if id(node) in path:
            raise ValueError(_MSG_CYCLE.format(type=type(node).__name__))
        if id(node) in seen:
            raise ValueError(_MSG_SHARED.format(type=type(node).__name__, id=id(node)))
        seen.add(id(node))
        path.add(id(node))
        for child in children:
            visit(child, path)
        path.discard(id(node))

    visit(pytree, set())
