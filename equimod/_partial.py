"""`Partial`: `functools.partial` as a Module, so its arguments' arrays are leaves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._module import Module
from ._module._wrappers import require_callable, wrapped_attribute


class Partial(Module):
    """`functools.partial` that is a pytree: `Partial(f, *args, **kwargs)`.

    `f`, `args` and `kwargs` are its fields, so arrays among them are leaves: they
    are traced by `filter_jit` and differentiated by `filter_grad` rather than
    baked in.

    Args:
        func: The callable to call (it may be a Module).
        *args: Positional arguments to put first.
        **kwargs: Keyword arguments to pass.

    Raises:
        TypeError: If `func` is not callable.
    """

    func: Callable[..., Any]
    args: tuple[Any, ...]
    keywords: dict[str, Any]

    def __init__(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        # At construction, as `functools.partial` checks: a call would fail far from here.
        require_callable(func, "Partial", "call")
        self.func = func
        self.args = args
        self.keywords = kwargs

    @property
    def __wrapped__(self) -> Callable[..., Any]:
        return self.func

    def __getattr__(self, name: str) -> Any:
        return wrapped_attribute(self, "func", name)

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        """Call `func(*args, *more_args, **kwargs, **more_kwargs)`.

        Args:
            *args: Positional arguments, after the stored ones.
            **kwargs: Keyword arguments, beside the stored ones. Naming a stored one
                again raises `TypeError` (as in Equinox; `functools.partial` would let
                the call's value win).

        Returns:
            What `func` returns.
        """
        return self.func(*self.args, *args, **self.keywords, **kwargs)
