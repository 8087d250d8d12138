"""The transforms beyond jit/grad/vmap keep what they can of the wrapped function's types."""

from typing import Any

import jax
import jax.numpy as jnp
from typing_extensions import assert_type

import equimod


def loss(model: equimod.nn.Linear, x: jax.Array, scale: float = 1.0) -> jax.Array:
    return jnp.sum(model(x)) * scale


def unannotated_loss(m, x):
    return jnp.sum(m(x))


key = jax.random.key(0)
model = equimod.nn.Linear(2, 2, key=key)
x = jnp.ones(2)

# Signature-preserving wrappers: parameters and return type are the function's.
assert_type(equimod.filter_checkpoint(loss)(model, x), jax.Array)
assert_type(equimod.filter_pmap(loss, axis_name="i")(model, x), jax.Array)
assert_type(equimod.filter_closure_convert(loss, model, x)(model, x), jax.Array)
equimod.filter_checkpoint(loss)(model, "x")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
equimod.filter_closure_convert(loss, model, x)(model)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
equimod.filter_pmap(loss, donate="some")  # error: mypy[call-overload] pyright[reportCallIssue, reportArgumentType] ty pyrefly


@equimod.filter_checkpoint(prevent_cse=False)
def block(model: equimod.nn.Linear, x: jax.Array) -> jax.Array:
    return model(x)


assert_type(block(model, x), jax.Array)

# The Jacobians keep the parameters; their result is a pytree of arrays.
equimod.filter_jacfwd(loss)(model, x)
equimod.filter_jacrev(loss)(model, x, scale=2.0)
equimod.filter_hessian(loss)(model, x)
equimod.filter_jacrev(loss)(model, x, scale="2")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly

# filter_jvp and filter_vjp: the primal output is the function's return type.
out, tangent = equimod.filter_jvp(loss, (model, x), (None, jnp.ones(2)))
assert_type(out, jax.Array)
out2, vjp_fn = equimod.filter_vjp(loss, model, x)
assert_type(out2, jax.Array)
assert_type(vjp_fn(jnp.ones(())), tuple[Any, ...])


def with_aux(x: jax.Array) -> tuple[jax.Array, str]:
    return x * 2, "aux"


out3, _, aux = equimod.filter_vjp(with_aux, x, has_aux=True)
assert_type(out3, jax.Array)
assert_type(aux, str)

# Custom derivatives keep the decorated function's signature.


@equimod.filter_custom_jvp
def clip(x: jax.Array, limit: float) -> jax.Array:
    return x


@clip.def_jvp
def clip_jvp(primals: Any, tangents: Any) -> tuple[Any, Any]:
    return primals[0], tangents[0]


assert_type(clip(x, 1.0), jax.Array)
clip(x)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly


@equimod.filter_custom_vjp
def scale(x: jax.Array, factor: float) -> jax.Array:
    return x * factor


assert_type(scale(x, 2.0), jax.Array)
scale(x, "2")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly

# Lambdas and unannotated functions: their parameters are Any to both checkers.
equimod.filter_checkpoint(lambda m, x: m(x))(model, x)
equimod.filter_jacfwd(lambda m, x: jnp.sum(m(x)))(model, x)
equimod.filter_jacrev(unannotated_loss)(model, x)
equimod.filter_hessian(unannotated_loss)(model, x)
equimod.filter_jvp(lambda m, x: m(x), (model, x), (None, x))
equimod.filter_vjp(unannotated_loss, model, x)
equimod.filter_closure_convert(lambda m, x: m(x), model, x)(model, x)
equimod.filter_pmap(unannotated_loss)(model, x)
equimod.filter_eval_shape(lambda m, x: m(x), model, x)
equimod.filter_make_jaxpr(unannotated_loss)(model, x)

# Partial keeps the return type; module_update_wrapper returns its argument.
add_one = equimod.Partial(jnp.add, 1.0)
assert_type(add_one, equimod.Partial[jax.Array])
assert_type(add_one(x), jax.Array)
assert_type(equimod.module_update_wrapper(add_one), equimod.Partial[jax.Array])

# error_if returns what it checks.
assert_type(equimod.error_if(model, x > 0, "negative"), equimod.nn.Linear)
assert_type(equimod.branched_error_if(x, x > 0, 1, ["a", "b"]), jax.Array)
equimod.error_if(x, x > 0, "m", on_error="loud")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
equimod.error_if(x, x > 0)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly

# The tree utilities.
assert_type(equimod.tree_pformat(model), str)
children, treedef = equimod.tree_flatten_one_level(model)
assert_type(children, list[Any])

# equimod.debug.
traced = equimod.debug.assert_max_traces(loss, max_traces=1)
assert_type(traced(model, x), jax.Array)
assert_type(equimod.debug.get_num_traces(traced), int)
assert_type(equimod.debug.get_num_traces(fn=traced), int)  # Equinox's parameter name
assert_type(equimod.debug.backward_nan(model), equimod.nn.Linear)
assert_type(equimod.debug.announce_transform(x, name="x"), jax.Array)
equimod.debug.assert_max_traces(loss)  # error: mypy[call-overload] pyright[reportCallIssue] ty pyrefly
