"""filter_grad, filter_value_and_grad, filter_jvp, filter_vjp, the jacobians and filter_checkpoint."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from equinox_oracle import PRIMAL, mixed, same_as_equinox

import equimod

KEY = jax.random.key(0)


def loss(model: equimod.nn.Linear, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.sum((model(x) - y) ** 2)


def test_value_and_grad_of_a_module_matches_jax_grad() -> None:
    layer = equimod.nn.Linear(2, 3, key=jax.random.key(0))
    x, y = jnp.ones(2), jnp.zeros(3)
    value, grads = equimod.filter_value_and_grad(loss)(layer, x, y)
    expected = jax.grad(loss)(layer, x, y)
    assert jnp.allclose(value, loss(layer, x, y))
    assert isinstance(grads, equimod.nn.Linear)
    assert jnp.allclose(grads.weight, expected.weight)
    assert grads.in_features == 2


def test_non_inexact_leaves_get_none() -> None:
    tree = {"w": jnp.ones(2), "n": 3, "idx": jnp.arange(2), "name": "x"}
    grads = equimod.filter_grad(lambda t: jnp.sum(t["w"] * t["n"]) + t["idx"].sum())(tree)
    assert grads["w"].tolist() == [3.0, 3.0]
    assert grads["n"] is None and grads["idx"] is None and grads["name"] is None


def test_has_aux() -> None:
    def with_aux(w: jax.Array) -> tuple[jax.Array, str]:
        return jnp.sum(w**2), "aux"

    (value, aux), grads = equimod.filter_value_and_grad(with_aux, has_aux=True)(jnp.ones(2))
    assert float(value) == 2.0 and aux == "aux"
    assert grads.tolist() == [2.0, 2.0]
    grads2, aux2 = equimod.filter_grad(with_aux, has_aux=True)(jnp.ones(2))
    assert grads2.tolist() == [2.0, 2.0] and aux2 == "aux"


def test_decorator_form_and_name() -> None:
    @equimod.filter_grad
    def f(w: jax.Array) -> jax.Array:
        return jnp.sum(w)

    assert f.__name__ == "f"
    assert f(jnp.ones(2)).tolist() == [1.0, 1.0]

    @equimod.filter_value_and_grad(has_aux=False)
    def g(w: jax.Array) -> jax.Array:
        return jnp.sum(w)

    assert float(g(jnp.ones(2))[0]) == 2.0


def test_bad_inputs() -> None:
    with pytest.raises(TypeError, match="filter_grad expects a callable"):
        equimod.filter_grad(3)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="filter_value_and_grad expects a callable"):
        equimod.filter_value_and_grad("f")  # type: ignore[call-overload]
    with pytest.raises(
        TypeError, match=r"called without a positional argument.*first positional argument"
    ):
        equimod.filter_grad(lambda: 1.0)()  # type: ignore[call-arg]

    def not_a_pair(w: jax.Array) -> jax.Array:
        return jnp.sum(w)

    for transform in (equimod.filter_grad, equimod.filter_value_and_grad):
        with pytest.raises(
            TypeError,
            match=rf"^{transform.__name__}\(not_a_pair, has_aux=True\): not_a_pair must return "
            r"a pair \(value, aux\)",
        ):
            transform(not_a_pair, has_aux=True)(jnp.ones(2))


def test_filter_jvp_matches_equinox() -> None:
    tangents = ({"w": jnp.ones(3), "n": None, "i": None}, None, None)
    ours = equimod.filter_jvp(mixed, (PRIMAL, 2.0, "tag"), tangents)
    theirs = eqx.filter_jvp(mixed, (PRIMAL, 2.0, "tag"), tangents)
    assert same_as_equinox(ours, theirs)
    _, tangent_out = ours
    # No tangent for outputs that do not depend on a differentiated input.
    assert tangent_out["const"] is None and tangent_out["ints"] is None
    with pytest.raises(TypeError, match=r"tangent of a leaf of type int must be None"):
        equimod.filter_jvp(mixed, (PRIMAL, 2.0, "tag"), ({**tangents[0], "n": 1.0}, None, None))
    with pytest.raises(ValueError, match=r"structure of `primals`"):
        equimod.filter_jvp(mixed, (PRIMAL, 2.0, "tag"), (None,))


def test_filter_jvp_under_vmap_and_jit() -> None:
    def f(x: jax.Array) -> jax.Array:
        return equimod.filter_jvp(jnp.sin, (x,), (jnp.ones_like(x),))[1]

    assert np.allclose(jax.jit(jax.vmap(f))(jnp.arange(3.0)), jnp.cos(jnp.arange(3.0)))


def test_filter_vjp_matches_equinox() -> None:
    def f(x: dict[str, Any], label: str) -> tuple[jax.Array, str]:
        return x["w"] ** 2, label

    ours, ours_fn = equimod.filter_vjp(f, PRIMAL, "s")
    theirs, theirs_fn = eqx.filter_vjp(f, PRIMAL, "s")
    assert same_as_equinox(ours, theirs)
    cotangent = (jnp.ones(3), None)
    assert same_as_equinox(ours_fn(cotangent), theirs_fn(cotangent))
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

    assert same_as_equinox(ours(f)(PRIMAL, 2.0), theirs(f)(PRIMAL, 2.0))
    aux = ours(lambda x, c: (f(x, c), "aux"), has_aux=True)(PRIMAL, 2.0)
    assert aux[1] == "aux"


def test_filter_checkpoint() -> None:
    wrapped = equimod.filter_checkpoint(lambda x, label: (jnp.sin(x) * 2, label))
    value, label = wrapped(jnp.ones(2), "s")
    assert label == "s" and np.allclose(value, jnp.sin(1.0) * 2)
    grads = jax.grad(lambda x: jnp.sum(wrapped(x, "s")[0]))(jnp.ones(2))
    assert np.allclose(grads, 2 * jnp.cos(1.0))
    jaxpr = str(jax.make_jaxpr(jax.grad(lambda x: jnp.sum(wrapped(x, "s")[0])))(jnp.ones(2)))
    assert "remat" in jaxpr or "checkpoint" in jaxpr
