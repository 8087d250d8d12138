"""The base of every transform's wrapper: a Module holding the callable it transforms.

Being a Module is what lets a layer stored behind a transform train: the
wrapped callable is a field, so its arrays are leaves of any model that holds
the wrapper, seen by `filter_grad` and traced by `filter_jit`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from ._module import Module
from ._module._wrappers import wrapped_attribute
from ._partial import Partial


def callable_name(fun: Any) -> str:
    """The name error messages give a callable: its `__name__`, else its class's."""
    return getattr(fun, "__name__", type(fun).__name__)


class Transformed(Module):
    """A Module wrapping `fun`: shows `fun`'s name and signature, and binds as a method."""

    fun: Callable[..., Any]

    @property
    def __wrapped__(self) -> Callable[..., Any]:
        return self.fun

    def __getattr__(self, name: str) -> Any:
        # `__name__`, `__qualname__`, ... as on the wrapped callable.
        return wrapped_attribute(self, "fun", name)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        # As a method decorator: the instance becomes the first argument, as a
        # field of a `Partial`, so its arrays stay leaves.
        if instance is None:
            return self
        return Partial(cast(Callable[..., Any], self), instance)
