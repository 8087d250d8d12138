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
ByField("3")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


# A property, a method or a plain class attribute implements an AbstractVar too.
# pyright treats the abstract attribute as an __init__ field and rejects the
# property as an override; mypy with the plugin gets both right.
class ByProperty(HasSize):
    @property
    def size(self) -> int:  # error: pyright[reportIncompatibleVariableOverride] ty pyrefly  # divergence: abstract-var-not-a-field
        return 1


ByProperty()  # error: pyright[reportCallIssue] ty pyrefly  # divergence: abstract-var-not-a-field


# pyright recognises ClassVar only under its own name or a local alias, so an
# AbstractClassVar imported from equimod is an instance field to it.
class Runner(equimod.Module):
    run: AbstractVar[object]


class ByMethod(Runner):
    def run(self) -> int:  # error: ty pyrefly  # divergence: abstract-var-not-a-field
        return 1


class ByPlainAttribute(HasSize):
    size = 4


ByMethod()  # error: pyright[reportCallIssue] ty pyrefly  # divergence: abstract-var-not-a-field
ByPlainAttribute()  # error: pyright[reportCallIssue] ty  # divergence: abstract-var-not-a-field


class ByClassVar(HasName):
    name: ClassVar[str] = "n"  # error: pyright[reportIncompatibleVariableOverride]  # divergence: abstract-class-var-pyright


class ByAttribute(HasName):
    name = "m"


# A ClassVar declared without a value implements an AbstractClassVar too (as in
# Equinox: it may be set later, by `__init_subclass__` say).
class ByDeclaredClassVar(HasName):
    name: ClassVar[str]  # error: pyright[reportIncompatibleVariableOverride]  # divergence: abstract-class-var-pyright


ByDeclaredClassVar()


# An AbstractVar redeclaring an AbstractClassVar leaves it a class variable.
class StillClassVar(HasName):
    name: AbstractVar[str]  # error: mypy[misc] ty pyrefly  # divergence: abstract-class-var-pyright


StillClassVar()  # error: mypy[equimod-abstract] pyright[reportCallIssue] ty pyrefly  # divergence: abstract-class-var-pyright, unimplemented-abstract


# A ClassVar with a value implements an AbstractVar too, as at run time...
class ByClassVarForVar(HasSize):
    size: ClassVar[int] = 5  # error: pyright[reportIncompatibleVariableOverride] ty pyrefly  # divergence: abstract-var-not-a-field


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
    norm: ClassVar[Callable[[float], float]] = _absolute  # error: mypy[misc, assignment] ty pyrefly  # divergence: class-var-function, abstract-var-not-a-field


ByFunctionClassVar().norm(2.0)  # error: mypy[misc, call-arg] pyrefly  # divergence: class-var-function


class ByStaticMethod(Normed):
    norm = staticmethod(_absolute)


assert_type(ByStaticMethod().norm(-2.0), float)  # error: pyright[reportCallIssue] ty  # divergence: abstract-var-not-a-field


assert_type(ByClassVar().name, str)
ByAttribute()  # error: pyright[reportCallIssue]  # divergence: abstract-class-var-pyright


class WrongType(HasSize):
    size: str  # error: mypy[assignment] pyright[reportIncompatibleVariableOverride] ty pyrefly


# Instantiating a class that leaves an AbstractVar unimplemented is a run-time
# TypeError, which the mypy plugin reports at the call. pyright sees only a
# missing argument...
HasSize()  # error: mypy[equimod-abstract] pyright[reportCallIssue] ty pyrefly  # divergence: abstract-var-not-a-field, unimplemented-abstract
# ...and nothing right for an AbstractClassVar left unimplemented.
HasName()  # error: mypy[equimod-abstract] pyright[reportCallIssue]  # divergence: abstract-class-var-pyright, unimplemented-abstract


class WrongProperty(HasSize):
    @property
    def size(self) -> str:  # error: mypy[override] pyright[reportIncompatibleVariableOverride] ty pyrefly
        return "1"


class FieldForClassVar(HasName):
    name: str  # error: mypy[misc] ty pyrefly  # divergence: abstract-class-var-pyright


# Several at once, and a subclass that implements only some.
class Shape(equimod.Module):
    width: AbstractVar[float]
    height: AbstractVar[float]
    kind: AbstractClassVar[str]


class Square(Shape):
    width: float

    @property
    def height(self) -> float:  # error: pyright[reportIncompatibleVariableOverride] ty pyrefly  # divergence: abstract-var-not-a-field
        return self.width


Shape()  # error: mypy[equimod-abstract] pyright[reportCallIssue] ty pyrefly  # divergence: abstract-var-not-a-field, abstract-class-var-pyright, unimplemented-abstract
Square(1.0)  # error: mypy[equimod-abstract] pyright[reportCallIssue] ty pyrefly  # divergence: abstract-class-var-pyright, unimplemented-abstract


# An implementation anywhere in the MRO counts, whatever the base order.
class SizeThree(equimod.Module):
    size: int = 3


class AbstractFirst(HasSize, SizeThree):
    pass


class ImplementationFirst(SizeThree, HasSize):
    pass


AbstractFirst()  # error: pyright[reportCallIssue] ty pyrefly  # divergence: abstract-var-not-a-field
ImplementationFirst()


# A generic Module given its type argument is checked as the class itself.
class GenericSized(equimod.Module, Generic[T]):
    size: AbstractVar[T]


GenericSized[int]()  # error: mypy[equimod-abstract] pyright[reportCallIssue] ty pyrefly  # divergence: abstract-var-not-a-field, unimplemented-abstract
