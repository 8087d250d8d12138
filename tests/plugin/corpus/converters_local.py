"""Converters defined in the same module, after the classes that use them."""

from collections.abc import Callable
from typing import Annotated

import equimod


class Uses(equimod.Module):
    fn: int = equimod.field(converter=lambda f: 0)
    called: int = equimod.field(converter=lambda v: 1, default=0)


class Early(equimod.Module):
    a: int = equimod.field(converter=lambda v: 0)
    b: int = equimod.field(converter=None, default=1)


def to_count(value: Callable[[int], int]) -> int:
    return value(0)


def from_tuple(value: tuple[int, ...]) -> int:
    return len(value)


def from_annotated(value: Annotated[float, "unit"]) -> int:
    return int(value)


class Wrapper:
    def __init__(self, fn: Callable[[int], int]) -> None:
        self.fn = fn


class Late(equimod.Module):
    count: int = equimod.field(converter=to_count)
    size: int = equimod.field(converter=from_tuple)
    rounded: int = equimod.field(converter=from_annotated)
    wrapped: Wrapper = equimod.field(converter=Wrapper)


class LateChild(Late):
    pass


def build() -> None:
    Late(lambda x: x, (1, 2), 1.5, lambda x: x)
    LateChild(lambda x: x, (1, 2), 1.5, lambda x: x)
