"""equimod.nn.Linear: Equinox's signature, initialisation and call semantics."""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import pytest

import equimod


def test_shapes_and_init_range() -> None:
    layer = equimod.nn.Linear(4, 3, key=jax.random.key(0))
    assert layer.weight.shape == (3, 4)
    assert layer.bias is not None and layer.bias.shape == (3,)
    assert layer.weight.dtype == jnp.float32
    limit = 1 / math.sqrt(4)
    assert float(jnp.abs(layer.weight).max()) <= limit
    assert float(jnp.abs(layer.bias).max()) <= limit
    assert layer(jnp.ones(4)).shape == (3,)


def test_matches_equinox_given_same_weights() -> None:
    ours = equimod.nn.Linear(3, 2, key=jax.random.key(0))
    theirs = eqx.nn.Linear(3, 2, key=jax.random.key(0))
    theirs = eqx.tree_at(lambda m: (m.weight, m.bias), theirs, (ours.weight, ours.bias))
    x = jnp.arange(3.0)
    assert jnp.allclose(ours(x), theirs(x))


def test_no_bias() -> None:
    layer = equimod.nn.Linear(2, 2, use_bias=False, key=jax.random.key(0))
    assert layer.bias is None
    assert jnp.allclose(layer(jnp.ones(2)), layer.weight @ jnp.ones(2))
    assert len(jax.tree_util.tree_leaves(layer)) == 1


def test_scalar_sizes() -> None:
    layer = equimod.nn.Linear("scalar", "scalar", key=jax.random.key(0))
    assert layer.weight.shape == (1, 1)
    out = layer(jnp.array(2.0))
    assert out.shape == ()
    with pytest.raises(ValueError, match=r"in_features='scalar'\) expects an input of shape \(\)"):
        layer(jnp.ones(2))
    to_vector = equimod.nn.Linear("scalar", 3, key=jax.random.key(0))
    assert to_vector(jnp.array(1.0)).shape == (3,)


def test_dtype() -> None:
    layer = equimod.nn.Linear(2, 2, dtype=jnp.bfloat16, key=jax.random.key(0))
    assert layer.weight.dtype == jnp.bfloat16
    complex_layer = equimod.nn.Linear(2, 2, dtype=jnp.complex64, key=jax.random.key(0))
    assert complex_layer.weight.dtype == jnp.complex64


@pytest.mark.parametrize("bad", [-1, 2.5, "vector", True])
def test_bad_sizes_are_rejected(bad: object) -> None:
    with pytest.raises(
        ValueError,
        match=r"Linear: in_features must be a non-negative int or the string 'scalar'",
    ):
        equimod.nn.Linear(bad, 2, key=jax.random.key(0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="out_features"):
        equimod.nn.Linear(2, bad, key=jax.random.key(0))  # type: ignore[arg-type]


def test_key_is_required_keyword() -> None:
    with pytest.raises(TypeError, match="key"):
        equimod.nn.Linear(2, 2)  # type: ignore[call-arg]


def test_subclass_keeps_the_constructor() -> None:
    class Scaled(equimod.nn.Linear):
        def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
            return 2 * super().__call__(x)

    layer = Scaled(2, 3, key=jax.random.key(0))
    base = equimod.nn.Linear(2, 3, key=jax.random.key(0))
    assert jnp.allclose(layer(jnp.ones(2)), 2 * base(jnp.ones(2)))


def test_zero_sizes_make_empty_layers_as_in_equinox() -> None:
    no_inputs = equimod.nn.Linear(0, 4, key=jax.random.key(0))
    assert no_inputs(jnp.ones(0)).shape == (4,)
    assert bool(jnp.all(jnp.isfinite(no_inputs.bias)))
    no_outputs = equimod.nn.Linear(4, 0, key=jax.random.key(0))
    assert no_outputs(jnp.ones(4)).shape == (0,)
