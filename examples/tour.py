# pyright: strict, reportUnknownMemberType=false
"""The README tour, run: build a Module, pass it through jax.jit, jax.grad and
jax.vmap, and train it a step with equimod's filtered transforms.

The file is clean under `mypy --strict` and pyright strict, as a user writes it
(`reportUnknownMemberType` is off only because some of JAX's own functions,
such as `jnp.ones`, have a partially unknown type; equimod's types are complete).
"""

from __future__ import annotations

import dataclasses
from typing import cast

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


def apply(model: MyModule, x: jax.Array) -> jax.Array:
    return model(x)


def loss(model: MyModule, x: jax.Array) -> jax.Array:
    return model.loss(x)


def scale_by_learning_rate(grad: jax.Array) -> jax.Array:
    return -0.1 * grad


@equimod.filter_jit
def step(model: MyModule, x: jax.Array) -> tuple[MyModule, jax.Array]:
    value, grads = equimod.filter_value_and_grad(loss)(model, x)
    updates = equimod.filter(grads, equimod.is_array)
    updates = jax.tree_util.tree_map(scale_by_learning_rate, updates)
    return equimod.apply_updates(model, updates), value


def main() -> None:
    model = MyModule(2, 3, key=jax.random.key(0))
    x = jnp.ones(2)
    print("model:", model)

    # What jax.jit and jax.grad return is untyped in JAX (pyright strict would
    # say so): the casts name it.
    y = cast(jax.Array, jax.jit(apply)(model, x))
    print("jax.jit(model)(x):", y)

    grads = cast(MyModule, jax.grad(loss)(model, x))
    print("jax.grad: a", type(grads).__name__, "with d loss/d bias =", grads.bias)

    ys = jax.vmap(model)(jnp.ones((4, 2)))
    print("jax.vmap over a batch of 4:", ys.shape)

    value = cast(jax.Array, jax.jit(model.loss)(x))
    print("jax.jit(model.loss)(x):", value)

    trained, value = step(model, x)
    print(f"a training step: loss {float(value):.3f} -> {float(trained.loss(x)):.3f}")

    try:
        model.bias = jnp.zeros(3)  # type: ignore[equimod-frozen]
    except dataclasses.FrozenInstanceError as error:
        print("assignment after __init__ is refused:", error)
    # MyModule writes its own __init__, so dataclasses.replace cannot rebuild it.
    smaller = equimod.tree_at(lambda m: m.bias, model, jnp.zeros(3))
    print("a copy with a new bias, by tree_at:", smaller.bias)


if __name__ == "__main__":
    main()
