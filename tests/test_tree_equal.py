"""tree_equal."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import equimod


def _is_jax_bool(result: object, value: bool) -> bool:
    return isinstance(result, jax.Array) and result.dtype == jnp.bool_ and bool(result) is value


def test_structure_and_leaves() -> None:
    # As in Equinox: JAX arrays compared give a JAX bool; a mismatch known without
    # comparing their values, a Python False.
    a = {"x": jnp.ones(2), "y": 1}
    assert _is_jax_bool(equimod.tree_equal(a, {"x": jnp.ones(2), "y": 1}), True)
    assert _is_jax_bool(equimod.tree_equal(a, {"x": jnp.zeros(2), "y": 1}), False)
    assert equimod.tree_equal(a, {"x": jnp.ones(2), "y": 2}) is False
    assert equimod.tree_equal(a, {"x": jnp.ones(3), "y": 1}) is False
    assert equimod.tree_equal(a, {"x": jnp.ones(2, dtype=jnp.int32), "y": 1}) is False
    assert equimod.tree_equal(a, [jnp.ones(2), 1]) is False
    assert _is_jax_bool(equimod.tree_equal(a, a, a), True)
    assert equimod.tree_equal(a) is True
    assert equimod.tree_equal({"x": np.ones(2), "y": 1}, {"x": np.ones(2), "y": 1}) is True
    assert equimod.tree_equal(np.ones(2), np.zeros(2)) is False


def test_arrays_against_non_arrays_and_numpy() -> None:
    assert _is_jax_bool(equimod.tree_equal(jnp.ones(2), np.ones(2, dtype=np.float32)), True)
    assert equimod.tree_equal(jnp.ones(2), 1.0) is False


def test_typematch() -> None:
    assert equimod.tree_equal(1, 1.0) is True
    assert equimod.tree_equal(1, 1.0, typematch=True) is False


def test_tolerances() -> None:
    assert _is_jax_bool(equimod.tree_equal(jnp.ones(2), jnp.ones(2) + 1e-6), False)
    assert _is_jax_bool(equimod.tree_equal(jnp.ones(2), jnp.ones(2) + 1e-6, atol=1e-5), True)
    assert _is_jax_bool(equimod.tree_equal(jnp.ones(2), jnp.ones(2) * 1.01, rtol=0.1), True)
    assert equimod.tree_equal(np.ones(2), np.ones(2) + 1e-6, atol=1e-5) is True


def test_traced_arrays_give_an_array() -> None:
    @jax.jit
    def same(x: jax.Array, y: jax.Array) -> jax.Array:
        result = equimod.tree_equal(x, y)
        assert isinstance(result, jax.Array)
        return result

    assert bool(same(jnp.ones(2), jnp.ones(2)))
    assert not bool(same(jnp.ones(2), jnp.zeros(2)))


def test_modules_compare_with_tree_equal() -> None:
    a = equimod.nn.Linear(2, 2, key=jax.random.key(0))
    b = equimod.nn.Linear(2, 2, key=jax.random.key(0))
    c = equimod.nn.Linear(2, 2, key=jax.random.key(1))
    assert a == b and _is_jax_bool(equimod.tree_equal(a, b), True)
    assert a != c
