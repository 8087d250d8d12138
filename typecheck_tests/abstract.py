"""AbstractVar and AbstractClassVar: every way to implement one, and what checkers see."""

from typing import ClassVar

from typing_extensions import assert_type

import equimod
from equimod import AbstractClassVar, AbstractVar


class HasSize(equimod.Module):
    size: AbstractVar[int]

    def doubled(self) -> int:
        return 2 * self.size


class HasName(equimod.Module):
    name: AbstractClassVar[str]


class ByField(HasSize):
    size: int


class ByFieldDefault(HasSize):
    size: int = 3


assert_type(ByField(3).size, int)
ByFieldDefault()
ByField("3")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


# A property, a method or a plain class attribute implements an AbstractVar too.
# Both checkers still treat the abstract attribute as an __init__ field; the mypy
# plugin will not. pyright also rejects the property as an override.
class ByProperty(HasSize):
    @property  # type: ignore[misc]  # divergence: abstract-var-not-a-field
    def size(self) -> int:  # type: ignore[override]  # pyright: ignore[reportIncompatibleVariableOverride]  # divergence: abstract-var-not-a-field
        return 1


ByProperty()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field


# pyright recognises ClassVar only under its own name or a local alias, so an
# AbstractClassVar imported from equimod is an instance field to it.
class Runner(equimod.Module):
    run: AbstractVar[object]


class ByMethod(Runner):
    def run(self) -> int:  # type: ignore[override, misc]  # divergence: abstract-var-not-a-field
        return 1


class ByPlainAttribute(HasSize):
    size = 4


ByMethod()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field
ByPlainAttribute()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field


class ByClassVar(HasName):
    name: ClassVar[str] = "n"  # pyright: ignore[reportIncompatibleVariableOverride]  # divergence: abstract-class-var-pyright


class ByAttribute(HasName):
    name = "m"


assert_type(ByClassVar().name, str)
ByAttribute()  # pyright: ignore[reportCallIssue]  # divergence: abstract-class-var-pyright


class WrongType(HasSize):
    size: str  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]


# Instantiating a class that leaves an AbstractVar unimplemented is a run-time
# TypeError. The checkers see only a missing argument.
HasSize()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field, unimplemented-abstract
# ...and nothing at all for an AbstractClassVar left unimplemented.
HasName()  # pyright: ignore[reportCallIssue]  # divergence: abstract-class-var-pyright, unimplemented-abstract
