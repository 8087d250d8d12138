"""`assert_max_traces`: fail when a function is traced (recompiled) more often than expected."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

from .._module import field
from .._module._wrappers import module_update_wrapper, require_callable
from .._transformed import Transformed, callable_name

_MSG_TOO_MANY = (
    "{name} can only be traced {limit} times, but was traced {count} times, more than "
    "max_traces={limit}: something passed to "
    "it changes between calls (a non-array argument, an array's shape or dtype, or a "
    "new function object), so JAX compiles it again."
)
_MSG_BAD_MAX_TRACES = (
    "assert_max_traces(max_traces=...) must be a non-negative int, or None to only "
    "count; got {max_traces!r}."
)
_MSG_NOT_WRAPPED = (
    "get_num_traces expects a function wrapped by equimod.debug.assert_max_traces, got {fun!r}."
)


class _Counter:
    """How often one wrapped function has run Python code; hashed by identity."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class _MaxTracesWrapper(Transformed):
    transform_name: ClassVar[str] = "assert_max_traces"
    max_traces: int | None = field(static=True)
    counter: _Counter = field(static=True)

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        self.counter.count += 1
        if self.max_traces is not None and self.counter.count > self.max_traces:
            raise RuntimeError(
                _MSG_TOO_MANY.format(
                    name=callable_name(self.fun), count=self.counter.count, limit=self.max_traces
                )
            )
        return self.fun(*args, **kwargs)


def assert_max_traces(fn: Any = None, *, max_traces: int | None) -> Any:
    """Raise `RuntimeError` once `fn` is traced more than `max_traces` times.

    Put it inside `jax.jit`/`filter_jit` (`filter_jit(assert_max_traces(f,
    max_traces=1))`): the wrapped function runs its Python code only when JAX
    traces it, so the count is the number of compilations.

    Args:
        fn: The function to count. Omit it to get a decorator.
        max_traces: The most traces allowed; `None` only counts (read the count with
            `get_num_traces`).

    Returns:
        A function with `fn`'s signature that counts its calls.

    Raises:
        TypeError: If `fn` is not callable.
        ValueError: If `max_traces` is neither a non-negative int nor None.
        RuntimeError: When called for the `max_traces + 1`-th time, naming `fn`.
    """
    if max_traces is not None and (
        isinstance(max_traces, bool) or not isinstance(max_traces, int) or max_traces < 0
    ):
        raise ValueError(_MSG_BAD_MAX_TRACES.format(max_traces=max_traces))
    if fn is None:
        return functools.partial(assert_max_traces, max_traces=max_traces)
    require_callable(fn, "assert_max_traces", "count the traces of")
    return module_update_wrapper(_MaxTracesWrapper(fn, max_traces, _Counter()))


def get_num_traces(fn: Callable[..., Any]) -> int:
    """How many times a function wrapped by `assert_max_traces` has been traced.

    Args:
        fn: What `assert_max_traces` returned, or a wrapper of it (such as
            `filter_jit(assert_max_traces(f))`), as in Equinox.

    Returns:
        The number of calls so far (of traces, when inside `jit`).

    Raises:
        TypeError: If `fn` was not made by `assert_max_traces`, nor wraps what it made.
    """
    wrapped: Any = fn
    while not isinstance(wrapped, _MaxTracesWrapper):
        wrapped = getattr(wrapped, "__wrapped__", None)
        if wrapped is None:
            raise TypeError(_MSG_NOT_WRAPPED.format(fun=fn))
    return wrapped.counter.count
