"""Methods of a Module instance are pytrees: `model.method` carries `model`'s leaves.

At class creation every plain (non-dunder) function of a Module class is
wrapped in a `MethodDescriptor`. Reading it on an instance makes a
`BoundMethod`, itself a Module, so `jax.jit(model.method)`, `filter_jit` and
`jax.grad` see the model's arrays as inputs rather than as constants. Doing this
with a descriptor, not `__getattribute__`, keeps ordinary attribute reads as
cheap as on any class.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from ._field import field
from ._module import Module


class MethodDescriptor:
    """Class-level stand-in for a method: the function on the class, a BoundMethod on instances."""

    __slots__ = ("__func__",)

    def __init__(self, func: types.FunctionType) -> None:
        self.__func__ = func

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self.__func__
        bound = _new_instance(BoundMethod)
        _set_instance_dict(bound, {"__func__": self.__func__, "__self__": instance})
        return bound

    def __getattr__(self, name: str) -> Any:
        # `__name__`, `__doc__`, `__isabstractmethod__`, ... as on the function.
        return getattr(self.__func__, name)

    def __repr__(self) -> str:
        return f"<equimod method {self.__func__.__qualname__}>"


def wrap_methods(cls: type, field_names: frozenset[str]) -> None:
    """Replace each plain function of `cls`'s own namespace, fields and dunders aside."""
    for name, value in list(cls.__dict__.items()):
        if (
            isinstance(value, types.FunctionType)
            and name not in field_names
            and not (name.startswith("__") and name.endswith("__"))
        ):
            setattr(cls, name, MethodDescriptor(value))


class BoundMethod(Module):
    """A method bound to a Module instance, and a pytree whose leaves are the instance's."""

    __func__: types.FunctionType = field(static=True)
    __self__: Module

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__func__(self.__self__, *args, **kwargs)

    @property
    def __wrapped__(self) -> Callable[..., Any]:
        # What `inspect.signature` follows: the plain bound method, without `self`.
        return types.MethodType(self.__func__, self.__self__)

    def __getattr__(self, name: str) -> Any:
        # `__name__`, `__qualname__`, ... as on the function.
        func = self.__dict__.get("__func__")
        if func is None:
            raise AttributeError(name)
        return getattr(func, name)

    # As for Python's bound methods: equal when they bind the same function to the
    # same object. JAX hashes the function given to `jax.jit`, and Module hashing
    # would need hashable leaves, which arrays are not.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BoundMethod):
            return NotImplemented
        return self.__func__ is other.__func__ and self.__self__ is other.__self__

    def __hash__(self) -> int:
        return hash((self.__func__, id(self.__self__)))

    def __repr__(self) -> str:
        return f"<bound method {self.__func__.__qualname__} of {self.__self__!r}>"


_new_instance = object.__new__
_set_instance_dict = vars(Module)["__dict__"].__set__
