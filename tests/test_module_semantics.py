"""Module semantics that Equinox code relies on, with Equinox as the oracle where it applies."""

from __future__ import annotations

import dataclasses
import doctest
import importlib.util
import sys
import textwrap
from pathlib import Path
from typing import Any, Generic, TypeVar

import equinox as eqx
import jax
import jax.numpy as jnp
import pytest

import equimod
from equimod import AbstractClassVar, AbstractVar, Module, field

KEY = jax.random.key(0)


def _arrays(tree: Any) -> list[jax.Array]:
    return [x for x in jax.tree_util.tree_leaves(tree) if isinstance(x, jax.Array)]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (equimod.filter_vmap, eqx.filter_vmap),
        (equimod.filter_jit, eqx.filter_jit),
    ],
)
def test_a_layer_stored_behind_a_transform_trains(ours: Any, theirs: Any) -> None:
    """The wrapped layer's arrays are leaves of the model, so they get gradients."""

    def build(lib: Any, transform: Any) -> Any:
        class Model(lib.Module):
            layer: Any

            def __init__(self) -> None:
                self.layer = transform(lib.nn.Linear(2, 2, key=KEY))

        return Model()

    def loss(model: Any, x: jax.Array) -> jax.Array:
        out = model.layer(x)
        return jnp.sum(out**2)

    x = jnp.arange(6.0).reshape(3, 2) if ours is equimod.filter_vmap else jnp.arange(2.0)
    model, oracle = build(equimod, ours), build(eqx, theirs)
    assert len(_arrays(model)) == len(_arrays(oracle)) == 2
    grads = equimod.filter_grad(loss)(model, x)
    expected = eqx.filter_grad(loss)(oracle, x)
    assert [g.tolist() for g in _arrays(grads)] == [e.tolist() for e in _arrays(expected)]
    assert all(float(jnp.abs(g).sum()) > 0 for g in _arrays(grads))


def test_grad_wrappers_are_modules_whose_layer_trains() -> None:
    layer = equimod.nn.Linear(2, 1, key=KEY)
    wrapped = equimod.filter_grad(lambda m, x: jnp.sum(m(x)))
    assert isinstance(wrapped, Module)
    stored = equimod.filter_value_and_grad(layer)
    assert isinstance(stored, Module) and len(_arrays(stored)) == 2


def test_transformed_methods_bind_their_instance_as_a_leaf() -> None:
    class Scale(Module):
        w: jax.Array

        @equimod.filter_jit
        def apply(self, x: jax.Array) -> jax.Array:
            return self.w * x

    bound = Scale(jnp.array(2.0)).apply
    assert isinstance(bound, equimod.Partial) and len(_arrays(bound)) == 1
    assert float(bound(3.0)) == 6.0
    assert float(Scale(jnp.array(5.0)).apply(3.0)) == 15.0


def test_assigning_a_bound_method_of_self_in_init_raises_at_the_assignment() -> None:
    class Holder(Module):
        callback: Any

        def __init__(self) -> None:
            self.callback = self.run

        def run(self) -> int:
            return 1

    with pytest.raises(
        ValueError,
        match=r"Cannot assign methods in __init__: .*Holder.__init__ assigns to 'callback'",
    ) as info:
        Holder()
    assert "half-built instance" in str(info.value)
    assert info.traceback[-2].name == "__init__"

    # A callable that is not bound to the instance being built is fine.
    class Borrower(Module):
        callback: Any

        def __init__(self, source: Any) -> None:
            self.callback = source

    assert Borrower(equimod.Partial(len)).callback(("a",)) == 1


def test_bound_methods_of_equal_instances_are_equal() -> None:
    class B(Module):
        x: int = 1

        def f(self) -> int:
            return self.x

        def g(self) -> int:
            return self.x

    assert B().f == B().f
    assert hash(B().f) == hash(B().f)
    assert B().f != B().g
    assert B(1).f != B(2).f


def test_a_field_replaced_by_a_property_is_not_a_leaf() -> None:
    class Base(Module):
        size: int = field(init=False)
        weight: jax.Array = field(default_factory=lambda: jnp.ones(2))

    class Sized(Base):
        @property
        def size(self) -> int:  # type: ignore[override]
            return 3

    sized = Sized()
    assert len(jax.tree_util.tree_leaves(sized)) == 1
    assert equimod.filter_jit(lambda m: m.weight * m.size)(sized).tolist() == [3.0, 3.0]
    assert jax.jit(lambda m: m.weight * m.size)(sized).tolist() == [3.0, 3.0]


def test_a_static_field_replaced_by_a_class_attribute_is_not_a_field() -> None:
    class Base(Module):
        scale: float = field(static=True)
        weight: jax.Array

    class Fixed(Base):
        scale = 5.0

    fixed = Fixed(weight=jnp.ones(1))
    assert "scale" not in {f.name for f in dataclasses.fields(fixed)}
    assert jax.jit(lambda m: m.weight * m.scale)(fixed).tolist() == [5.0]
    assert jax.tree_util.tree_map(lambda x: x + 1, fixed).scale == 5.0
    # The base keeps its field.
    assert Base(2.0, jnp.ones(1)).scale == 2.0


def test_generic_modules_keep_orig_class() -> None:
    T = TypeVar("T")

    class Box(Module, Generic[T]):
        value: Any = None

    box = Box[int]()
    assert box.__orig_class__ == Box[int]
    with pytest.raises(AttributeError):
        box.value = 1  # type: ignore[misc]


def test_abstract_attribute_sets_on_every_class() -> None:
    class Base(Module):
        a: AbstractVar[int]
        b: AbstractClassVar[str]

    class Half(Base):
        a: int

    class Full(Half):
        b = "x"

    oracle_base = type("Base", (eqx.Module,), {"__annotations__": {"a": eqx.AbstractVar[int]}})
    assert oracle_base.__abstractvars__ == frozenset({"a"})
    assert (Base.__abstractvars__, Base.__abstractclassvars__) == ({"a"}, {"b"})
    assert (Half.__abstractvars__, Half.__abstractclassvars__) == (set(), {"b"})
    assert (Full.__abstractvars__, Full.__abstractclassvars__) == (set(), set())
    assert Module.__abstractvars__ == frozenset()


def test_a_field_implementing_an_abstract_class_var_says_what_to_write() -> None:
    # Equinox accepts an instance field here; equimod refuses, because a class
    # attribute is what the declaration promises (a read on the class works).
    class Base(Module):
        kind: AbstractClassVar[str]

    with pytest.raises(TypeError, match=r"kind: ClassVar\[T\] = value"):

        class Impl(Base):
            kind: str


def test_a_subclass_keeps_the_inherited_init_docstring() -> None:
    class Base(Module):
        x: int

        def __init__(self, x: int) -> None:
            """Build from x."""
            self.x = x

    class Sub(Base):
        pass

    assert Sub.__init__.__doc__ == "Build from x."


_DOCTESTED = '''
import equimod


class Counter(equimod.Module):
    """A counter.

    >>> Counter(1).start
    1
    """

    start: int

    def next(self):
        """
        >>> Counter(1).next()
        2
        """
        return self.start + 1

    @property
    def double(self):
        """
        >>> Counter(2).double
        4
        """
        return self.start * 2

    @classmethod
    def zero(cls):
        """
        >>> Counter.zero().start
        0
        """
        return cls(0)

    @staticmethod
    def name():
        """
        >>> Counter.name()
        'counter'
        """
        return "counter"

    @equimod.filter_jit
    def add(self, y):
        """
        >>> int(Counter(2).add(3))
        5
        """
        return self.start + y
'''


def test_doctest_finds_every_kind_of_method(tmp_path: Path) -> None:
    path = tmp_path / "doctested_module.py"
    path.write_text(textwrap.dedent(_DOCTESTED))
    spec = importlib.util.spec_from_file_location("doctested_module", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["doctested_module"] = module
    try:
        spec.loader.exec_module(module)
        found = {
            t.name.rsplit(".", 1)[-1] for t in doctest.DocTestFinder().find(module) if t.examples
        }
        assert found == {"Counter", "next", "double", "zero", "name", "add"}
        assert doctest.testmod(module).failed == 0
    finally:
        del sys.modules["doctested_module"]


def test_errors_name_local_classes_by_qualified_name() -> None:
    def make() -> type:
        class Local(Module):
            x: int

            def __init__(self) -> None:
                pass

        return Local

    with pytest.raises(TypeError, match=r"make\.<locals>\.Local\.__init__ returned without"):
        make()()


def test_the_core_spells_its_attribute_names_as_their_constants() -> None:
    # Class attributes and parameters cannot be spelt through a constant; this holds
    # the literals and the constants (which the rest of the code uses) together.
    import inspect

    from equimod._module import _flatten, _module

    assert hasattr(equimod.Module, _flatten.UNFLATTEN_TOKEN_NAME)
    assert getattr(equimod.Module, _flatten.UNFLATTEN_TOKEN_NAME) is _flatten.UNFLATTEN_TOKEN
    assert (
        _flatten.UNFLATTEN_TOKEN_NAME in inspect.signature(_module._ModuleMeta.__call__).parameters
    )
    assert getattr(equimod.Module, _module._ASSIGNABLE, "missing") is None
