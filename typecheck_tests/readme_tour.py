# pyright: strict, reportUnknownMemberType=false
"""The README tour, as a user writes it: clean under `mypy --strict` and pyright strict.

(`reportUnknownMemberType` is off only because some of JAX's own functions,
such as `jnp.ones`, have a partially unknown type; equimod's types are complete.)
"""

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


def loss(model: MyModule, x: jax.Array) -> jax.Array:
    return jnp.sum(model(x) ** 2)


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
    model, value = step(model, jnp.ones(2))
    ys = jax.vmap(model)(jnp.ones((8, 2)))
    # MyModule writes its own __init__, so dataclasses.replace cannot rebuild it.
    smaller = equimod.tree_at(lambda m: m.bias, model, jnp.zeros(3))
    print(value, ys.shape, smaller.bias)


if __name__ == "__main__":
    main()
