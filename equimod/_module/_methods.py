"""Methods of a Module instance are pytrees: `model.method` carries `model`'s leaves.

At class creation every plain (non-dunder) function of a Module class is
wrapped in a `MethodDescriptor`. Reading it on an instance makes a
`BoundMethod`, itself a Module, so `jax.jit(model.method)`, `filter_jit` and
`jax.grad` see the model's arrays as inputs rather than as constants. Doing this
with a descriptor, not `__getattribute__`, keeps ordinary attribute reads as
cheap as on any class.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any

import jax

from ._field import field
from ._module import (
    Module,
    new_instance,
    set_instance_dict,
)


class MethodDescriptor:
    """Class-level stand-in for a method: the function on the class, a BoundMethod on instances."""

    # A slot keeps `__get__`'s read of the function fast; the dict holds what
    # `update_wrapper` copies.
    __slots__ = ("__dict__", "__func__")

    def __init__(self, func: types.FunctionType) -> None:
        self.__func__ = func
        # As instance attributes, `__doc__` and `__module__` shadow this class's own,
        # so `doctest` and `help` find the method's docstring where it was written.
        functools.update_wrapper(self, func)  # type: ignore[arg-type]

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self.__func__
        bound = new_instance(BoundMethod)
        set_instance_dict(bound, {"__func__": self.__func__, "__self__": instance})
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

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
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

    # Equal when they bind the same function to equal instances, as Modules compare.
    # The hash is the function's alone: a Module's hash needs hashable leaves, which
    # arrays are not, and JAX hashes the function given to `jax.jit`.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BoundMethod):
            return NotImplemented
        if self.__func__ is not other.__func__:
            return False
        if self.__self__ is other.__self__:
            return True
        # A Python bool, as JAX needs of a function it caches on: a traced
        # comparison (under `jit`) counts as unequal.
        equal = self.__self__ == other.__self__
        return not isinstance(equal, jax.core.Tracer) and bool(equal)

    def __hash__(self) -> int:
        return hash(self.__func__)

    def __repr__(self) -> str:
        return f"<bound method {self.__func__.__qualname__} of {self.__self__!r}>"
