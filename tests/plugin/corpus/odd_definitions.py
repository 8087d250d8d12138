"""Odd definitions that run: a field named `self`, standard `dataclasses.field`s,
converters taking a Literal, a lambda or a generic class, a converter's input
assigned in `__init__`, a closure stored for later, `__init__(*args)`, a frozen
`@dataclass` over a generated `__init__`, a default hiding a base's property,
and an ABC from the standard library among the bases."""

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, Literal, TypeVar

import equimod

T = TypeVar("T")


def pick(value: Literal["sum", "mean"]) -> str:
    return value


class Box(Generic[T]):
    def __init__(self, value: T) -> None:
        self.value = value


class Odd(equimod.Module):
    self: int
    kind: str = equimod.field(converter=pick, default="sum")
    count: int = equimod.field(converter=lambda value: int(value), default="1")
    items: tuple[int, ...] = equimod.field(converter=tuple, default=())
    box: Box[int] = equimod.field(converter=Box, default_factory=lambda: 0)
    names: list[str] = dataclasses.field(default_factory=list)


Odd(1, "mean", 2.5, [1], 3)


class Written(equimod.Module):
    count: int = equimod.field(converter=int)
    reset: Callable[[], int]

    def __init__(self, text: str) -> None:
        self.count = text

        def later() -> int:
            return self.count

        self.reset = later


class Packed(equimod.Module):
    x: int

    def __init__(*args):
        self = args[0]
        self.x = 1


@dataclasses.dataclass(frozen=True)
class Redecorated(equimod.Module):
    x: int


class Sized:
    @property
    def size(self) -> int:
        return 1


class Hides(equimod.Module, Sized):
    size: int = 3


class Counts(equimod.Module, Iterable[int]):
    def __iter__(self) -> Iterator[int]:
        return iter([1])


Written("3").reset()
Packed()
Redecorated(1)
Hides()
Counts()
