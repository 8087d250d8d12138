"""Class definitions that fail at run time whatever the class is used for, and
odd ones that run."""

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

import jax

import equimod
from equimod import AbstractClassVar, AbstractVar


class BareAbstract(equimod.Module):
    size: AbstractVar  # error: mypy[equimod-definition]  # divergence: definition-fails
    name: AbstractClassVar  # error: mypy[equimod-definition]  # divergence: definition-fails


@dataclasses.dataclass
class Decorated(equimod.Module):  # error: mypy[equimod-definition]  # divergence: definition-fails
    weight: jax.Array


@dataclasses.dataclass(frozen=True)
class FrozenDecorated(equimod.Module):  # runs: the generated __init__ sets fields as a dataclass does
    weight: jax.Array


@dataclasses.dataclass(frozen=True)
class FrozenDecoratedOwnInit(equimod.Module):  # error: mypy[equimod-definition]  # divergence: definition-fails
    weight: jax.Array

    def __init__(self, weight: jax.Array) -> None:
        self.weight = weight  # error: mypy[misc] ty  # divergence: definition-fails


class Sized:
    @property
    def size(self) -> int:
        return 1


class ShadowsProperty(equimod.Module, Sized):
    size: int  # error: mypy[equimod-definition] pyright[reportIncompatibleMethodOverride]  # divergence: definition-fails


class DefaultHidesProperty(equimod.Module, Sized):  # runs: the class value hides the property
    size: int = 3  # error: pyright[reportIncompatibleMethodOverride]  # divergence: field-over-property


class HasSize(Protocol):
    def total(self) -> int: ...


class WithProtocolBase(equimod.Module, HasSize):  # error: mypy[equimod-definition]  # divergence: definition-fails
    def total(self) -> int:
        return 1


class WithIterableBase(equimod.Module, Iterable[int]):  # runs: Iterable is an ABC at run time
    def __iter__(self) -> Iterator[int]:
        return iter([1])


class StandardField(equimod.Module):
    # dataclasses.field is a field specifier too.
    size: int = dataclasses.field()
    names: list[str] = dataclasses.field(default_factory=list)


StandardField()  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
StandardField(1)
StandardField(1, ["a"])


class SelfField(equimod.Module):
    # A field may be named self: the generated __init__ names its instance otherwise.
    self: int


SelfField(1)
SelfField(self=1)
SelfField("a")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


class KeepsCallback(equimod.Module):
    count: int
    reset: Callable[[], None]

    def __init__(self) -> None:
        self.count = 1

        # Stored, not called: if it ever runs, construction is over.
        def reset() -> None:
            self.count = 0  # error: mypy[equimod-frozen]  # divergence: frozen-assignment

        self.reset = reset


# A nested function that __init__ calls at once may write: user_init.py's
# CallsHelper checks that it is not a frozen write and that it assigns the field.


class ComparedByIdentity(equimod.Module):
    # As sympy2jax's nodes: identity comparison in place of tree_equal. Module's
    # `__eq__` takes `other` by position only, as `object.__eq__` does.
    value: int
    __hash__ = object.__hash__
    __eq__ = object.__eq__
