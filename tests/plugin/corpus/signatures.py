"""Overloaded __init__, star arguments, positional-only and keyword-only parameters."""

import sys
from typing import overload

import equimod


class Overloaded(equimod.Module):
    value: float

    @overload
    def __init__(self, value: int) -> None: ...
    @overload
    def __init__(self, value: str) -> None: ...
    def __init__(self, value: int | str) -> None:
        self.value = float(value)


class OverloadedChild(Overloaded):
    pass


class Star(equimod.Module):
    values: tuple[int, ...]
    options: dict[str, object]

    def __init__(self, *values: int, **options: object) -> None:
        self.values = values
        self.options = options


class StarChild(Star):
    extra: int = 0


class PositionalOnly(equimod.Module):
    a: int
    b: int

    def __init__(self, a: int, /, b: int, *, scale: int = 1) -> None:
        self.a = a * scale
        self.b = b


class Conditional(equimod.Module):
    value: int

    if sys.version_info >= (3, 10):

        def __init__(self, value: str) -> None:
            self.value = len(value)
    else:

        def __init__(self, value: bytes) -> None:
            self.value = len(value)


def _init(self: "Assigned", value: str) -> None:
    self.value = len(value)


class Assigned(equimod.Module):
    value: int
    __init__ = _init


def build() -> None:
    OverloadedChild(1)
    OverloadedChild("1")
    StarChild(1, 2, 3, name="x")
    PositionalOnly(1, 2, scale=3)
    Conditional("abc")
    Assigned("abc")
