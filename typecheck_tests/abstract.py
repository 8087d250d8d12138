"""AbstractVar and AbstractClassVar: every way to implement one, and what checkers see."""

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from typing_extensions import assert_type

import equimod
from equimod import AbstractClassVar, AbstractVar

T = TypeVar("T")


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
# pyright treats the abstract attribute as an __init__ field and rejects the
# property as an override; mypy with the plugin gets both right.
class ByProperty(HasSize):
    @property
    def size(self) -> int:  # pyright: ignore[reportIncompatibleVariableOverride]  # divergence: abstract-var-not-a-field
        return 1


ByProperty()  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field


# pyright recognises ClassVar only under its own name or a local alias, so an
# AbstractClassVar imported from equimod is an instance field to it.
class Runner(equimod.Module):
    run: AbstractVar[object]


class ByMethod(Runner):
    def run(self) -> int:
        return 1


class ByPlainAttribute(HasSize):
    size = 4


ByMethod()  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field
ByPlainAttribute()  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field


class ByClassVar(HasName):
    name: ClassVar[str] = "n"  # pyright: ignore[reportIncompatibleVariableOverride]  # divergence: abstract-class-var-pyright


class ByAttribute(HasName):
    name = "m"


# A ClassVar declared without a value implements an AbstractClassVar too (as in
# Equinox: it may be set later, by `__init_subclass__` say).
class ByDeclaredClassVar(HasName):
    name: ClassVar[str]  # pyright: ignore[reportIncompatibleVariableOverride]  # divergence: abstract-class-var-pyright


ByDeclaredClassVar()


# An AbstractVar redeclaring an AbstractClassVar leaves it a class variable.
class StillClassVar(HasName):
    name: AbstractVar[str]  # type: ignore[misc]  # divergence: abstract-class-var-pyright


StillClassVar()  # type: ignore[equimod-abstract]  # pyright: ignore[reportCallIssue]  # divergence: abstract-class-var-pyright, unimplemented-abstract


# A ClassVar with a value implements an AbstractVar too, as at run time...
class ByClassVarForVar(HasSize):
    size: ClassVar[int] = 5  # pyright: ignore[reportIncompatibleVariableOverride]  # divergence: abstract-var-not-a-field


assert_type(ByClassVarForVar().size, int)
ByClassVarForVar()


# ...but a function stored on the class is a method when read from an instance:
# `self` is bound to it, at run time as under mypy, and it no longer has the
# abstract type (optimistix's `Bisection.norm = jnp.abs` fails this way).
def _absolute(x: float) -> float:
    return abs(x)


class Normed(equimod.Module):
    norm: AbstractVar[Callable[[float], float]]


class ByFunctionClassVar(Normed):
    norm: ClassVar[Callable[[float], float]] = _absolute  # type: ignore[misc, assignment]  # divergence: class-var-function


ByFunctionClassVar().norm(2.0)  # type: ignore[misc, call-arg]  # divergence: class-var-function


class ByStaticMethod(Normed):
    norm = staticmethod(_absolute)


assert_type(ByStaticMethod().norm(-2.0), float)  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field


assert_type(ByClassVar().name, str)
ByAttribute()  # pyright: ignore[reportCallIssue]  # divergence: abstract-class-var-pyright


class WrongType(HasSize):
    size: str  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]


# Instantiating a class that leaves an AbstractVar unimplemented is a run-time
# TypeError, which the mypy plugin reports at the call. pyright sees only a
# missing argument...
HasSize()  # type: ignore[equimod-abstract]  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field, unimplemented-abstract
# ...and nothing right for an AbstractClassVar left unimplemented.
HasName()  # type: ignore[equimod-abstract]  # pyright: ignore[reportCallIssue]  # divergence: abstract-class-var-pyright, unimplemented-abstract


class WrongProperty(HasSize):
    @property
    def size(self) -> str:  # type: ignore[override]  # pyright: ignore[reportIncompatibleVariableOverride]
        return "1"


class FieldForClassVar(HasName):
    name: str  # type: ignore[misc]  # divergence: abstract-class-var-pyright


# Several at once, and a subclass that implements only some.
class Shape(equimod.Module):
    width: AbstractVar[float]
    height: AbstractVar[float]
    kind: AbstractClassVar[str]


class Square(Shape):
    width: float

    @property
    def height(self) -> float:  # pyright: ignore[reportIncompatibleVariableOverride]  # divergence: abstract-var-not-a-field
        return self.width


Shape()  # type: ignore[equimod-abstract]  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field, abstract-class-var-pyright, unimplemented-abstract
Square(1.0)  # type: ignore[equimod-abstract]  # pyright: ignore[reportCallIssue]  # divergence: abstract-class-var-pyright, unimplemented-abstract


# An implementation anywhere in the MRO counts, whatever the base order.
class SizeThree(equimod.Module):
    size: int = 3


class AbstractFirst(HasSize, SizeThree):
    pass


class ImplementationFirst(SizeThree, HasSize):
    pass


AbstractFirst()  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field
ImplementationFirst()


# A generic Module given its type argument is checked as the class itself.
class GenericSized(equimod.Module, Generic[T]):
    size: AbstractVar[T]


GenericSized[int]()  # type: ignore[equimod-abstract]  # pyright: ignore[reportCallIssue]  # divergence: abstract-var-not-a-field, unimplemented-abstract
