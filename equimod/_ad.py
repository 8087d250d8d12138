"""`filter_grad` and `filter_value_and_grad`: gradients with respect to the inexact arrays of the first argument."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar, overload

import jax

from ._filters import combine, is_inexact_array, partition

_P = ParamSpec("_P")
_T = TypeVar("_T")
_R = TypeVar("_R")

_MSG_NOT_CALLABLE = "{transform} expects a callable to differentiate, got {fun!r}."
_MSG_NO_ARGUMENT = (
    "{name} was called without arguments: {transform} differentiates with respect to the "
    "first positional argument, so pass one."
)
_MSG_AUX_NOT_PAIR = (
    "{name} was differentiated with has_aux=True, so it must return a pair (value, aux); "
    "it returned {kind}."
)


def _value_and_grad(fun: Callable[..., Any], has_aux: bool, transform: str) -> Callable[..., Any]:
    name = getattr(fun, "__name__", "the function")

    def differentiable(diff: Any, nondiff: Any, *args: Any, **kwargs: Any) -> Any:
        out = fun(combine(diff, nondiff), *args, **kwargs)
        if has_aux and not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError(_MSG_AUX_NOT_PAIR.format(name=name, kind=type(out).__name__))
        return out

    value_and_grad = jax.value_and_grad(differentiable, has_aux=has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not args:
            raise TypeError(_MSG_NO_ARGUMENT.format(name=name, transform=transform))
        first, *rest = args
        diff, nondiff = partition(first, is_inexact_array)
        return value_and_grad(diff, nondiff, *rest, **kwargs)

    return wrapper


@overload
def filter_value_and_grad(
    fun: Callable[Concatenate[_T, _P], _R], *, has_aux: bool = False
) -> Callable[Concatenate[_T, _P], tuple[_R, _T]]: ...


@overload
def filter_value_and_grad(
    fun: None = None, *, has_aux: bool = False
) -> Callable[
    [Callable[Concatenate[_T, _P], _R]], Callable[Concatenate[_T, _P], tuple[_R, _T]]
]: ...


def filter_value_and_grad(fun: Any = None, *, has_aux: bool = False) -> Any:
    """Like `jax.value_and_grad`, differentiating with respect to the first argument's inexact arrays.

    The first argument may be any pytree (typically a Module); gradients are
    taken with respect to its floating-point array leaves, and every other leaf
    gets `None` in the returned gradient, which has the first argument's
    structure. Returns `(value, grads)`; with `has_aux=True`, `fun` returns
    `(value, aux)` and the result is `((value, aux), grads)`.
    """
    if fun is None:
        return functools.partial(filter_value_and_grad, has_aux=has_aux)
    if not callable(fun):
        raise TypeError(_MSG_NOT_CALLABLE.format(transform="filter_value_and_grad", fun=fun))
    wrapper = _value_and_grad(fun, has_aux, "filter_value_and_grad")
    return functools.wraps(fun)(wrapper)


@overload
def filter_grad(
    fun: Callable[Concatenate[_T, _P], Any], *, has_aux: bool = False
) -> Callable[Concatenate[_T, _P], _T]: ...


@overload
def filter_grad(
    fun: None = None, *, has_aux: bool = False
) -> Callable[[Callable[Concatenate[_T, _P], Any]], Callable[Concatenate[_T, _P], _T]]: ...


def filter_grad(fun: Any = None, *, has_aux: bool = False) -> Any:
    """Like `jax.grad`, differentiating with respect to the first argument's inexact arrays.

    Returns the gradient, a pytree of the first argument's structure with
    `None` at leaves that are not floating-point arrays; with `has_aux=True`,
    `(grads, aux)`.
    """
    if fun is None:
        return functools.partial(filter_grad, has_aux=has_aux)
    if not callable(fun):
        raise TypeError(_MSG_NOT_CALLABLE.format(transform="filter_grad", fun=fun))
    value_and_grad = _value_and_grad(fun, has_aux, "filter_grad")

    @functools.wraps(fun)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        value, grads = value_and_grad(*args, **kwargs)
        if has_aux:
            _, aux = value
            return grads, aux
        return grads

    return wrapper
