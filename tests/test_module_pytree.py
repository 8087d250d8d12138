"""Modules as pytrees: flatten paths, unflatten, transforms, bound methods, eq/hash/repr/pickle."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np
import pytest

# The README tour's Module, as examples/tour.py runs it.
from tour import MyModule

import equimod
from equimod import Module, field


class Counted(Module):
    """Counts __init__, converter and check calls, to prove unflatten skips them."""

    x: Any = field(converter=lambda v: Counted.log("convert", v))
    scale: float = field(static=True, default=2.0)
    events: Any = field(static=True, default=None)

    calls: ClassVar[list[str]] = []

    @staticmethod
    def log(event: str, value: Any) -> Any:
        Counted.calls.append(event)
        return value

    def __check_init__(self) -> None:
        Counted.calls.append("check")

    def scaled(self, y: jax.Array) -> jax.Array:
        return self.x * self.scale + y


def model() -> MyModule:
    return MyModule(2, 3, jax.random.key(0))


def test_seed_example_runs_under_jit_grad_vmap() -> None:
    m = model()
    x = jnp.ones(2)
    expected = m.submodule(x) + m.weight @ x + m.bias  # type: ignore[operator]
    assert jnp.allclose(jax.jit(lambda m, x: m(x))(m, x), expected)
    grads = jax.grad(lambda m, x: m(x).sum())(m, x)
    assert isinstance(grads, MyModule)
    assert jnp.allclose(grads.bias, jnp.ones(3))
    batched = jax.vmap(m)(jnp.ones((4, 2)))
    assert batched.shape == (4, 3)


def test_children_are_non_static_fields_in_order_with_getattr_keys() -> None:
    m = model()
    paths = [jtu.keystr(path) for path, _ in jtu.tree_flatten_with_path(m)[0]]
    assert paths == [".weight", ".bias", ".submodule.weight", ".submodule.bias"]
    leaves, treedef = jtu.tree_flatten(equimod.nn.Linear(2, 3, key=jax.random.key(1)))
    assert len(leaves) == 2
    assert "(2, 3, True" in str(treedef)  # static fields live in the treedef


def test_unflatten_never_runs_init_converters_or_checks() -> None:
    Counted.calls.clear()
    c = Counted(jnp.ones(2))
    assert Counted.calls == ["convert", "check"]
    Counted.calls.clear()
    leaves, treedef = jtu.tree_flatten(c)
    rebuilt = jtu.tree_unflatten(treedef, [leaf * 3 for leaf in leaves])
    doubled = jax.jit(lambda c: c)(c)
    assert Counted.calls == []
    assert isinstance(rebuilt, Counted)
    assert rebuilt.x.tolist() == [3.0, 3.0]
    assert rebuilt.scale == 2.0
    assert doubled.x.tolist() == [1.0, 1.0]


def test_unflatten_of_custom_init_module_with_different_signature() -> None:
    m = model()
    rebuilt = jtu.tree_map(lambda x: x + 1, m)
    assert isinstance(rebuilt, MyModule)
    assert jnp.allclose(rebuilt.bias, m.bias + 1)


def test_lax_scan_over_a_module_carry() -> None:
    m = model()

    def step(carry: MyModule, _: None) -> tuple[MyModule, jax.Array]:
        new = jtu.tree_map(lambda a: a * 0.5, carry)
        return new, new.bias.sum()

    final, sums = jax.lax.scan(step, m, None, length=3)
    assert jnp.allclose(final.bias, m.bias / 8)
    assert sums.shape == (3,)


def test_static_field_change_is_a_new_treedef() -> None:
    a = Counted(1.0, scale=2.0)
    b = Counted(1.0, scale=3.0)
    assert jtu.tree_structure(a) != jtu.tree_structure(b)
    assert jtu.tree_structure(a) == jtu.tree_structure(Counted(5.0, scale=2.0))


def test_methods_are_pytree_bound_methods() -> None:
    c = Counted(jnp.ones(2))
    method = c.scaled
    assert isinstance(method, equimod.Module)
    assert method.__self__ is c
    assert jtu.tree_leaves(method) == jtu.tree_leaves(c)
    assert method(jnp.zeros(2)).tolist() == [2.0, 2.0]
    assert Counted.scaled is Counted.__dict__["scaled"].__func__  # plain function on the class
    assert method.__name__ == "scaled"
    assert list(inspect.signature(method).parameters) == ["y"]


def test_jax_jit_and_grad_of_a_bound_method() -> None:
    c = Counted(jnp.ones(2))
    assert jax.jit(c.scaled)(jnp.ones(2)).tolist() == [3.0, 3.0]
    grads = jax.grad(lambda method, y: method(y).sum())(c.scaled, jnp.zeros(2))
    assert grads.__self__.x.tolist() == [2.0, 2.0]
    assert c.scaled == c.scaled
    assert hash(c.scaled) == hash(c.scaled)
    # Bound methods of equal instances are equal, as the instances are.
    assert c.scaled == Counted(jnp.ones(2)).scaled
    assert hash(c.scaled) == hash(Counted(jnp.ones(2)).scaled)
    assert c.scaled != Counted(jnp.zeros(2)).scaled


def test_plain_attribute_access_is_not_intercepted() -> None:
    assert MyModule.__getattribute__ is object.__getattribute__


def test_eq_is_tree_equal_and_hash_follows_leaves() -> None:
    m = model()
    assert m == jtu.tree_map(lambda x: x, m)
    assert m != jtu.tree_map(lambda x: x + 1, m)
    assert m != "not a module"

    class Hashable(Module):
        a: int
        b: str = field(static=True)

    assert hash(Hashable(1, "x")) == hash(Hashable(1, "x"))
    assert Hashable(1, "x") != Hashable(1, "y")
    with pytest.raises(TypeError, match="unhashable"):
        hash(m)


def test_repr_is_a_readable_tree_as_equinox_prints_it() -> None:
    layer = equimod.nn.Linear(2, 3, key=jax.random.key(0))
    assert repr(layer) == repr(eqx.nn.Linear(2, 3, key=jax.random.key(0)))
    assert repr(layer) == (
        "Linear(\n  weight=f32[3,2], bias=f32[3], in_features=2, out_features=3, use_bias=True\n)"
    )
    text = repr(model())
    assert text.startswith("MyModule(\n  weight=f32[3,2],\n  bias=f32[3],\n  submodule=Linear(")


def test_pickle_and_copy_round_trip() -> None:
    m = model()
    for clone in (pickle.loads(pickle.dumps(m)), copy.copy(m), copy.deepcopy(m)):
        assert isinstance(clone, MyModule)
        assert clone == m
        with pytest.raises(AttributeError):
            clone.bias = jnp.zeros(3)  # type: ignore[misc]
    restored = pickle.loads(pickle.dumps(_PICKLABLE.method_holder.total))
    assert restored() == 6


class Holder(Module):
    values: tuple[int, ...]

    def total(self) -> int:
        return sum(self.values)


class _Namespace:
    method_holder = Holder((1, 2, 3))


_PICKLABLE = _Namespace()


def test_numpy_leaves_work() -> None:
    h = Holder((1, 2))
    arr = Counted(np.ones(3))
    assert jtu.tree_leaves(arr)[0].shape == (3,)
    assert h.total() == 3


@pytest.mark.parametrize("registration", ["C++ dataclass node", "Python callbacks"])
def test_both_registrations_flatten_rebuild_and_name_the_fields(
    registration: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from equimod._module import _flatten

    if registration == "Python callbacks":
        # Where JAX's registries cannot be used directly, Modules register callbacks.
        monkeypatch.setattr(_flatten, "_FAST_REGISTRIES", None)
    else:
        # JAX 0.4 names its registries one by one, later releases list them in
        # `_all_registries`: every supported JAX must give the C++ path.
        assert _flatten._FAST_REGISTRIES is not None
        assert len(_flatten._FAST_REGISTRIES) >= 3

    class Keyed(Module):
        w: jax.Array
        tag: str = field(static=True, default="t")

        def __init__(self, w: jax.Array) -> None:
            self.w = w

    m = Keyed(jnp.ones(2))
    ((path, leaf),), _ = jtu.tree_flatten_with_path(m)
    assert jtu.keystr(path) == ".w" and leaf is m.w
    assert jtu.tree_map_with_path(lambda p, x: jtu.keystr(p), m).w == ".w"
    rebuilt = jtu.tree_map(lambda x: x + 1, m)
    assert type(rebuilt) is Keyed
    assert rebuilt.w.tolist() == [2.0, 2.0]
    assert rebuilt.tag == "t"
    assert jax.jit(lambda m: m.w * 2)(m).tolist() == [2.0, 2.0]


def test_a_class_built_by_its_generated_init_alone_is_called_as_a_dataclass() -> None:
    class Plain(equimod.Module):
        a: jax.Array
        b: int = 3

    class WithStatic(Plain):
        c: int = equimod.field(static=True, default=0)

    class WithInitVar(Plain):
        scale: dataclasses.InitVar[int] = 1

        def __post_init__(self, scale: int) -> None:
            pass

    class Written(Plain):
        def __init__(self, a: jax.Array) -> None:
            self.a = a
            self.b = 4

    class PlainAgain(Written):
        c: int = 5

        def __init__(self, a: jax.Array, b: int, c: int) -> None:
            self.a, self.b, self.c = a, b, c

    class Generated(WithStatic):
        d: float = 1.0

    direct = {Plain}
    for cls in (Plain, WithStatic, WithInitVar, Written, PlainAgain, Generated):
        # The metaclass's own __call__ runs for every class but the plainest.
        assert (type(cls).__call__ is type.__call__) == (cls in direct), cls
        assert isinstance(cls, type(equimod.Module))
    a = jnp.arange(3.0)
    for instance in (
        Plain(a),
        WithStatic(a),
        WithInitVar(a, 3, 2),
        Written(a),
        PlainAgain(a, 1, 2),
    ):
        leaves, treedef = jax.tree_util.tree_flatten(instance)
        rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
        assert type(rebuilt) is type(instance) and rebuilt == instance

    # The guard of a hand-written __init__ still applies under a direct-call base.
    class Careless(Plain):
        def __init__(self, a: jax.Array) -> None:
            self.a = a
            self.nonfield = 1

    with pytest.raises(AttributeError, match="has no field 'nonfield'"):
        Careless(a)
    with pytest.raises(TypeError):
        Plain()  # type: ignore[call-arg]


def test_a_static_value_compares_without_calling_a_modules_eq() -> None:
    # JAX compares the treedefs holding a Static in its caches (lineax's custom
    # derivatives under jax.jvp): a Module's __eq__ compares arrays, and may give
    # an array, so the value is compared by its leaves and structure instead.
    from equimod._static import Static

    class Touchy(equimod.Module):
        name: str = equimod.field(static=True)

        def __eq__(self, other: object) -> Any:
            raise AssertionError("a Module's __eq__ was called")

    first = jtu.tree_structure(Static((Touchy("a"), [1, "x"])))
    assert first == jtu.tree_structure(Static((Touchy("a"), [1, "x"])))
    assert first != jtu.tree_structure(Static((Touchy("b"), [1, "x"])))
    assert hash(first) == hash(jtu.tree_structure(Static((Touchy("a"), [1, "x"]))))
    assert Static((Touchy("a"), 2)).value[1] == 2
