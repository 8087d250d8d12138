"""The generated __init__: positional, keyword, defaults, factories, kw_only, init=False, inheritance, generics."""

from dataclasses import KW_ONLY
from typing import Generic, TypeVar

from typing_extensions import assert_type

import equimod

T = TypeVar("T")


class Point(equimod.Module):
    x: float
    y: float = 0.0
    tags: list[str] = equimod.field(default_factory=list)


Point(1.0)
Point(1.0, 2.0, ["a"])
Point(y=2.0, x=1.0)
assert_type(Point(1.0).x, float)
assert_type(Point(1.0).tags, list[str])
Point()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
Point("a")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
Point(1.0, z=3)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
Point(1.0, 2.0, ["a"], 4)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


class KeywordOnly(equimod.Module, kw_only=True):
    a: int
    b: int = 1


KeywordOnly(a=1)
# A required keyword-only argument left out. (A positional one given is an error
# too, but mypy's code for it changed between the supported releases: misc, then
# call-arg; tests/plugin/test_messages.py reveals these signatures instead.)
KeywordOnly(b=2)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


class FieldKeywordOnly(equimod.Module):
    a: int
    b: int = equimod.field(kw_only=True)
    _: KW_ONLY
    c: str = "c"


FieldKeywordOnly(1, b=2, c="d")
FieldKeywordOnly(1, c="d")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


class NotInInit(equimod.Module):
    a: int
    double: int = equimod.field(init=False)

    def __post_init__(self) -> None:
        self.double = 2 * self.a


NotInInit(1)
NotInInit(1, 2)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


class Base(equimod.Module):
    a: int
    b: str = "b"


class Child(Base):
    c: float = 1.0


Child(1, "x", 2.0)
Child(1, c=2.0)
Child(1, 2.0)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


class Box(equimod.Module, Generic[T]):
    item: T


assert_type(Box(1).item, int)
assert_type(Box[str]("s").item, str)
Box[str](1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
