from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar, overload

from jax.typing import ArrayLike

__all__ = [
    "announce_transform",
    "assert_max_traces",
    "backward_nan",
    "breakpoint_if",
    "get_num_traces",
    "inspect_dce",
    "store_dce",
]

_T = TypeVar("_T")
_P = ParamSpec("_P")
_R = TypeVar("_R")

@overload
def assert_max_traces(fn: Callable[_P, _R], *, max_traces: int | None) -> Callable[_P, _R]: ...
@overload
def assert_max_traces(
    fn: None = None, *, max_traces: int | None
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...
def get_num_traces(fn: Callable[..., Any]) -> int: ...
def breakpoint_if(pred: ArrayLike, **kwargs: Any) -> None: ...
def backward_nan(x: _T, name: str | None = None, terminate: bool = True) -> _T: ...
def announce_transform(
    x: _T,
    name: str | None = None,
    intermediates: bool = False,
    announce: Callable[[str], Any] = ...,
) -> _T: ...
def store_dce(x: _T, name: Hashable = None) -> _T: ...
def inspect_dce(name: Hashable = None) -> None: ...
