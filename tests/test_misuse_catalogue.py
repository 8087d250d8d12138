"""The misuse catalogue: every error path of the Module runtime contract.

Each mistake is made in a fresh class; the error must be of the documented type,
name the class and the field, and say how to fix it. After each failure a correct
construction of the same class works, and nothing is left behind (no init state on
the class, no cached half-built instance). A second table tries plausible mistakes
with JAX transforms and checks each ends in an error raised by equimod or a clear
one from JAX, never a `SystemError` or a crash inside JAX's C++ code.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import pytest

import equimod


def _classes() -> dict[str, Any]:
    """Fresh classes each time, so that one mistake cannot leak into the next."""

    class Frozen(equimod.Module):
        weight: jax.Array

    class Child(equimod.Module):
        parent: Any

    class HandInit(equimod.Module):
        weight: jax.Array
        size: int = equimod.field(static=True)

        def __init__(self, size: int, mistake: str = "") -> None:
            self.size = size
            if mistake == "undeclared":
                self.bias = jnp.zeros(size)
            if mistake == "bound":
                self.weight = self.describe  # type: ignore[assignment]
                return
            if mistake == "self":
                self.weight = (self,)  # type: ignore[assignment]
                return
            if mistake == "parent":
                self.weight = Child(parent=self)  # type: ignore[assignment]
                return
            if mistake == "unset":
                return
            self.weight = jnp.ones(size)

        def describe(self) -> str:
            return "hand"

    class Converted(equimod.Module):
        count: int = equimod.field(converter=int)

    class Abstract(equimod.Module):
        rate: equimod.AbstractVar[float]
        name: equimod.AbstractClassVar[str]

    class Concrete(Abstract):
        rate: float
        name: ClassVar[str] = "concrete"

    class Static(equimod.Module):
        table: Any = equimod.field(static=True)

    class Checked(equimod.Module):
        value: int

        def __check_init__(self) -> None:
            if self.value < 0:
                raise ValueError(f"Checked.value must be >= 0, got {self.value}; pass a count.")

    return locals()


Mistake = tuple[str, Callable[[dict[str, Any]], Any], type[BaseException], str, str, str]

# (id, the mistake, error type, class, field, a phrase of the fix)
CATALOGUE: list[Mistake] = [
    ("assign after init", lambda c: setattr(c["Frozen"](jnp.ones(1)), "weight", 0), dataclasses.FrozenInstanceError, "Frozen", "weight", "tree_at"),
    ("assign a non-field after init", lambda c: setattr(c["Frozen"](jnp.ones(1)), "other", 0), dataclasses.FrozenInstanceError, "Frozen", "other", "immutable"),
    ("delete a field", lambda c: delattr(c["Frozen"](jnp.ones(1)), "weight"), dataclasses.FrozenInstanceError, "Frozen", "weight", "tree_at"),
    ("assign an undeclared name in __init__", lambda c: c["HandInit"](2, "undeclared"), AttributeError, "HandInit", "bias", "Declare it at class level"),
    ("store a bound method of self", lambda c: c["HandInit"](2, "bound"), ValueError, "HandInit", "weight", "Store the function instead"),
    ("store the instance in itself", lambda c: c["HandInit"](2, "self"), ValueError, "HandInit", "weight", "Store what you need of it"),
    ("give a child Module `self` as its parent", lambda c: c["HandInit"](2, "parent"), ValueError, "HandInit", "weight", "Store what you need of it"),
    ("leave a field unset", lambda c: c["HandInit"](2, "unset"), TypeError, "HandInit", "weight", "give it a default"),
    ("a converter refuses the value", lambda c: c["Converted"]("many"), ValueError, "Converted", "count", "Pass a value the converter accepts"),
    ("instantiate an abstract class", lambda c: c["Abstract"](), TypeError, "Abstract", "rate", "Implement each"),
    ("a check fails", lambda c: c["Checked"](-1), ValueError, "Checked", "value", "pass a count"),
    ("an instance field for an AbstractClassVar", lambda c: type("Bad", (c["Abstract"],), {"__annotations__": {"rate": float, "name": str}}), TypeError, "Bad", "name", "ClassVar[T] = value"),
    ("__slots__", lambda c: type("Slotted", (equimod.Module,), {"__slots__": ("weight",)}), TypeError, "Slotted", "__slots__", "declare each field"),
    ("own __setattr__", lambda c: type("Setter", (equimod.Module,), {"__setattr__": lambda s, n, v: None}), TypeError, "Setter", "__setattr__", "tree_at"),
    ("an abstract attribute given a value", lambda c: type("Valued", (equimod.Module,), {"__annotations__": {"rate": equimod.AbstractVar[float]}, "rate": 0.1}), TypeError, "Valued", "rate", "remove the value"),
    ("a bare AbstractVar", lambda c: type("Bare", (equimod.Module,), {"__annotations__": {"rate": equimod.AbstractVar}}), TypeError, "Bare", "rate", "AbstractVar[int]"),
    ("__post_init__ beside a hand-written __init__", lambda c: type("Both", (c["HandInit"],), {"__post_init__": lambda self: None}), UserWarning, "Both", "__post_init__", "__check_init__"),
    ("an array in a static field", lambda c: c["Static"](jnp.ones(2)), UserWarning, "Static", "table", "without static=True"),
    ("a converter that is not callable", lambda c: equimod.field(converter=3), TypeError, "field", "converter", "Pass a function"),
    ("metadata that clashes with an option", lambda c: equimod.field(metadata={"static": True}), ValueError, "field", "static", "field(static=...)"),
]  # fmt: skip

CORRECT: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Frozen": lambda c: c["Frozen"](jnp.ones(1)),
    "HandInit": lambda c: c["HandInit"](2),
    "Converted": lambda c: c["Converted"]("3"),
    "Abstract": lambda c: c["Concrete"](0.1),
    "Checked": lambda c: c["Checked"](1),
}


@pytest.mark.parametrize(
    ("mistake", "error", "cls", "field", "fix"),
    [case[1:] for case in CATALOGUE],
    ids=[case[0] for case in CATALOGUE],
)
def test_each_mistake_names_class_field_and_fix_and_leaves_nothing_behind(
    mistake: Callable[[dict[str, Any]], Any],
    error: type[BaseException],
    cls: str,
    field: str,
    fix: str,
) -> None:
    classes = _classes()
    if issubclass(error, Warning):
        with pytest.warns(error) as warned:
            mistake(classes)
        message = str(warned[0].message)
    else:
        with pytest.raises(error) as caught:
            mistake(classes)
        message = str(caught.value)
    assert cls in message and field in message and fix in message, message
    if cls in CORRECT:
        instance = CORRECT[cls](classes)
        leaves, treedef = jax.tree_util.tree_flatten(instance)
        assert jax.tree_util.tree_unflatten(treedef, leaves) == instance
        for klass in classes.values():
            if isinstance(klass, type) and issubclass(klass, equimod.Module):
                assert klass._equimod_assignable is None
        assert instance._equimod_assignable is None


class Layer(equimod.Module):
    weight: jax.Array
    label: Any = equimod.field(static=True, default="layer")

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.weight * x


SEARCH: list[tuple[str, Callable[[], Any], type[BaseException], str]] = [
    ("a string where an array is expected, under jax.jit", lambda: jax.jit(lambda m: m.weight + 1)(Layer("w")), TypeError, "of type <class 'str'>"),
    ("map over a non-array leaf", lambda: equimod.filter_vmap(lambda m: m.weight, in_axes=0)(Layer("w")), ValueError, "not an array"),
    ("differentiate a non-scalar", lambda: equimod.filter_grad(lambda m: m(jnp.ones(2)))(Layer(jnp.ones(2))), TypeError, "scalar"),
    ("differentiate an integer output", lambda: equimod.filter_grad(lambda m: jnp.sum(m.weight))(Layer(jnp.ones(2, int))), TypeError, "real-valued"),
    ("tree_at computing a new value", lambda: equimod.tree_at(lambda m: m.weight + 1, Layer(jnp.ones(2)), 0), TypeError, "not compute with them"),
    ("tree_at returning something else", lambda: equimod.tree_at(lambda m: 3, Layer(jnp.ones(2)), 0), ValueError, "not a node of the pytree"),
    ("tree_at on a missing attribute", lambda: equimod.tree_at(lambda m: m.bias, Layer(jnp.ones(2)), 0), TypeError, "calling `where` on the pytree failed"),
    ("mismatched vmap sizes", lambda: equimod.filter_vmap(lambda a, b: a + b)(jnp.ones(2), jnp.ones(3)), ValueError, "inconsistent sizes"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mistake", "error", "phrase"), [case[1:] for case in SEARCH], ids=[case[0] for case in SEARCH]
)
def test_plausible_mistakes_give_clear_errors_not_crashes(
    mistake: Callable[[], Any], error: type[BaseException], phrase: str
) -> None:
    with pytest.raises(error) as caught:
        mistake()
    assert not isinstance(caught.value, SystemError)
    assert phrase in str(caught.value)
    # The traceback passes through the line that made the mistake (this test's table).
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert any(frame.filename == __file__ for frame in frames)


def test_unhashable_static_values_work_under_jit() -> None:
    class Table(equimod.Module):
        rows: Any = equimod.field(static=True)

    count = equimod.filter_jit(lambda t, x: x + len(t.rows))
    assert [float(count(Table(rows), 1.0)) for rows in ([1], [1, 2], [1])] == [2.0, 3.0, 2.0]
    assert float(jax.jit(lambda t: jnp.float32(len(t.rows)))(Table([1, 2, 3]))) == 3.0
