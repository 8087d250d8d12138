"""`filter_jit`: `jax.jit` where arrays are traced and every other leaf is static."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any, Generic, Literal, ParamSpec, TypeVar, overload

import jax
import jax.tree_util as jtu
import numpy as np

from ._module import Module, field

_P = ParamSpec("_P")
_R = TypeVar("_R")

Donate = Literal["none", "all", "all-except-first"]
_DONATE_OPTIONS = ("none", "all", "all-except-first")

_MSG_NOT_CALLABLE = "filter_jit expects a callable to compile, got {fun!r}."
_MSG_BAD_DONATE = "filter_jit(donate=...) must be one of {options}, got {donate!r}."
_MSG_UNHASHABLE_STATIC = (
    "filter_jit({name}) was called with an argument leaf of type {type} that is not an "
    "array and not hashable, so it can be neither traced nor used as a compile-time "
    "constant. Pass it as an array, make it hashable (e.g. a tuple instead of a list "
    "leaf), or close over it."
)

_ARRAY_TYPES = (jax.Array, np.ndarray, np.generic)


class _Traced:
    """Stands in a static leaf list for a leaf that is traced."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<traced>"


_TRACED = _Traced()


class _StaticOutput(Module):
    """Carries the non-array part of an output through `jax.jit` in the treedef."""

    value: Any = field(static=True)


# Concrete leaf types known to be arrays: checking the set of types of all
# leaves at once is much cheaper than an isinstance test per leaf.
_KNOWN_ARRAY_TYPES: set[type] = set()


def _split(leaves: list[Any]) -> tuple[list[Any], tuple[Any, ...] | None]:
    """The traced leaves, and the static leaves with `_TRACED` in the others' places.

    The static part is None when every leaf is traced (the common case).
    """
    types = set(map(type, leaves))
    if not types <= _KNOWN_ARRAY_TYPES:
        _KNOWN_ARRAY_TYPES.update(t for t in types if issubclass(t, _ARRAY_TYPES))
        if not types <= _KNOWN_ARRAY_TYPES:
            dynamic = []
            static = []
            for leaf in leaves:
                if isinstance(leaf, _ARRAY_TYPES):
                    dynamic.append(leaf)
                    static.append(_TRACED)
                else:
                    static.append(leaf)
            return dynamic, tuple(static)
    return leaves, None


def _merge(dynamic: list[Any], static: tuple[Any, ...] | None) -> list[Any]:
    if static is None:
        return dynamic
    values = iter(dynamic)
    return [next(values) if leaf is _TRACED else leaf for leaf in static]


class _StaticKey:
    """The static part of a call, hashed once: jax.jit hashes and compares it per call."""

    __slots__ = ("_hash", "n_first", "static_leaves", "treedef")

    def __init__(self, treedef: Any, static_leaves: tuple[Any, ...] | None, n_first: int) -> None:
        self.treedef = treedef
        self.static_leaves = static_leaves
        self.n_first = n_first
        self._hash = hash((treedef, static_leaves, n_first))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _StaticKey)
            and self._hash == other._hash
            and self.n_first == other.n_first
            and self.treedef == other.treedef
            and self.static_leaves == other.static_leaves
        )


class _JitWrapper(Generic[_P, _R]):
    """The callable `filter_jit` returns; also binds as a method."""

    def __init__(self, fun: Callable[_P, _R], donate: str) -> None:
        self._fun = fun
        self._donate = donate
        if donate == "all":
            donate_argnums: tuple[int, ...] = (0, 1)
        elif donate == "all-except-first":
            donate_argnums = (1,)
        else:
            donate_argnums = ()
        self._jitted = jax.jit(
            self._call_traced, static_argnums=(2,), donate_argnums=donate_argnums
        )
        functools.update_wrapper(self, fun)

    def _call_traced(
        self, first: list[Any], rest: list[Any], static: _StaticKey
    ) -> tuple[list[Any], _StaticOutput]:
        dynamic = first + rest
        args, kwargs = jtu.tree_unflatten(static.treedef, _merge(dynamic, static.static_leaves))
        out = self._fun(*args, **kwargs)
        out_leaves, out_treedef = jtu.tree_flatten(out)
        out_dynamic, out_static = _split(out_leaves)
        return out_dynamic, _StaticOutput((out_treedef, out_static))

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        leaves, treedef = jtu.tree_flatten((args, kwargs))
        dynamic, static_leaves = _split(leaves)
        if self._donate == "all-except-first" and args:
            n_first = len([x for x in jtu.tree_leaves(args[0]) if isinstance(x, _ARRAY_TYPES)])
        else:
            n_first = len(dynamic)
        try:
            key = _StaticKey(treedef, static_leaves, n_first)
        except TypeError:
            self._raise_unhashable(static_leaves or ())
            raise
        out_dynamic, out_static = self._jitted(dynamic[:n_first], dynamic[n_first:], key)
        out_treedef, out_static_leaves = out_static.value
        return jtu.tree_unflatten(out_treedef, _merge(out_dynamic, out_static_leaves))  # type: ignore[no-any-return]

    def _raise_unhashable(self, static_leaves: tuple[Any, ...]) -> None:
        for leaf in static_leaves:
            if not isinstance(leaf, Hashable) or _unhashable(leaf):
                raise TypeError(
                    _MSG_UNHASHABLE_STATIC.format(
                        name=getattr(self._fun, "__name__", "function"),
                        type=type(leaf).__name__,
                    )
                )

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        # As a method decorator: the instance becomes the first argument, so its
        # arrays are traced rather than baked into the compiled function.
        if instance is None:
            return self
        return functools.partial(self, instance)

    def __repr__(self) -> str:
        return f"<filter_jit {getattr(self._fun, '__qualname__', self._fun)!r}>"


def _unhashable(leaf: Any) -> bool:
    try:
        hash(leaf)
    except TypeError:
        return True
    return False


@overload
def filter_jit(fun: Callable[_P, _R], *, donate: Donate = "none") -> Callable[_P, _R]: ...


@overload
def filter_jit(
    fun: None = None, *, donate: Donate = "none"
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...


def filter_jit(fun: Any = None, *, donate: str = "none") -> Any:
    """Compile `fun` with `jax.jit`, tracing array leaves and treating the rest as static.

    Every argument may be any pytree: its JAX and NumPy arrays are traced, and
    all other leaves (Python numbers, strings, functions, ...) are compile-time
    constants, so `fun` recompiles only when they, the tree structure, or the
    array shapes and dtypes change. The output may hold non-array leaves too.
    Usable as `@filter_jit`, `@filter_jit(donate="all")`, and on methods.

    `donate`: `"none"` (default), `"all"` (donate every input array buffer to
    the output) or `"all-except-first"`.
    """
    if donate not in _DONATE_OPTIONS:
        raise ValueError(_MSG_BAD_DONATE.format(options=_DONATE_OPTIONS, donate=donate))
    if fun is None:
        return functools.partial(filter_jit, donate=donate)
    if not callable(fun):
        raise TypeError(_MSG_NOT_CALLABLE.format(fun=fun))
    return _JitWrapper(fun, donate)
