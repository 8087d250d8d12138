"""Pytree registration of Module classes.

A Module is registered as a JAX dataclass node, so flatten runs in JAX's C++
code and reads fields with plain `getattr`. JAX's dataclass unflatten calls the
class with keyword arguments; for a class with a hand-written `__init__` that
would be wrong, so one extra meta field, `UNFLATTEN_TOKEN_NAME`, carries a
class-level sentinel, and the Module metaclass recognises it and fills the new
instance directly, never running `__init__`, converters or checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import jax.tree_util as jtu


class _UnflattenToken:
    """Marks a call of a Module class as JAX rebuilding an instance from its leaves."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<equimod unflatten>"

    def __reduce__(self) -> str:
        return "UNFLATTEN_TOKEN"


UNFLATTEN_TOKEN: Final = _UnflattenToken()
UNFLATTEN_TOKEN_NAME: Final = "_equimod_unflatten"


def _registries() -> tuple[Any, ...] | None:
    # JAX's public `register_dataclass` requires the meta and data fields to be
    # exactly the dataclass's init fields, which rules out the token and
    # `init=False` fields. Its registries accept any attribute names, so use
    # them directly where this JAX has them.
    try:
        from jax._src import tree_util as jax_tree_util

        registries = tuple(jax_tree_util._all_registries)
        for registry in registries:
            if not hasattr(registry, "register_dataclass_node"):
                return None
        return registries
    except (ImportError, AttributeError):
        return None


_FAST_REGISTRIES = _registries()


def register_module(
    cls: type, data_fields: Sequence[str], meta_fields: Sequence[str], *, rebuilt_by_init: bool
) -> None:
    """Register `cls` as a pytree whose children are `data_fields`, in order.

    `rebuilt_by_init`: calling the class with its fields as keywords rebuilds an
    instance exactly (a generated `__init__` that only assigns them), so no token.
    """
    data = list(data_fields)
    meta = [*meta_fields] if rebuilt_by_init else [*meta_fields, UNFLATTEN_TOKEN_NAME]
    if _FAST_REGISTRIES is not None:
        for registry in _FAST_REGISTRIES:
            registry.register_dataclass_node(cls, data, meta)
        _register_python_entry(cls, data, meta)
    else:
        _register_with_callbacks(cls, data, meta)


def _unflattener(cls: type, data: list[str], meta: list[str]) -> Any:
    def unflatten(meta_values: tuple[Any, ...], children: Sequence[Any]) -> Any:
        return cls(
            **dict(zip(meta, meta_values, strict=True)), **dict(zip(data, children, strict=True))
        )

    return unflatten


def _register_python_entry(cls: type, data: list[str], meta: list[str]) -> None:
    # JAX keeps Python flatten/unflatten functions beside the C++ registration
    # for the few places that work in Python; mirror what register_dataclass stores.
    try:
        from jax._src import tree_util as jax_tree_util

        def flatten(x: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
            return tuple(getattr(x, n) for n in data), tuple(getattr(x, n) for n in meta)

        jax_tree_util._registry[cls] = jax_tree_util._RegistryEntry(
            flatten, _unflattener(cls, data, meta)
        )
    except (ImportError, AttributeError):
        pass


def _register_with_callbacks(cls: type, data: list[str], meta: list[str]) -> None:
    keys = [jtu.GetAttrKey(n) for n in data]

    def flatten_with_keys(x: Any) -> tuple[list[tuple[Any, Any]], tuple[Any, ...]]:
        return [(k, getattr(x, n)) for k, n in zip(keys, data, strict=True)], tuple(
            getattr(x, n) for n in meta
        )

    def flatten(x: Any) -> tuple[list[Any], tuple[Any, ...]]:
        return [getattr(x, n) for n in data], tuple(getattr(x, n) for n in meta)

    jtu.register_pytree_with_keys(
        cls, flatten_with_keys, _unflattener(cls, data, meta), flatten_func=flatten
    )
