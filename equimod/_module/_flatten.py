"""Pytree registration of Module classes.

A Module is registered as a JAX dataclass node, so flatten runs in JAX's C++
code and reads fields with plain `getattr`. JAX's dataclass unflatten calls the
class with keyword arguments; running the class's `__init__` on them would be
wrong (a hand-written one takes other arguments, and any `__init__` may be
wrapped after the class is made, by jaxtyping's `@jaxtyped` or a type checker,
and check the leaves: markers, `None`s, tracers), so one extra meta field,
`UNFLATTEN_TOKEN_NAME`, carries a class-level sentinel, and the Module
metaclass recognises it and fills the new instance directly, never running
`__init__`, converters or checks.

A class built by its generated `__init__` alone is called without the
metaclass's Python `__call__`: that `__init__` (see `init_ignoring_the_token`)
takes the token as one more keyword and only assigns the fields, which is all
unflatten needs. Once its `__init__` is replaced, the class returns to the
metaclass's `__call__`.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final

import jax.tree_util as jtu

from ._jax_transformed import TRANSFORMED_TYPES, may_hold_transformed, warn_if_jax_transformed


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
    # them directly where this JAX has them: listed in `_all_registries`, or
    # (JAX 0.4, the oldest supported) the three that its `register_dataclass` names.
    try:
        from jax._src import tree_util as jax_tree_util

        registries = tuple(
            getattr(jax_tree_util, "_all_registries", None)
            or (
                jax_tree_util.default_registry,
                jax_tree_util.none_leaf_registry,
                jax_tree_util.dispatch_registry,
            )
        )
        for registry in registries:
            if not hasattr(registry, "register_dataclass_node"):
                return None
        return registries
    except (ImportError, AttributeError):
        return None


_FAST_REGISTRIES = _registries()


def register_module(cls: type, data_fields: Sequence[str], meta_fields: Sequence[str]) -> None:
    """Register `cls` as a pytree whose children are `data_fields`, in order."""
    data = list(data_fields)
    meta = [*meta_fields, UNFLATTEN_TOKEN_NAME]
    if _FAST_REGISTRIES is not None:
        for registry in _FAST_REGISTRIES:
            registry.register_dataclass_node(cls, data, meta)
        _register_python_entry(cls, data, meta)
    else:
        _register_with_callbacks(cls, data, meta)


def _python_callbacks(cls: type, data: list[str], meta: list[str]) -> tuple[Any, Any, Any]:
    """`cls`'s flatten, flatten with keys and unflatten as Python functions: for the
    places of JAX that work in Python, and for a JAX whose registries are not found."""
    keys = [jtu.GetAttrKey(n) for n in data]

    def flatten(x: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        return tuple(getattr(x, n) for n in data), tuple(getattr(x, n) for n in meta)

    def flatten_with_keys(x: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        children = tuple(zip(keys, (getattr(x, n) for n in data), strict=True))
        return children, tuple(getattr(x, n) for n in meta)

    def unflatten(meta_values: tuple[Any, ...], children: Sequence[Any]) -> Any:
        return cls(
            **dict(zip(meta, meta_values, strict=True)), **dict(zip(data, children, strict=True))
        )

    return flatten, flatten_with_keys, unflatten


def _register_python_entry(cls: type, data: list[str], meta: list[str]) -> None:
    # JAX keeps Python flatten/unflatten functions beside the C++ registration
    # for the few places that work in Python; mirror what register_dataclass stores
    # (JAX 0.4 also keeps the flatten with keys).
    try:
        from jax._src import tree_util as jax_tree_util

        flatten, flatten_with_keys, unflatten = _python_callbacks(cls, data, meta)
        jax_tree_util._registry[cls] = jax_tree_util._RegistryEntry(flatten, unflatten)
        with_keys = getattr(jax_tree_util, "_registry_with_keypaths", None)
        if with_keys is not None:
            # (Only JAX 0.4 has it, the oldest supported.)
            entry = jax_tree_util._RegistryWithKeypathsEntry  # type: ignore[attr-defined,unused-ignore]
            with_keys[cls] = entry(flatten_with_keys, unflatten)
    except (ImportError, AttributeError):
        pass


def _register_with_callbacks(cls: type, data: list[str], meta: list[str]) -> None:
    flatten, flatten_with_keys, unflatten = _python_callbacks(cls, data, meta)
    jtu.register_pytree_with_keys(cls, flatten_with_keys, unflatten, flatten_func=flatten)


_SELF = "__equimod_self"
_SETATTR = "__equimod_setattr"
_TRANSFORMED = "__equimod_transformed_types"
_WARN = "__equimod_warn_if_transformed"


def init_ignoring_the_token(cls: type, fields: Sequence[dataclasses.Field[Any]]) -> Any:
    """`cls`'s generated `__init__` again, taking the unflatten token as one more keyword.

    It assigns the fields as the generated one does (defaults and default
    factories included) and ignores the token; its signature, as `inspect`
    reports it, is the generated one's.
    """
    generated: Callable[..., None] = cls.__init__  # type: ignore[misc]
    signature = inspect.signature(generated)
    values: dict[str, Any] = {
        _SETATTR: object.__setattr__,
        _TRANSFORMED: TRANSFORMED_TYPES,
        _WARN: warn_if_jax_transformed,
    }
    parameters = []
    keyword_only = False
    for parameter in list(signature.parameters.values())[1:]:
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and not keyword_only:
            parameters.append("*")
            keyword_only = True
        if parameter.default is inspect.Parameter.empty:
            parameters.append(parameter.name)
        else:
            values[f"__equimod_default_{parameter.name}"] = parameter.default
            parameters.append(f"{parameter.name}=__equimod_default_{parameter.name}")
    if not keyword_only:
        parameters.append("*")
    parameters.append(f"{UNFLATTEN_TOKEN_NAME}=None")
    body = []
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:
            values[f"__equimod_factory_{f.name}"] = f.default_factory
            body.append(
                f"if {f.name} is __equimod_default_{f.name}: "
                f"{f.name} = __equimod_factory_{f.name}()"
            )
        body.append(f"{_SETATTR}({_SELF}, {f.name!r}, {f.name})")
        if may_hold_transformed(f.type):
            # The warning for a JAX-transformed callable: one set lookup.
            body.append(
                f"if type({f.name}) in {_TRANSFORMED}: {_WARN}(type({_SELF}), {f.name!r}, {f.name})"
            )
    source = (
        f"def __make({', '.join(values)}):\n"
        f" def __init__({_SELF}, {', '.join(parameters)}):\n"
        + "".join(f"  {line}\n" for line in body or ["pass"])
        + " return __init__\n"
    )
    module = sys.modules.get(cls.__module__)
    made: dict[str, Any] = {}
    # Named as a file in equimod's folder (there is none), so that a warning it gives
    # names the user's line, and a traceback shows where it was generated.
    filename = os.path.join(
        os.path.dirname(__file__), f"<__init__ generated for {cls.__qualname__}>"
    )
    exec(compile(source, filename, "exec"), vars(module) if module is not None else {}, made)
    init = made["__make"](**values)
    for attribute in ("__module__", "__qualname__", "__doc__", "__annotations__"):
        setattr(init, attribute, getattr(generated, attribute))
    init.__signature__ = signature
    return init
