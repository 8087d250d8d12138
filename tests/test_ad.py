"""filter_grad and filter_value_and_grad."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

import equimod


def loss(model: equimod.nn.Linear, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.sum((model(x) - y) ** 2)


def test_value_and_grad_of_a_module_matches_jax_grad() -> None:
    layer = equimod.nn.Linear(2, 3, key=jax.random.key(0))
    x, y = jnp.ones(2), jnp.zeros(3)
    value, grads = equimod.filter_value_and_grad(loss)(layer, x, y)
    expected = jax.grad(loss)(layer, x, y)
    assert jnp.allclose(value, loss(layer, x, y))
    assert isinstance(grads, equimod.nn.Linear)
    assert jnp.allclose(grads.weight, expected.weight)
    assert grads.in_features == 2


def test_non_inexact_leaves_get_none() -> None:
    tree = {"w": jnp.ones(2), "n": 3, "idx": jnp.arange(2), "name": "x"}
    grads = equimod.filter_grad(lambda t: jnp.sum(t["w"] * t["n"]) + t["idx"].sum())(tree)
    assert grads["w"].tolist() == [3.0, 3.0]
    assert grads["n"] is None and grads["idx"] is None and grads["name"] is None


def test_has_aux() -> None:
    def with_aux(w: jax.Array) -> tuple[jax.Array, str]:
        return jnp.sum(w**2), "aux"

    (value, aux), grads = equimod.filter_value_and_grad(with_aux, has_aux=True)(jnp.ones(2))
    assert float(value) == 2.0 and aux == "aux"
    assert grads.tolist() == [2.0, 2.0]
    grads2, aux2 = equimod.filter_grad(with_aux, has_aux=True)(jnp.ones(2))
    assert grads2.tolist() == [2.0, 2.0] and aux2 == "aux"


def test_decorator_form_and_name() -> None:
    @equimod.filter_grad
    def f(w: jax.Array) -> jax.Array:
        return jnp.sum(w)

    assert f.__name__ == "f"
    assert f(jnp.ones(2)).tolist() == [1.0, 1.0]

    @equimod.filter_value_and_grad(has_aux=False)
    def g(w: jax.Array) -> jax.Array:
        return jnp.sum(w)

    assert float(g(jnp.ones(2))[0]) == 2.0


def test_bad_inputs() -> None:
    with pytest.raises(TypeError, match="filter_grad expects a callable"):
        equimod.filter_grad(3)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="filter_value_and_grad expects a callable"):
        equimod.filter_value_and_grad("f")  # type: ignore[call-overload]
    with pytest.raises(
        TypeError, match=r"called without a positional argument.*first positional argument"
    ):
        equimod.filter_grad(lambda: 1.0)()  # type: ignore[call-arg]

    def not_a_pair(w: jax.Array) -> jax.Array:
        return jnp.sum(w)

    with pytest.raises(
        TypeError,
        match=r"not_a_pair was differentiated with has_aux=True, so it must return a pair \(value, aux\)",
    ):
        equimod.filter_grad(not_a_pair, has_aux=True)(jnp.ones(2))
