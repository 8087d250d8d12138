"""filter_closure_convert, filter_custom_jvp and filter_custom_vjp, with Equinox as the oracle."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from equinox_oracle import same_as_equinox

import equimod

KEY = jax.random.key(0)


def test_filter_closure_convert_hoists_closed_over_arrays() -> None:
    weight = jnp.arange(3.0)

    def f(x: jax.Array, label: str) -> tuple[jax.Array, str]:
        return x * weight, label

    converted = equimod.filter_closure_convert(f, jnp.ones(3), "a")
    assert isinstance(converted, equimod.Module)
    assert [
        leaf.tolist() for leaf in jax.tree_util.tree_leaves(converted) if equimod.is_array(leaf)
    ] == [[0.0, 1.0, 2.0]]
    out, label = converted(jnp.full(3, 2.0), "a")
    assert out.tolist() == [0.0, 2.0, 4.0] and label == "a"
    with pytest.raises(ValueError, match=r"non-array part differs"):
        converted(jnp.ones(3), "b")
    with pytest.raises(ValueError, match=r"shapes and dtypes"):
        converted(jnp.ones(4), "a")
    assert equimod.filter_closure_convert(converted, jnp.ones(3), "a") is converted

    # A tracer closed over inside a transform becomes a leaf, so gradients reach it.
    def outer(w: jax.Array) -> jax.Array:
        g = equimod.filter_closure_convert(lambda x: x * w, jax.ShapeDtypeStruct((3,), jnp.float32))
        return jnp.sum(g(jnp.ones(3)))

    assert jax.grad(outer)(jnp.ones(3)).tolist() == [1.0, 1.0, 1.0]


def test_filter_custom_jvp() -> None:
    @equimod.filter_custom_jvp
    def call(x: jax.Array, y: jax.Array, *, fn: Any) -> jax.Array:
        return fn(x, y)

    @call.def_jvp
    def call_jvp(primals: Any, tangents: Any, *, fn: Any) -> Any:
        x, y = primals
        tx, ty = tangents
        assert ty is None  # a symbolic zero: y is not differentiated
        return call(x, y, fn=fn), 2 * tx

    x, y = jnp.array(2.0), jnp.array(3.0)
    assert float(equimod.filter_grad(call)(x, y, fn=jnp.add)) == 2.0
    assert float(jax.jit(jax.grad(lambda x: call(x, y, fn=jnp.multiply)))(x)) == 2.0
    assert float(call(x, y, fn=jnp.multiply)) == 6.0

    @equimod.filter_custom_jvp
    def no_rule(x: jax.Array) -> jax.Array:
        return x

    with pytest.raises(TypeError, match=r"no rule.*no_rule.def_jvp"):
        no_rule(x)


def test_filter_custom_vjp_matches_equinox() -> None:
    results = []
    for lib in (equimod, eqx):

        @lib.filter_custom_vjp
        def f(x: dict[str, Any], y: jax.Array, *, scale: float) -> jax.Array:
            return x["w"] * y * scale

        @f.def_fwd
        def f_fwd(perturbed: Any, x: Any, y: Any, *, scale: float) -> Any:
            assert perturbed == {"w": True, "i": False, "s": False}
            return f(x, y, scale=scale), y

        @f.def_bwd
        def f_bwd(residual: Any, grad: Any, perturbed: Any, x: Any, y: Any, *, scale: float) -> Any:
            return {"w": grad * residual * scale * 10, "i": None, "s": None}

        x = {"w": jnp.arange(3.0), "i": jnp.arange(2), "s": "label"}
        loss = lambda x, y: jnp.sum(f(x, y, scale=1.5))  # noqa: E731
        results.append(lib.filter_grad(loss)(x, jnp.array(3.0)))
    assert same_as_equinox(results[0], results[1])
    assert results[0]["w"].tolist() == [45.0, 45.0, 45.0]


def test_custom_derivatives_of_a_layer_hold_its_arrays_constant() -> None:
    layer = equimod.nn.Linear(2, 2, key=KEY)
    wrapped = equimod.filter_custom_jvp(layer)
    wrapped.def_jvp(lambda primals, tangents: (wrapped(*primals), 3 * tangents[0]))
    assert np.allclose(wrapped(jnp.ones(2)), layer(jnp.ones(2)))
    tangent = jax.jvp(wrapped, (jnp.ones(2),), (jnp.ones(2),))[1]
    assert tangent.tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match=r"array of the wrapped function"):
        equimod.filter_grad(lambda w, x: jnp.sum(w(x)))(wrapped, jnp.ones(2))


def test_filter_custom_vjp_refuses_gradients_of_other_arguments() -> None:
    @equimod.filter_custom_vjp
    def f(x: jax.Array, y: jax.Array) -> jax.Array:
        return x * y

    f.def_fwd(lambda perturbed, x, y: (f(x, y), None))
    f.def_bwd(lambda residual, grad, perturbed, x, y: grad * y)
    assert float(jax.grad(f)(2.0, 3.0)) == 3.0
    with pytest.raises(ValueError, match=r"only the first positional argument"):
        jax.grad(f, argnums=1)(2.0, 3.0)


def test_a_none_in_a_custom_jvp_output_has_a_none_tangent() -> None:
    # optimistix's implicit-JVP returns outputs with None in them (no aux).
    @equimod.filter_custom_jvp
    def f(x: jax.Array) -> tuple[jax.Array, None]:
        return x, None

    @f.def_jvp
    def f_jvp(primals: Any, tangents: Any) -> Any:
        (x,), (tx,) = primals, tangents
        return f(x), (2 * tx, None)

    out, tangent = jax.jvp(f, (jnp.array(1.0),), (jnp.array(1.0),))
    assert out[1] is None and tangent[1] is None and float(tangent[0]) == 2.0
