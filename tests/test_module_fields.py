"""Fields, generated and hand-written __init__, dataclass features, generics."""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Generic, TypeVar

import jax
import jax.numpy as jnp
import pytest
from messages import assert_mentions

import equimod
from equimod import AbstractVar, Module, field

T = TypeVar("T")


class Point(Module):
    x: float
    y: float = 2.0
    tags: list[str] = field(default_factory=list)
    label: ClassVar[str] = "point"


def test_fields_are_annotated_names_except_classvars_and_abstract() -> None:
    class WithAbstract(Module):
        a: int
        b: AbstractVar[int]
        c: ClassVar[int] = 3

    assert [f.name for f in dataclasses.fields(WithAbstract)] == ["a"]
    assert [f.name for f in dataclasses.fields(Point)] == ["x", "y", "tags"]


def test_generated_init_positional_keyword_defaults_and_factory() -> None:
    p = Point(1.0)
    assert (p.x, p.y, p.tags) == (1.0, 2.0, [])
    q = Point(y=5.0, x=3.0, tags=["a"])
    assert (q.x, q.y, q.tags) == (3.0, 5.0, ["a"])
    assert Point(1.0).tags is not Point(1.0).tags
    with pytest.raises(TypeError, match="x"):
        Point()  # type: ignore[call-arg]


def test_replace_makes_a_modified_copy() -> None:
    p = Point(1.0, 2.0)
    q = dataclasses.replace(p, y=7.0)
    assert (p.y, q.y, q.x) == (2.0, 7.0, 1.0)


def test_init_var_reaches_post_init() -> None:
    class Scaled(Module):
        value: float
        scale: dataclasses.InitVar[float]

        def __post_init__(self, scale: float) -> None:
            self.value = self.value * scale

    s = Scaled(2.0, 3.0)
    assert s.value == 6.0
    assert [f.name for f in dataclasses.fields(Scaled)] == ["value"]


def test_kw_only_class_option_and_field() -> None:
    class KW(Module, kw_only=True):
        a: int
        b: int = 1

    assert KW(a=2).a == 2
    with pytest.raises(TypeError):
        KW(2)  # type: ignore[misc]

    class Mixed(Module):
        a: int
        b: int = field(kw_only=True)

    m = Mixed(1, b=2)
    assert (m.a, m.b) == (1, 2)
    with pytest.raises(TypeError):
        Mixed(1, 2)  # type: ignore[misc]


def test_init_false_field_set_in_post_init() -> None:
    class Derived(Module):
        a: int
        double: int = field(init=False)

        def __post_init__(self) -> None:
            self.double = 2 * self.a

    assert Derived(4).double == 8


def test_init_false_field_never_set_is_reported() -> None:
    class Forgot(Module):
        a: int
        b: int = field(init=False)

    with pytest.raises(
        TypeError, match=r"Forgot.__init__ returned without setting the field\(s\) 'b'"
    ):
        Forgot(1)


def test_inheritance_field_order() -> None:
    class Base(Module):
        a: int
        b: int = 0

    class Child(Base):
        c: int = 5

    assert [f.name for f in dataclasses.fields(Child)] == ["a", "b", "c"]
    child = Child(1, 2, 3)
    assert (child.a, child.b, child.c) == (1, 2, 3)


def test_generic_module() -> None:
    class Box(Module, Generic[T]):
        item: T

        def get(self) -> T:
            return self.item

    box = Box[int](3)
    assert box.item == 3
    assert box.get() == 3
    assert Box("a").item == "a"
    assert jax.tree_util.tree_leaves(Box(jnp.ones(2)))[0].shape == (2,)


class Hand(Module):
    weight: jax.Array
    size: int = field(static=True)

    def __init__(self, size: int) -> None:
        self.weight = jnp.zeros(size)
        self.weight = jnp.ones(size)  # fields may be assigned any number of times
        self.size = size


def test_custom_init_is_used() -> None:
    h = Hand(3)
    assert h.weight.tolist() == [1.0, 1.0, 1.0]
    assert h.size == 3


def test_subclass_inherits_nearest_user_init() -> None:
    class MyLinear(equimod.nn.Linear):
        pass

    layer = MyLinear(2, 3, key=jax.random.key(0))
    assert layer.weight.shape == (3, 2)

    class HandChild(Hand):
        extra: int = 7

    child = HandChild(2)
    assert child.extra == 7  # a plain default answers for a field __init__ left alone
    assert child.weight.shape == (2,)


def test_init_false_keeps_the_inherited_init_and_needs_one_to_keep() -> None:
    # At run time the inherited __init__ is kept with or without `init=False`; the
    # keyword tells checkers that apply dataclass rules to keep it too.
    class Kept(equimod.nn.Linear, init=False):
        pass

    assert Kept.__init__ is equimod.nn.Linear.__init__
    assert Kept(2, 3, key=jax.random.key(0)).weight.shape == (3, 2)

    with pytest.raises(TypeError) as info:

        class Generated(Module, init=False):
            a: int

    assert_mentions(
        info,
        "Generated is declared with init=False",
        "neither it nor any of its bases writes one",
        "Drop init=False",
    )


def test_generated_init_nearer_than_user_init_wins() -> None:
    class Generated(Module):
        a: int

    class Both(Generated, Hand):
        pass

    # Python resolves __init__ to Generated's first, so a dataclass init is made.
    assert [f.name for f in dataclasses.fields(Both)] == ["weight", "size", "a"]
    both = Both(jnp.ones(1), 1, 2)
    assert both.a == 2


def test_default_factory_filled_when_custom_init_skips_it() -> None:
    class Lazy(Module):
        items: list[int] = field(default_factory=list)
        n: int = 0

        def __init__(self) -> None:
            pass

    lazy = Lazy()
    assert lazy.items == []
    assert lazy.n == 0
    assert Lazy().items is not lazy.items


def test_missing_fields_in_custom_init_are_named() -> None:
    class Partial(Module):
        a: int
        b: int
        c: int

        def __init__(self) -> None:
            self.b = 1

    with pytest.raises(TypeError) as info:
        Partial()
    assert_mentions(
        info,
        "Partial.__init__ returned without setting the field(s) 'a', 'c'",
        "default",
    )


def test_post_init_with_custom_init_warns_at_class_creation() -> None:
    with pytest.warns(
        UserWarning, match=r"PostAndInit has both a hand-written __init__ and __post_init__"
    ):

        class PostAndInit(Module):
            a: int

            def __init__(self) -> None:
                self.a = 1

            def __post_init__(self) -> None:
                pass

    assert PostAndInit().a == 1


def test_slots_are_rejected_at_class_creation() -> None:
    with pytest.raises(TypeError, match=r"Slotted defines __slots__.*declare each field"):

        class Slotted(Module):
            __slots__ = ("a",)


def test_own_setattr_is_rejected_at_class_creation() -> None:
    with pytest.raises(TypeError, match=r"Mutable defines __setattr__"):

        class Mutable(Module):
            def __setattr__(self, name: str, value: object) -> None:
                pass
