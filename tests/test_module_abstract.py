"""AbstractVar, AbstractClassVar and abc.abstractmethod."""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable
from typing import ClassVar

import pytest
from messages import assert_mentions

from equimod import AbstractClassVar, AbstractVar, Module


class HasSize(Module):
    size: AbstractVar[int]


class HasName(Module):
    name: AbstractClassVar[str]


def test_abstract_var_is_not_a_field_or_init_parameter() -> None:
    assert dataclasses.fields(HasSize) == ()

    class Impl(HasSize):
        size: int

    assert [f.name for f in dataclasses.fields(Impl)] == ["size"]
    assert Impl(3).size == 3


def test_every_way_to_implement_an_abstract_var() -> None:
    class ByField(HasSize):
        size: int = 1

    class ByProperty(HasSize):
        @property
        def size(self) -> int:  # type: ignore[override]
            return 2

    class ByClassAttribute(HasSize):
        size = 3

    class ByClassVar(HasSize):
        size: ClassVar[int] = 4

    class ByMethod(Module):
        run: AbstractVar[object]

    class RunImpl(ByMethod):
        def run(self) -> int:
            return 5

    assert [ByField().size, ByProperty().size, ByClassAttribute().size, ByClassVar().size] == [
        1,
        2,
        3,
        4,
    ]
    assert RunImpl().run() == 5


def test_a_function_stored_on_the_class_is_bound_like_a_method() -> None:
    # What typecheck_tests/abstract.py (class-var-function) tells mypy users.
    def absolute(x: float) -> float:
        return abs(x)

    class Normed(Module):
        norm: AbstractVar[Callable[[float], float]]

    class ByFunction(Normed):
        norm: ClassVar[Callable[[float], float]] = absolute

    class ByStaticMethod(Normed):
        norm = staticmethod(absolute)

    with pytest.raises(TypeError, match="positional argument"):
        ByFunction().norm(-2.0)
    assert ByStaticMethod().norm(-2.0) == 2.0


def test_abstract_class_var_implemented_by_class_attribute_or_classvar() -> None:
    class ByClassVar(HasName):
        name: ClassVar[str] = "a"

    class ByAttribute(HasName):
        name = "b"

    assert ByClassVar().name == "a"
    assert ByAttribute().name == "b"


def test_abstract_class_var_cannot_be_implemented_by_a_field() -> None:
    with pytest.raises(TypeError) as info:

        class ByField(HasName):
            name: str = "c"

    assert_mentions(
        info,
        "ByField.name is an instance field",
        "HasName declares name as AbstractClassVar",
        "ClassVar[T]",
    )


def test_unimplemented_abstract_var_fails_before_init_runs() -> None:
    ran: list[bool] = []

    class Concrete(HasSize):
        def __init__(self) -> None:
            ran.append(True)

    with pytest.raises(TypeError) as info:
        Concrete()
    message = str(info.value)
    # Classes are named by their qualified name: local classes of two tests may share a name.
    assert (
        "Can't instantiate test_unimplemented_abstract_var_fails_before_init_runs.<locals>.Concrete with unimplemented abstract attributes"
        in message
    )
    assert "AbstractVar 'size' (declared in HasSize)" in message
    assert ran == []


def test_several_unimplemented_across_a_deep_hierarchy_are_all_named() -> None:
    class Level1(HasSize, HasName):
        depth: AbstractVar[float]

    class Level2(Level1):
        pass

    class Level3(Level2):
        size: int = 1

    with pytest.raises(TypeError) as info:
        Level3()
    message = str(info.value)
    assert_mentions(
        info,
        "AbstractVar 'depth' (declared in test_several_",
        ".<locals>.Level1)",
        "AbstractClassVar 'name' (declared in HasName)",
    )
    assert "'size'" not in message


@pytest.mark.parametrize("implementer_first", [True, False])
def test_resolution_does_not_depend_on_base_order(implementer_first: bool) -> None:
    class Implements(Module):
        size: int = 4

    class Declares(HasSize):
        pass

    bases = (Implements, Declares) if implementer_first else (Declares, Implements)
    Combined = type("Combined", bases, {})
    assert Combined().size == 4


@pytest.mark.parametrize("implementer_first", [True, False])
def test_class_var_resolution_does_not_depend_on_base_order(implementer_first: bool) -> None:
    class Implements(Module):
        name: ClassVar[str] = "n"

    bases = (Implements, HasName) if implementer_first else (HasName, Implements)
    Combined = type("Combined", bases, {})
    assert Combined().name == "n"


def test_abstract_var_with_a_value_fails_at_class_creation() -> None:
    with pytest.raises(TypeError) as info:

        class Valued(Module):
            size: AbstractVar[int] = 3  # type: ignore[assignment]

    assert_mentions(
        info,
        "Valued.size is declared AbstractVar[...] and also given a value",
        "remove the value",
    )


def test_bare_abstract_var_fails_at_class_creation() -> None:
    with pytest.raises(
        TypeError, match=r"Bare.size is annotated with a bare, unsubscripted AbstractVar"
    ):

        class Bare(Module):
            size: AbstractVar  # type: ignore[type-arg]

    with pytest.raises(TypeError, match=r"bare, unsubscripted AbstractClassVar"):

        class BareClass(Module):
            name: AbstractClassVar  # type: ignore[type-arg]


def test_string_annotations_are_understood() -> None:
    namespace: dict[str, object] = {"__annotations__": {"size": "AbstractVar[int]"}}
    Declared = type("Declared", (Module,), namespace)
    assert dataclasses.fields(Declared) == ()
    with pytest.raises(TypeError, match="'size'"):
        Declared()
    namespace = {"__annotations__": {"size": "eqx.AbstractVar"}}
    with pytest.raises(TypeError, match="bare, unsubscripted AbstractVar"):
        type("BareString", (Module,), namespace)


def test_abstract_var_cannot_be_instantiated_as_a_value() -> None:
    with pytest.raises(TypeError, match="annotation, not a value"):
        AbstractVar()


def test_abc_abstractmethod_works_as_in_any_abc() -> None:
    class Layer(Module):
        @abc.abstractmethod
        def apply(self, x: int) -> int: ...

    with pytest.raises(TypeError, match="abstract method"):
        Layer()

    class Double(Layer):
        def apply(self, x: int) -> int:
            return 2 * x

    assert Double().apply(2) == 4
    assert isinstance(Double(), Layer)
