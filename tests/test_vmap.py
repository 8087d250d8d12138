"""filter_vmap."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import pytest

import equimod


def test_default_maps_arrays_and_passes_other_leaves() -> None:
    def affine(x: jax.Array, scale: float, name: str) -> jax.Array:
        assert isinstance(scale, float) and name == "n"
        return x * scale

    out = equimod.filter_vmap(affine)(jnp.ones((4, 2)), 2.0, "n")
    assert out.shape == (4, 2)
    assert float(out.sum()) == 16.0


def test_in_axes_prefix_with_a_module() -> None:
    layer = equimod.nn.Linear(2, 3, key=jax.random.key(0))
    batched = equimod.filter_vmap(lambda m, x: m(x), in_axes=(None, 0))(layer, jnp.ones((5, 2)))
    assert batched.shape == (5, 3)
    assert jnp.allclose(batched[0], layer(jnp.ones(2)))
    columns = equimod.filter_vmap(lambda x: x.sum(), in_axes=1)(jnp.ones((2, 7)))
    assert columns.shape == (7,)


def test_ensemble_of_modules_as_output() -> None:
    keys = jax.random.split(jax.random.key(0), 4)
    ensemble = equimod.filter_vmap(lambda k: equimod.nn.Linear(2, 3, key=k))(keys)
    assert isinstance(ensemble, equimod.nn.Linear)
    assert ensemble.weight.shape == (4, 3, 2)
    assert ensemble.in_features == 2  # static fields are not batched
    outputs = equimod.filter_vmap(lambda m, x: m(x), in_axes=(0, None))(ensemble, jnp.ones(2))
    assert outputs.shape == (4, 3)


def test_out_axes_and_non_array_outputs() -> None:
    out = equimod.filter_vmap(
        lambda x: {"y": x * 2, "label": "hi", "const": jnp.ones(2)},
        out_axes={"y": 1, "label": None, "const": None},
    )(jnp.ones((3, 2)))
    assert out["y"].shape == (2, 3)
    assert out["label"] == "hi"
    assert out["const"].shape == (2,)


def test_axis_name_and_size() -> None:
    total = equimod.filter_vmap(lambda x: jax.lax.psum(x, "i"), axis_name="i")(jnp.arange(3.0))
    assert total.tolist() == [3.0, 3.0, 3.0]
    ones = equimod.filter_vmap(lambda: jnp.ones(2), axis_size=3)()
    assert ones.shape == (3, 2)


def test_decorator_form_and_method() -> None:
    @equimod.filter_vmap(in_axes=(0, None))
    def mul(x: jax.Array, y: float) -> jax.Array:
        return x * y

    assert mul.__name__ == "mul"
    assert mul(jnp.ones(3), 2.0).tolist() == [2.0, 2.0, 2.0]


def test_bad_inputs() -> None:
    with pytest.raises(TypeError, match="filter_vmap expects a callable"):
        equimod.filter_vmap(3)  # type: ignore[call-overload]
    with pytest.raises(
        ValueError, match=r"filter_vmap\(<lambda>\): in_axes must be an axis.*does not match"
    ):
        equimod.filter_vmap(lambda a, b: a, in_axes=(0, 0, 0))(jnp.ones(2), jnp.ones(2))
    with pytest.raises(
        ValueError, match=r"map over axis 0 of a leaf of type float, which is not an array"
    ):
        equimod.filter_vmap(lambda a: a, in_axes=0)(1.0)
    with pytest.raises(TypeError, match=r"gave 'x' for a leaf; an axis is an int or None"):
        equimod.filter_vmap(lambda a: a, in_axes=lambda leaf: "x")(jnp.ones(2))
    with pytest.raises(ValueError, match=r"no argument is mapped over.*gives an output an axis"):
        equimod.filter_vmap(lambda a: a, in_axes=None)(jnp.ones(2))


@pytest.mark.parametrize("lib", [equimod, eqx], ids=["equimod", "equinox"])
def test_with_nothing_mapped_and_nothing_batched_the_function_runs_once(lib: Any) -> None:
    # As lineax's own tests use it: a case maps either its operator or nothing.
    calls = []

    def f(x: jax.Array, n: int) -> tuple[jax.Array, int]:
        calls.append(n)
        return 2 * x, n

    out, n = lib.filter_vmap(f, in_axes=None, out_axes=None)(jnp.ones(2), 3)
    assert out.tolist() == [2.0, 2.0] and n == 3 and calls == [3]


@pytest.mark.parametrize("lib", [equimod, eqx], ids=["equimod", "equinox"])
def test_an_axis_spec_shaped_like_a_model_maps_its_leaves(lib: Any) -> None:
    # A spec of the model's own structure is a Module with a `__call__` (an MLP's):
    # a pytree of axes, not a callable spec, as in Equinox.
    keys = jax.random.split(jax.random.key(0), 4)
    models = lib.filter_vmap(lambda k: lib.nn.MLP(2, 2, 3, 1, key=k))(keys)
    spec = jtu.tree_map(lambda x: 0 if lib.is_array(x) else None, models)
    out = lib.filter_vmap(lambda m, x: m(x), in_axes=(spec, None))(models, jnp.ones(2))
    assert out.shape == (4, 2)
