"""is_array & co, filter, partition, combine."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np
import pytest

import equimod


def tree() -> dict[str, object]:
    return {"a": jnp.ones(2), "b": 3, "c": [1.5, np.zeros(1, dtype=np.int32)], "d": None}


def test_predicates() -> None:
    assert equimod.is_array(jnp.ones(1)) and equimod.is_array(np.ones(1))
    assert not equimod.is_array(1.0)
    assert equimod.is_array_like(1.0) and equimod.is_array_like(True)
    assert not equimod.is_array_like("a")
    assert equimod.is_inexact_array(jnp.ones(1))
    assert not equimod.is_inexact_array(jnp.arange(2))
    assert not equimod.is_inexact_array(1.0)
    assert equimod.is_inexact_array_like(1.0)
    assert not equimod.is_inexact_array_like(1)


def test_partition_and_combine_round_trip() -> None:
    t = tree()
    arrays, rest = equimod.partition(t, equimod.is_array)
    assert arrays["b"] is None and arrays["c"][0] is None  # type: ignore[index]
    assert rest["a"] is None and rest["b"] == 3
    assert equimod.tree_equal(equimod.combine(arrays, rest), t)
    assert equimod.combine(rest, arrays)["b"] == 3


def test_filter_with_prefix_spec_and_inverse() -> None:
    t = tree()
    kept = equimod.filter(t, {"a": True, "b": False, "c": equimod.is_array, "d": True})
    assert kept["b"] is None and kept["c"][0] is None  # type: ignore[index]
    assert kept["a"] is t["a"]
    inverse = equimod.filter(t, equimod.is_array, inverse=True, replace="gone")
    assert inverse["a"] == "gone" and inverse["b"] == 3


def test_filter_on_a_module_keeps_its_type() -> None:
    layer = equimod.nn.Linear(2, 2, key=jax.random.key(0))
    params = equimod.filter(layer, equimod.is_inexact_array)
    assert isinstance(params, equimod.nn.Linear)
    assert params.in_features == 2


def test_is_leaf_is_respected() -> None:
    t = {"x": (1, 2), "y": 3}
    kept = equimod.filter(
        t, lambda leaf: isinstance(leaf, tuple), is_leaf=lambda x: isinstance(x, tuple)
    )
    assert kept == {"x": (1, 2), "y": None}


def test_bad_filter_spec_structure_is_a_clear_error() -> None:
    with pytest.raises(
        ValueError, match=r"filter_spec must be a bool, a callable, or a pytree prefix"
    ):
        equimod.filter(tree(), {"a": True})


def test_bad_filter_spec_leaf_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match=r"filter_spec leaves must be bools or callables"):
        equimod.filter(tree(), {"a": 1, "b": True, "c": True, "d": True})
    with pytest.raises(TypeError, match=r"It returned 'yes'"):
        equimod.filter(tree(), lambda leaf: "yes")


def test_combine_errors() -> None:
    with pytest.raises(TypeError, match="at least one pytree"):
        equimod.combine()
    with pytest.raises(ValueError, match="same structure"):
        equimod.combine({"a": 1}, [1])


def test_a_spec_shaped_like_a_callable_module_is_a_tree_of_bools() -> None:
    # Equinox's way of training part of a model: a spec of the model's own
    # structure, all False but the chosen leaves. The spec is then a Module with a
    # `__call__` (here an MLP's), which is a pytree of bools, not a predicate.
    for lib in (equimod, eqx):
        model = lib.nn.MLP(2, 2, 4, 2, key=jax.random.key(0))
        spec = jtu.tree_map(lambda _: False, model)
        spec = lib.tree_at(lambda m: m.layers[-1].weight, spec, replace=True)
        trained, frozen = lib.partition(model, spec)
        assert trained.layers[-1].weight is model.layers[-1].weight
        assert trained.layers[0].weight is None and trained.layers[-1].bias is None
        assert frozen.layers[-1].weight is None
        assert jtu.tree_structure(lib.combine(trained, frozen)) == jtu.tree_structure(model)
        assert lib.filter(model, spec, inverse=True).layers[0].weight is model.layers[0].weight


def test_a_none_in_the_spec_stands_for_a_none_in_the_pytree() -> None:
    pytree = {"a": jnp.ones(2), "b": None}
    kept = equimod.filter(pytree, {"a": True, "b": None})
    assert kept["b"] is None and kept["a"] is pytree["a"]
