"""The filtered transforms keep the signatures of what they wrap."""

from typing import Any

import jax
import jax.numpy as jnp
from typing_extensions import assert_type

import equimod


def loss(model: equimod.nn.Linear, x: jax.Array, scale: float = 1.0) -> jax.Array:
    return jnp.sum(model(x)) * scale


key = jax.random.key(0)
model = equimod.nn.Linear(2, 2, key=key)
x = jnp.ones(2)

jitted = equimod.filter_jit(loss)
assert_type(jitted(model, x), jax.Array)
jitted(model, x, scale=2.0)
jitted(model)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
jitted(model, x, scale="2")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


@equimod.filter_jit(donate="all")
def step(model: equimod.nn.Linear, x: jax.Array) -> equimod.nn.Linear:
    return model


assert_type(step(model, x), equimod.nn.Linear)
# Equinox's options, with their meaning: "warn" keeps JAX's unusable-buffer warning.
assert_type(equimod.filter_jit(loss, donate="warn-except-first")(model, x), jax.Array)
equimod.filter_jit(loss, donate="some")  # error: mypy[call-overload] pyright[reportCallIssue, reportArgumentType] ty pyrefly

value, grads = equimod.filter_value_and_grad(loss)(model, x)
assert_type(value, jax.Array)
# Gradients are Any, as filter's result is: they go on to optax's `Updates`.
assert_type(grads, Any)
assert_type(equimod.filter_grad(loss)(model, x), Any)
equimod.filter_grad(loss)(model, "x")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly

batched = equimod.filter_vmap(loss, in_axes=(None, 0))
assert_type(batched(model, jnp.ones((3, 2))), jax.Array)

# tree_at: the tree's type where each replacement fits what it replaces (the
# mypy plugin checks); where a replacement changes a type, or for pyright, Any.
assert_type(equimod.tree_at(lambda m: m.weight, model, x), equimod.nn.Linear)  # error: pyright[reportAssertTypeFailure] ty pyrefly  # divergence: tree-at-result
assert_type(equimod.tree_at(lambda m: m.weight, model, None), Any)
assert_type(equimod.tree_at(lambda m: (m.weight, m.bias), model, (x, None)), equimod.nn.Linear)  # error: pyright[reportAssertTypeFailure] ty pyrefly  # divergence: tree-at-result
doubled = equimod.tree_at(lambda m: m.weight, model, replace_fn=lambda w: 2 * w)
assert_type(doubled, equimod.nn.Linear)  # error: pyright[reportAssertTypeFailure] ty pyrefly  # divergence: tree-at-result
equimod.tree_at(lambda m: m.wieght, model, x)  # error: mypy[attr-defined] pyright[reportAttributeAccessIssue] ty pyrefly
# filter's and partition's selections are Any; the rest of a partition keeps
# the class, and combine gives the model back as itself.
assert_type(equimod.filter(model, equimod.is_array), Any)
params, static = equimod.partition(model, equimod.is_array)
assert_type(params, Any)
assert_type(static, equimod.nn.Linear)
assert_type(equimod.combine(params, static), equimod.nn.Linear)
assert_type(equimod.combine(model), equimod.nn.Linear)
print(equimod.combine(params, static).wieght)  # error: mypy[attr-defined] pyright[reportAttributeAccessIssue] ty pyrefly
assert_type(equimod.apply_updates(model, grads), equimod.nn.Linear)

# Lambdas and unannotated functions: their parameters are Any to both checkers.
value, grads = equimod.filter_value_and_grad(lambda m, x: jnp.sum(m(x)))(model, x)
equimod.filter_grad(lambda m, x: jnp.sum(m(x)))(model, x)
equimod.filter_jit(lambda m, x: m(x))(model, x)
equimod.filter_vmap(lambda m, x: m(x), in_axes=(None, 0))(model, jnp.ones((3, 2)))


def unannotated_loss(m, x):
    return jnp.sum(m(x))


equimod.filter_value_and_grad(unannotated_loss)(model, x)
equimod.filter_grad(unannotated_loss)(model, x)
equimod.filter_jit(unannotated_loss)(model, x)
equimod.filter_vmap(unannotated_loss, in_axes=(None, 0))(model, jnp.ones((3, 2)))
