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
Point()  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
Point("a")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
Point(1.0, z=3)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
Point(1.0, 2.0, ["a"], 4)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly


class KeywordOnly(equimod.Module, kw_only=True):
    a: int
    b: int = 1


KeywordOnly(a=1)
# A required keyword-only argument left out, and one given by position (mypy's
# code for that is misc in 2.0 and call-arg in 2.4, so none is pinned).
KeywordOnly(b=2)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
KeywordOnly(1)  # error: mypy pyright[reportCallIssue] ty pyrefly


class FieldKeywordOnly(equimod.Module):
    a: int
    b: int = equimod.field(kw_only=True)
    _: KW_ONLY
    c: str = "c"


FieldKeywordOnly(1, b=2, c="d")
FieldKeywordOnly(1, c="d")  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly


class NotInInit(equimod.Module):
    a: int
    double: int = equimod.field(init=False)

    def __post_init__(self) -> None:
        self.double = 2 * self.a


NotInInit(1)
NotInInit(1, 2)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly


class Base(equimod.Module):
    a: int
    b: str = "b"


class Child(Base):
    c: float = 1.0


Child(1, "x", 2.0)
Child(1, c=2.0)
Child(1, 2.0)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


class Box(equimod.Module, Generic[T]):
    item: T


assert_type(Box(1).item, int)
assert_type(Box[str]("s").item, str)
Box[str](1)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


# The dataclass options are class keywords (KeywordOnly above), checked by name...
class Misspelt(equimod.Module, kw_onyl=True):  # error: mypy[call-arg] pyright[reportGeneralTypeIssues, reportCallIssue] ty  # divergence: pyrefly-class-keywords
    a: int


# ...and a metaclass given through an unpacked mapping is the class's own,
# which ty checks against those options.
class Meta(type(equimod.Module)):  # error: mypy[misc]  # divergence: metaclass-of-module
    pass


class WithMeta(equimod.Module, **dict(metaclass=Meta)):  # noqa: C408  # error: ty  # divergence: unpacked-class-keywords
    a: int


WithMeta(1)


# An init=False field without a default is left to __post_init__: construction
# fails at run time where nothing sets it (the mypy plugin reports it).
class LeftToPostInit(equimod.Module):
    x: int
    doubled: int = equimod.field(init=False)

    def __post_init__(self) -> None:
        self.doubled = 2 * self.x


class NothingSetsIt(equimod.Module):
    x: int
    doubled: int = equimod.field(init=False)


LeftToPostInit(1)
NothingSetsIt(1)  # error: mypy[equimod-missing-field]  # divergence: unassigned-field
