"""Train a shape-checked model: jaxtyping annotations, checked at run time by beartype.

Every field and every method says the shapes it takes (`Float[Array, "out in"]`),
and `@jaxtyped(typechecker=beartype)` checks them on each construction and call,
with the dimensions' names tied together within a call. A model built with
mismatched shapes is refused where it is built, not three layers later. The
checks never run when JAX rebuilds the model from its leaves (in `jit`, `grad`,
`tree_at`), which is what lets a checked model train like any other.

    python examples/train_shape_checked.py [--steps N]
"""

from __future__ import annotations

import argparse
import sys

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, PRNGKeyArray, TypeCheckError, jaxtyped

import equimod


@jaxtyped(typechecker=beartype)
class Affine(equimod.Module):
    weight: Float[Array, "out in"]
    bias: Float[Array, " out"]

    @jaxtyped(typechecker=beartype)
    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        return self.weight @ x + self.bias


@jaxtyped(typechecker=beartype)
class TwoLayer(equimod.Module):
    hidden: Affine
    output: Affine

    def __init__(self, size: int, width: int, *, key: PRNGKeyArray) -> None:
        hkey, okey = jax.random.split(key)
        scale = 1 / jnp.sqrt(size)
        self.hidden = Affine(scale * jax.random.normal(hkey, (width, size)), jnp.zeros(width))
        self.output = Affine(jax.random.normal(okey, (1, width)) / jnp.sqrt(width), jnp.zeros(1))

    @jaxtyped(typechecker=beartype)
    def __call__(self, x: Float[Array, " in"]) -> Float[Array, ""]:
        return self.output(jnp.tanh(self.hidden(x)))[0]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=200)
    steps = parser.parse_args().steps

    # Shapes are checked where a layer is built...
    try:
        Affine(jnp.ones((3, 2)), jnp.zeros(4))  # `out` would be both 3 and 4
    except TypeCheckError:
        print("an Affine with mismatched shapes is refused at construction")
    else:
        print("FAILED: a mismatched Affine was built")
        return 1

    xkey, mkey = jax.random.split(jax.random.key(0))
    x = jax.random.uniform(xkey, (256, 3), minval=-1, maxval=1)
    y = jnp.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2]
    model = TwoLayer(3, 32, key=mkey)

    @equimod.filter_jit
    def step(model: TwoLayer, x: jax.Array, y: jax.Array) -> tuple[TwoLayer, jax.Array]:
        def loss(model: TwoLayer) -> jax.Array:
            return jnp.mean((jax.vmap(model)(x) - y) ** 2)

        value, grads = equimod.filter_value_and_grad(loss)(model)
        updates = jax.tree_util.tree_map(lambda g: -0.1 * g, grads)
        return equimod.apply_updates(model, updates), value

    # ...and the checked model trains under jit, grad and vmap like any other.
    first = last = float("nan")
    for i in range(steps):
        model, value = step(model, x, y)
        first = float(value) if i == 0 else first
        last = float(value)
        if i % 50 == 0:
            print(f"step {i:4d} loss {last:.4f}")
    print(f"final loss {last:.4f} (from {first:.4f})")

    # tree_at rebuilds the model from markers: the checked __init__ does not run.
    zeroed = equimod.tree_at(lambda m: m.output.bias, model, jnp.ones(1))
    arrays, rest = equimod.partition(zeroed, equimod.is_array)
    rebuilt = equimod.combine(arrays, rest)
    print(f"rebuilt by tree_at, partition and combine: bias {rebuilt.output.bias.tolist()}")
    if not last < 0.5 * first:
        print("FAILED: the loss did not halve")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
