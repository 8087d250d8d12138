"""Modules defined inside functions and under TYPE_CHECKING, generic Modules."""

from typing import TYPE_CHECKING, Generic, TypeVar

import equimod
from equimod import AbstractVar

T = TypeVar("T")

if TYPE_CHECKING:

    class OnlyForCheckers(equimod.Module):
        value: int


class Box(equimod.Module, Generic[T]):
    item: T


class IntBox(Box[int]):
    pass


class Holder(equimod.Module, Generic[T]):
    item: AbstractVar[T]


class StrHolder(Holder[str]):
    item: str


def factory(default: int) -> object:
    class Local(equimod.Module):
        value: int = default

        def __init__(self, value: int) -> None:
            self.value = value

    class LocalChild(Local):
        def double(self) -> int:
            return self.value * 2

    return LocalChild(default).double()


def build() -> None:
    Box(1)
    IntBox(2)
    StrHolder("x")
