"""Abstract attributes implemented, and instantiation through type[X] and cls."""

from typing import ClassVar

from typing_extensions import Self

import equimod
from equimod import AbstractClassVar, AbstractVar


class Shape(equimod.Module):
    area: AbstractVar[float]
    kind: AbstractClassVar[str]

    @classmethod
    def make(cls) -> Self:
        return cls()

    def copy(self) -> Self:
        return type(self)()


class Square(Shape):
    kind: ClassVar[str] = "square"
    area: float = 1.0


def build(factory: type[Shape]) -> Shape:
    return factory()


def run() -> None:
    Square()
    Square.make()
    build(Square)
