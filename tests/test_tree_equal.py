"""tree_equal."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import equimod


def test_structure_and_leaves() -> None:
    a = {"x": jnp.ones(2), "y": 1}
    assert equimod.tree_equal(a, {"x": jnp.ones(2), "y": 1}) is True
    assert equimod.tree_equal(a, {"x": jnp.ones(2), "y": 2}) is False
    assert equimod.tree_equal(a, {"x": jnp.ones(3), "y": 1}) is False
    assert equimod.tree_equal(a, {"x": jnp.ones(2, dtype=jnp.int32), "y": 1}) is False
    assert equimod.tree_equal(a, [jnp.ones(2), 1]) is False
    assert equimod.tree_equal(a, a, a) is True
    assert equimod.tree_equal(a) is True


def test_arrays_against_non_arrays_and_numpy() -> None:
    assert equimod.tree_equal(jnp.ones(2), np.ones(2, dtype=np.float32)) is True
    assert equimod.tree_equal(jnp.ones(2), 1.0) is False


def test_typematch() -> None:
    assert equimod.tree_equal(1, 1.0) is True
    assert equimod.tree_equal(1, 1.0, typematch=True) is False


def test_tolerances() -> None:
    assert equimod.tree_equal(jnp.ones(2), jnp.ones(2) + 1e-6) is False
    assert equimod.tree_equal(jnp.ones(2), jnp.ones(2) + 1e-6, atol=1e-5) is True
    assert equimod.tree_equal(jnp.ones(2), jnp.ones(2) * 1.01, rtol=0.1) is True


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
    assert a == b and equimod.tree_equal(a, b) is True
    assert a != c
