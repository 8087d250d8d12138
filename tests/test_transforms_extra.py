"""The transforms beyond jit/grad/vmap, with Equinox as the oracle for their results."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import equimod

KEY = jax.random.key(0)


def _same(a: Any, b: Any) -> bool:
    """Equal structure, equal non-array leaves, allclose arrays (equimod and Equinox Modules aside)."""
    a_leaves = jax.tree_util.tree_leaves(a)
    b_leaves = jax.tree_util.tree_leaves(b)
    if len(a_leaves) != len(b_leaves):
        return False
    for x, y in zip(a_leaves, b_leaves, strict=True):
        if equimod.is_array(x) or equimod.is_array(y):
            if jnp.shape(x) != jnp.shape(y) or not np.allclose(x, y, equal_nan=True):
                return False
        elif isinstance(x, jax.ShapeDtypeStruct):
            if (x.shape, x.dtype) != (y.shape, y.dtype):
                return False
        elif x != y:
            return False
    return True


def _mixed(x: dict[str, Any], scale: float, name: str) -> dict[str, Any]:
    return {
        "out": jnp.sin(x["w"]) * scale,
        "count": x["n"],
        "ints": x["i"] + 1,
        "name": name,
        "const": jnp.ones(2),
    }


PRIMAL = {"w": jnp.arange(3.0), "n": 2, "i": jnp.arange(2)}


def test_filter_eval_shape_matches_equinox() -> None:
    ours = equimod.filter_eval_shape(_mixed, PRIMAL, 2.0, "tag")
    theirs = eqx.filter_eval_shape(_mixed, PRIMAL, 2.0, "tag")
    assert _same(ours, theirs)
    assert isinstance(ours["out"], jax.ShapeDtypeStruct) and ours["name"] == "tag"
    # ShapeDtypeStructs may stand in for arrays.
    struct = jax.ShapeDtypeStruct((4,), jnp.float32)
    assert equimod.filter_eval_shape(lambda a: a * 2, struct).shape == (4,)


def test_filter_jvp_matches_equinox() -> None:
    tangents = ({"w": jnp.ones(3), "n": None, "i": None}, None, None)
    ours = equimod.filter_jvp(_mixed, (PRIMAL, 2.0, "tag"), tangents)
    theirs = eqx.filter_jvp(_mixed, (PRIMAL, 2.0, "tag"), tangents)
    assert _same(ours, theirs)
    _, tangent_out = ours
    # No tangent for outputs that do not depend on a differentiated input.
    assert tangent_out["const"] is None and tangent_out["ints"] is None
    with pytest.raises(TypeError, match=r"tangent of a leaf of type int must be None"):
        equimod.filter_jvp(_mixed, (PRIMAL, 2.0, "tag"), ({**tangents[0], "n": 1.0}, None, None))
    with pytest.raises(ValueError, match=r"structure of `primals`"):
        equimod.filter_jvp(_mixed, (PRIMAL, 2.0, "tag"), (None,))


def test_filter_jvp_under_vmap_and_jit() -> None:
    def f(x: jax.Array) -> jax.Array:
        return equimod.filter_jvp(jnp.sin, (x,), (jnp.ones_like(x),))[1]

    assert np.allclose(jax.jit(jax.vmap(f))(jnp.arange(3.0)), jnp.cos(jnp.arange(3.0)))


def test_filter_vjp_matches_equinox() -> None:
    def f(x: dict[str, Any], label: str) -> tuple[jax.Array, str]:
        return x["w"] ** 2, label

    ours, ours_fn = equimod.filter_vjp(f, PRIMAL, "s")
    theirs, theirs_fn = eqx.filter_vjp(f, PRIMAL, "s")
    assert _same(ours, theirs)
    cotangent = (jnp.ones(3), None)
    assert _same(ours_fn(cotangent), theirs_fn(cotangent))
    _, vjp_fn, aux = equimod.filter_vjp(lambda x: (x * 2, ("aux", x)), jnp.ones(2), has_aux=True)
    assert aux[0] == "aux" and vjp_fn(jnp.ones(2))[0].tolist() == [2.0, 2.0]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (equimod.filter_jacfwd, eqx.filter_jacfwd),
        (equimod.filter_jacrev, eqx.filter_jacrev),
        (equimod.filter_hessian, eqx.filter_hessian),
    ],
)
def test_jacobians_match_equinox(ours: Any, theirs: Any) -> None:
    def f(x: dict[str, Any], c: float) -> jax.Array:
        return jnp.sum(jnp.sin(x["w"]) * c * x["n"])

    assert _same(ours(f)(PRIMAL, 2.0), theirs(f)(PRIMAL, 2.0))
    aux = ours(lambda x, c: (f(x, c), "aux"), has_aux=True)(PRIMAL, 2.0)
    assert aux[1] == "aux"


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


def test_filter_make_jaxpr_matches_equinox() -> None:
    ours = equimod.filter_make_jaxpr(_mixed)(PRIMAL, 2.0, "tag")
    theirs = eqx.filter_make_jaxpr(_mixed)(PRIMAL, 2.0, "tag")
    assert str(ours[0]) == str(theirs[0])
    assert _same(ours[1], theirs[1]) and ours[2] == theirs[2]


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
    assert _same(results[0], results[1])
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


def test_filter_checkpoint() -> None:
    wrapped = equimod.filter_checkpoint(lambda x, label: (jnp.sin(x) * 2, label))
    value, label = wrapped(jnp.ones(2), "s")
    assert label == "s" and np.allclose(value, jnp.sin(1.0) * 2)
    grads = jax.grad(lambda x: jnp.sum(wrapped(x, "s")[0]))(jnp.ones(2))
    assert np.allclose(grads, 2 * jnp.cos(1.0))
    jaxpr = str(jax.make_jaxpr(jax.grad(lambda x: jnp.sum(wrapped(x, "s")[0])))(jnp.ones(2)))
    assert "remat" in jaxpr or "checkpoint" in jaxpr


def test_filter_pmap_matches_filter_vmap_on_one_device() -> None:
    def f(x: jax.Array, label: str) -> tuple[jax.Array, str]:
        return jax.lax.psum(x, "i"), label

    out, label = equimod.filter_pmap(f, axis_name="i")(jnp.ones((1, 3)), "s")
    assert out.tolist() == [[1.0, 1.0, 1.0]] and label == "s"
    with pytest.raises(ValueError, match=r"donate"):
        equimod.filter_pmap(f, donate="some")  # type: ignore[call-overload]


def test_filter_pure_callback() -> None:
    def callback(x: Any, label: str) -> dict[str, Any]:
        return {"a": np.sin(x), "label": label}

    shapes = {"a": jax.ShapeDtypeStruct((2,), jnp.float32), "label": "tag"}
    run = equimod.filter_jit(
        lambda x: equimod.filter_pure_callback(callback, x, "tag", result_shape_dtypes=shapes)
    )
    out = run(jnp.ones(2))
    assert out["label"] == "tag" and np.allclose(out["a"], np.sin(1.0))


def test_stored_wrappers_are_modules() -> None:
    layer = equimod.nn.Linear(2, 2, key=KEY)
    for wrapper in (
        equimod.filter_checkpoint(layer),
        equimod.filter_jacfwd(layer),
        equimod.filter_pmap(layer),
        equimod.filter_make_jaxpr(layer),
        equimod.filter_custom_jvp(layer),
        equimod.filter_custom_vjp(layer),
    ):
        assert isinstance(wrapper, equimod.Module)
        assert len([x for x in jax.tree_util.tree_leaves(wrapper) if equimod.is_array(x)]) == 2
