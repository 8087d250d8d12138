"""Modules that wrap a callable: that it is one, and what they show of it, as
`functools.update_wrapper` would."""

from __future__ import annotations

from typing import Any, TypeVar

_W = TypeVar("_W")

_WRAPPED_NAMES = ("__module__", "__name__", "__qualname__", "__doc__", "__annotations__")

# Every transform, and `Partial`, refuses a non-callable where it is applied, in these words.
_MSG_NOT_CALLABLE = (
    "{transform} expects a callable to {purpose}, got {fun!r}. Pass the function (or "
    "Module) itself, not the result of calling it."
)
_MSG_NO_WRAPPED = (
    "module_update_wrapper({cls}): pass the wrapped callable, or give {cls} a "
    "`__wrapped__` property returning it."
)


def require_callable(fun: Any, transform: str, purpose: str) -> None:
    """Raise `TypeError` naming `transform` unless `fun` is callable."""
    if not callable(fun):
        raise TypeError(_MSG_NOT_CALLABLE.format(transform=transform, purpose=purpose, fun=fun))


def wrapped_attribute(wrapper: Any, field_name: str, name: str) -> Any:
    """For a wrapper's `__getattr__`: `name` as the callable in `field_name` has it.

    Reads the instance dict directly: `__getattr__` also runs on a half-built
    instance (during `__init__`, or for `copy`/`pickle`), where the field may be unset.
    """
    wrapped = wrapper.__dict__.get(field_name)
    if wrapped is None or name.startswith("_equimod"):
        raise AttributeError(name)
    return getattr(wrapped, name)


def module_update_wrapper(wrapper: _W, wrapped: Any = None) -> _W:
    """Make the Module `wrapper` look like the callable it wraps, and return it.

    Copies `__module__`, `__name__`, `__qualname__`, `__doc__` and
    `__annotations__` from `wrapped` onto the instance, as
    `functools.update_wrapper` does for functions, which cannot set attributes on
    a frozen Module. Like any non-field attribute, the copies are not part of the
    pytree: a copy JAX rebuilds from leaves shows the wrapper class's own.

    Args:
        wrapper: A Module instance that wraps a callable.
        wrapped: The wrapped callable; by default `wrapper.__wrapped__`.

    Returns:
        `wrapper` itself.

    Raises:
        TypeError: If `wrapped` is not given and `wrapper` has no `__wrapped__`.
    """
    if wrapped is None:
        try:
            wrapped = wrapper.__wrapped__  # type: ignore[attr-defined]
        except AttributeError:
            raise TypeError(_MSG_NO_WRAPPED.format(cls=type(wrapper).__qualname__)) from None
    for name in _WRAPPED_NAMES:
        try:
            value = getattr(wrapped, name)
        except AttributeError:
            continue
        object.__setattr__(wrapper, name, value)
    return wrapper
