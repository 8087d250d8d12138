"""Interoperation: train an equimod MLP with optax."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

import equimod


def test_optax_adam_trains_an_mlp() -> None:
    key = jax.random.key(0)
    x = jax.random.uniform(key, (256, 2), minval=-1, maxval=1)
    y = (x[:, :1] * 2 - x[:, 1:]) ** 2
    model = equimod.nn.MLP(2, 1, width_size=32, depth=2, key=jax.random.key(1))
    optimiser = optax.adam(1e-2)
    state = optimiser.init(equimod.filter(model, equimod.is_inexact_array))

    def loss_fn(model: equimod.nn.MLP, x: jax.Array, y: jax.Array) -> jax.Array:
        return jnp.mean((jax.vmap(model)(x) - y) ** 2)

    @equimod.filter_jit
    def step(
        model: equimod.nn.MLP, state: optax.OptState
    ) -> tuple[equimod.nn.MLP, optax.OptState, jax.Array]:
        loss, grads = equimod.filter_value_and_grad(loss_fn)(model, x, y)
        updates, state = optimiser.update(
            grads, state, equimod.filter(model, equimod.is_inexact_array)
        )
        return equimod.apply_updates(model, updates), state, loss

    first = float(loss_fn(model, x, y))
    for _ in range(150):
        model, state, _ = step(model, state)
    final = float(loss_fn(model, x, y))
    assert final < 0.2 * first
    assert isinstance(model, equimod.nn.MLP) and model.width_size == 32
