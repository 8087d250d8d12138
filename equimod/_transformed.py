"""The base of every transform's wrapper: a Module holding the callable it transforms.

Being a Module is what lets a layer stored behind a transform train: the
wrapped callable is a field, so its arrays are leaves of any model that holds
the wrapper, seen by `filter_grad` and traced by `filter_jit`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar, cast

from ._module import Module
from ._module._wrappers import require_callable, wrapped_attribute
from ._partial import Partial

_Transform = TypeVar("_Transform", bound=Callable[..., Any])


def transform(name: str, purpose: str) -> Callable[[_Transform], _Transform]:
    """Make a function `apply(fun, **options)` a transform named `name`.

    Called with its options alone (`fun` omitted or None), the transform is a
    decorator: `functools.partial` of itself. Called with anything else but a
    callable, it raises `TypeError` in the words of `require_callable`.
    """

    def decorate(apply: _Transform) -> _Transform:
        @functools.wraps(apply)
        def apply_or_decorate(*args: Any, **options: Any) -> Any:
            fun = args[0] if args else options.pop("fun", None)
            if fun is None:
                return functools.partial(apply_or_decorate, *args[1:], **options)
            require_callable(fun, name, purpose)
            return apply(fun, *args[1:], **options)

        return cast("_Transform", apply_or_decorate)

    return decorate


def callable_name(fun: Any) -> str:
    """The name error messages give a callable: its `__name__`, else its class's."""
    return getattr(fun, "__name__", type(fun).__name__)


class _WrappedDoc:
    """`__doc__` of a wrapper class: the class's own docstring, read on the class; the
    wrapped callable's, read on an instance (even one JAX rebuilt from leaves, which
    holds only fields)."""

    def __init__(self, doc: str | None) -> None:
        self.doc = doc

    def __get__(self, instance: Any, owner: type | None = None) -> str | None:
        if instance is None:
            return self.doc
        return getattr(instance.__dict__.get("fun"), "__doc__", None)


class _WrappedAnnotations(dict):  # type: ignore[type-arg]
    """`__annotations__` of a wrapper class: the class's own (its fields), as a dict
    that `typing` and `dataclasses` read; the wrapped callable's on an instance."""

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return getattr(instance.__dict__.get("fun"), "__annotations__", {})


class Transformed(Module):
    """A Module wrapping `fun`: shows `fun`'s name and signature, and binds as a method."""

    fun: Callable[..., Any]
    # The transform's public name, for its errors and warnings: "filter_jit", ...
    transform_name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Found on the class before `__getattr__` is asked: read from `fun` instead.
        # (A class without a docstring gets one, before dataclasses writes its own.)
        doc = cls.__dict__.get("__doc__") or f"{cls.__name__}: a Module wrapping a callable."
        cls.__doc__ = _WrappedDoc(doc)  # type: ignore[assignment]
        # (The dict as written in the class body, not as `inspect` would evaluate it.)
        own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
        cls.__annotations__ = _WrappedAnnotations(own)

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
