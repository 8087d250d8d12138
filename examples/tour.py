"""The README tour, run: build Modules, pass them through jax.jit, jax.grad and jax.vmap."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

import equimod


class MyModule(equimod.Module):
    weight: jax.Array
    bias: jax.Array
    submodule: equimod.nn.Linear

    def __init__(self, in_size: int, out_size: int, key: jax.Array) -> None:
        wkey, bkey, skey = jax.random.split(key, 3)
        self.weight = jax.random.normal(wkey, (out_size, in_size))
        self.bias = jax.random.normal(bkey, (out_size,))
        self.submodule = equimod.nn.Linear(in_size, out_size, key=skey)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.submodule(x) + self.weight @ x + self.bias

    def loss(self, x: jax.Array) -> jax.Array:
        return jnp.sum(self(x) ** 2)


def main() -> None:
    model = MyModule(2, 3, key=jax.random.key(0))
    x = jnp.ones(2)
    print("model:", model)

    y = jax.jit(lambda m, x: m(x))(model, x)
    print("jax.jit(model)(x):", y)

    grads = jax.grad(lambda m, x: m.loss(x))(model, x)
    print("jax.grad: a", type(grads).__name__, "with d loss/d bias =", grads.bias)

    ys = jax.vmap(model)(jnp.ones((4, 2)))
    print("jax.vmap over a batch of 4:", ys.shape)

    print("jax.jit(model.loss)(x):", jax.jit(model.loss)(x))

    try:
        model.bias = jnp.zeros(3)  # type: ignore[equimod-frozen]
    except dataclasses.FrozenInstanceError as error:
        print("assignment after __init__ is refused:", error)


if __name__ == "__main__":
    main()
