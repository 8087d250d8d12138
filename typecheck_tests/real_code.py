"""Patterns met in real code written against Equinox (lineax, optimistix), and odd
but legal code: what each checker must accept, and the mistakes it must report."""

import sys
from collections.abc import Callable
from dataclasses import InitVar
from typing import ClassVar, Generic, TypeVar

from typing_extensions import Self, assert_type

import equimod
from equimod import AbstractClassVar as ClassAttribute
from equimod import AbstractVar

F = TypeVar("F")


def keep_signature(*names: str) -> Callable[[F], F]:
    def apply(function: F) -> F:
        return function

    return apply


# A decorated __init__, and a subclass that inherits it (lineax's operators).
class Operator(equimod.Module):
    fn: Callable[[int], int]

    @keep_signature("fn")
    def __init__(self, fn: Callable[[int], int]) -> None:
        self.fn = fn


class SubOperator(Operator):
    pass


SubOperator(lambda x: x)
Operator(lambda x: x + 1)
Operator(1)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


# An __init__ that depends on the Python version.
class Versioned(equimod.Module):
    size: int

    if sys.version_info >= (3, 10):  # noqa: UP036 - a conditional __init__ is the case

        def __init__(self, text: str) -> None:
            self.size = len(text)
    else:

        def __init__(self, data: bytes) -> None:
            self.size = len(data)


Versioned("abc")
Versioned(1)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


# InitVar fields and Self-typed fields in a generated __init__.
class Scaled(equimod.Module):
    value: float
    scale: InitVar[float]

    def __post_init__(self, scale: float) -> None:
        self.value = self.value * scale


class Linked(equimod.Module):
    next: "Self | None"
    value: int = 0


Scaled(1.0, 2.0)
Scaled(1.0)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
assert_type(Linked(Linked(None), 1).next, "Linked | None")

# A Module base through an alias.
Base = equimod.Module


class ThroughAlias(Base):
    value: int


ThroughAlias(1)
ThroughAlias("1")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


# Building through type[X], type[Self] or cls may build a subclass: no error.
class Solver(equimod.Module):
    rtol: AbstractVar[float]

    @classmethod
    def make(cls) -> Self:
        return cls()  # error: pyright[reportCallIssue] ty pyrefly  # divergence: abstract-var-not-a-field


class Bisection(Solver):
    rtol: float = 1e-5


def build(kind: type[Solver]) -> Solver:
    return kind()  # error: pyright[reportCallIssue] ty pyrefly  # divergence: abstract-var-not-a-field


build(Bisection)
Bisection.make()


# AbstractClassVar under another name; a bare ClassVar implements it (as at run
# time, and in Equinox); a mixin's method implements nothing.
class Named(equimod.Module):
    kind: ClassAttribute[str]


class BareClassVar(Named):
    kind: ClassVar[str]  # error: pyright[reportIncompatibleVariableOverride]  # divergence: abstract-class-var-pyright


class Mixin:
    def setup(self) -> None:
        self.rtol = 1.0


class FromMixin(Mixin, Solver):
    pass


Named()  # error: mypy[equimod-abstract] pyright[reportCallIssue]  # divergence: abstract-class-var-pyright, unimplemented-abstract
BareClassVar()
FromMixin()  # error: mypy[equimod-abstract] pyright[reportCallIssue] ty pyrefly  # divergence: abstract-var-not-a-field, unimplemented-abstract


# tree_at may change the type of what it replaces: here a type parameter of a
# generic Module (optimistix's root_find). The result is not the input's type.
Aux = TypeVar("Aux")


class Solution(equimod.Module, Generic[Aux]):
    value: float
    aux: Aux


def with_aux(solution: Solution[tuple[int, int]], aux: Aux) -> Solution[Aux]:
    return equimod.tree_at(lambda s: s.aux, solution, aux)


# A variable used as a type is rejected once, at the annotation; the tree_at
# lambda that reads the rejected type adds nothing (optimistix's FunctionInfo).
class Info(equimod.Module):
    WithJac: ClassVar[type["JacInfo"]]


class JacInfo(Info):
    jac: int


Info.WithJac = JacInfo


def evaluate() -> Info.WithJac:  # error: mypy[valid-type] pyright[reportInvalidTypeForm]  # divergence: variable-as-type
    return Info.WithJac(1)


evaluated = evaluate()
evaluated = equimod.tree_at(lambda i: i.jac, evaluated, 2)
