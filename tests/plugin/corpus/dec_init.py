"""Decorated __init__s of every kind, and subclasses that inherit them."""

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import jax
import jaxtyping

import equimod

F = TypeVar("F")
P = ParamSpec("P")
R = TypeVar("R")


def identity(*names: str) -> Callable[[F], F]:
    def apply(function: F) -> F:
        return function

    return apply


def wrapping(function: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return function(*args, **kwargs)

    return wrapper


def untyped(function):  # type: ignore[no-untyped-def]
    return function


def to_any(function: Callable[..., None]) -> Any:
    return function


def adds_flag(function: Callable[..., None]) -> Callable[[Any, int, bool], None]:
    def changed(self: Any, value: int, flag: bool) -> None:
        function(self, value)

    return changed


class Identity(equimod.Module):
    fn: Callable[[int], int]

    @identity("fn")
    def __init__(self, fn: Callable[[int], int]) -> None:
        self.fn = fn


class IdentityChild(Identity):
    pass


class Wrapped(equimod.Module):
    value: int

    @wrapping
    def __init__(self, value: int) -> None:
        self.value = value


class WrappedChild(Wrapped):
    pass


class Untyped(equimod.Module):
    value: int

    @untyped
    def __init__(self, value: int) -> None:
        self.value = value


class UntypedChild(Untyped):
    pass


class ToAny(equimod.Module):
    value: int

    @to_any
    def __init__(self, value: int) -> None:
        self.value = value


class ToAnyChild(ToAny):
    pass


class Changed(equimod.Module):
    value: int

    @adds_flag
    def __init__(self, value: int) -> None:
        self.value = value


class ChangedChild(Changed):
    pass


class Jaxtyped(equimod.Module):
    weight: jaxtyping.Float[jax.Array, "a b"]

    @jaxtyping.jaxtyped(typechecker=None)
    def __init__(self, weight: jaxtyping.Float[jax.Array, "a b"]) -> None:
        self.weight = weight


class JaxtypedChild(Jaxtyped):
    pass


def build() -> None:
    IdentityChild(lambda x: x)
    Identity(lambda x: x + 1)
    WrappedChild(1)
    UntypedChild(1)
    ToAnyChild(1)
    ChangedChild(1, True)
    JaxtypedChild(jax.numpy.ones((2, 2)))
