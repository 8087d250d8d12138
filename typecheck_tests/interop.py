"""The ecosystem's own types: jaxtyping's annotations in a Module, optax's
`Params` and `Updates` taking what equimod's filters and gradients give."""

from typing import Any

import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, Float, PRNGKeyArray, PyTree
from typing_extensions import assert_type

import equimod


# jaxtyping's array annotations are the array type to every checker (its shape
# and dtype are checked at run time, by jaxtyping's own hook): a generated
# __init__ takes an array for them, and refuses what is not one.
class Affine(equimod.Module):
    weight: Float[Array, "out in"]
    bias: Float[Array, " out"]
    # PyTree[...] is Any to every checker, whatever it is subscripted with.
    extra: PyTree[float]

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        return self.weight @ x + self.bias


affine = Affine(jnp.ones((2, 3)), jnp.zeros(2), {"a": 1.0})
Affine(jnp.ones((2, 3)), jnp.zeros(2), "anything")
Affine("weights", jnp.zeros(2), None)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
assert_type(affine.weight, jax.Array)
assert_type(affine(jnp.ones(3)), jax.Array)

# A PRNGKeyArray is an Array: the keys of nn layers take one.
key: PRNGKeyArray = jax.random.key(0)
model = equimod.nn.MLP(2, 1, width_size=8, depth=1, key=key)
equimod.nn.Linear(2, 2, key="seed")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


def loss(model: equimod.nn.MLP, x: Float[Array, "batch 2"]) -> Float[Array, ""]:
    return jnp.mean(jax.vmap(model)(x) ** 2)


# optax takes the filtered model and its gradients as `Params` and `Updates`;
# apply_updates gives the model back as itself.
optimiser = optax.adam(1e-3)
state = optimiser.init(equimod.filter(model, equimod.is_inexact_array))
value, grads = equimod.filter_value_and_grad(loss)(model, jnp.ones((4, 2)))
updates, state = optimiser.update(grads, state, equimod.filter(model, equimod.is_inexact_array))
assert_type(equimod.apply_updates(model, updates), equimod.nn.MLP)
optax.apply_updates(equimod.filter(model, equimod.is_array), updates)

# The same through partition and combine, as Equinox's examples train.
params, static = equimod.partition(model, equimod.is_inexact_array)
state = optimiser.init(params)
updates, state = optimiser.update(equimod.filter_grad(loss)(model, jnp.ones((4, 2))), state, params)
params = optax.apply_updates(params, updates)
assert_type(equimod.combine(params, static), equimod.nn.MLP)
equimod.combine(params, static)("x")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly

# tree_map over what filter selects, as a hand-written optimiser does.
scaled: Any = jax.tree_util.tree_map(lambda g: -0.1 * g, equimod.filter(grads, equimod.is_array))
assert_type(equimod.apply_updates(model, scaled), equimod.nn.MLP)
