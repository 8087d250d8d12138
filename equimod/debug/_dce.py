"""`store_dce` and `inspect_dce`: which arrays the compiler removed as dead code."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, TypeVar

import jax
import jax.tree_util as jtu
import wadler_lindig as wl

from .._filters import combine, is_array, partition
from .._pretty_print import tree_pformat

_T = TypeVar("_T")

_MSG_OUTSIDE_JIT = (
    "store_dce records what compiled code keeps: call it inside jax.jit or filter_jit."
)
_MSG_INSIDE_JIT = "inspect_dce reports what compiled code ran: call it outside jax.jit."


class _Shown:
    """A leaf that prints as the given text."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class _Entry:
    """One call of `store_dce`: which of its arrays ran, by position."""

    __slots__ = ("alive", "static", "treedef")

    def __init__(self, treedef: Any, static: Any) -> None:
        self.alive: dict[int, str] = {}
        self.treedef = treedef
        self.static = static


_STORE: dict[Hashable, list[_Entry]] = {}


def _is_traced() -> bool:
    return isinstance(jax.numpy.zeros(()) + 0, jax.core.Tracer)


def store_dce(x: _T, name: Hashable = None) -> _T:
    """Return `x` unchanged, recording, when the compiled code runs, which of its arrays survive.

    Inside `jit`, each array of `x` passes through a callback that runs only if the
    compiler keeps the array, that is, if something uses it. Non-array leaves are
    ignored.

    Args:
        x: Any pytree.
        name: The key to record under; read the record with `inspect_dce(name)`.

    Returns:
        `x`, unchanged.

    Raises:
        RuntimeError: If called outside `jax.jit`.
    """
    if not _is_traced():
        raise RuntimeError(_MSG_OUTSIDE_JIT)
    dynamic, static = partition(x, is_array)
    leaves, treedef = jtu.tree_flatten(dynamic)
    entry = _Entry(treedef, static)
    _STORE.setdefault(name, []).append(entry)

    def recorder(position: int) -> Any:
        def record(value: Any) -> Any:
            entry.alive[position] = wl.array_summary(value.shape, value.dtype.name, kind=None).text
            return value

        return record

    kept = [
        jax.pure_callback(recorder(i), leaf, leaf, vmap_method="expand_dims")
        for i, leaf in enumerate(leaves)
    ]
    return combine(jtu.tree_unflatten(treedef, kept), static)  # type: ignore[no-any-return]


def inspect_dce(name: Hashable = None) -> None:
    """Print what `store_dce(..., name)` recorded: each array's shape, or `<DCE'd>` if removed.

    Args:
        name: The key given to `store_dce`.

    Raises:
        RuntimeError: If called inside `jax.jit`.
    """
    if _is_traced():
        raise RuntimeError(_MSG_INSIDE_JIT)
    entries = _STORE.get(name, [])
    print(
        f"Found {len(entries)} call{'' if len(entries) == 1 else 's'} to `equimod.debug.store_dce`."
    )
    for number, entry in enumerate(entries):
        shown = [_Shown(entry.alive.get(i, "<DCE'd>")) for i in range(entry.treedef.num_leaves)]
        print(f"Entry {number}:")
        print(tree_pformat(combine(jtu.tree_unflatten(entry.treedef, shown), entry.static)))
