"""filter_eval_shape, filter_make_jaxpr and filter_pure_callback: tracing without differentiating or mapping."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from equinox_oracle import PRIMAL, mixed, same_as_equinox

import equimod

KEY = jax.random.key(0)


def test_filter_eval_shape_matches_equinox() -> None:
    ours = equimod.filter_eval_shape(mixed, PRIMAL, 2.0, "tag")
    theirs = eqx.filter_eval_shape(mixed, PRIMAL, 2.0, "tag")
    assert same_as_equinox(ours, theirs)
    assert isinstance(ours["out"], jax.ShapeDtypeStruct) and ours["name"] == "tag"
    # ShapeDtypeStructs may stand in for arrays.
    struct = jax.ShapeDtypeStruct((4,), jnp.float32)
    assert equimod.filter_eval_shape(lambda a: a * 2, struct).shape == (4,)


def test_filter_make_jaxpr_matches_equinox() -> None:
    ours = equimod.filter_make_jaxpr(mixed)(PRIMAL, 2.0, "tag")
    theirs = eqx.filter_make_jaxpr(mixed)(PRIMAL, 2.0, "tag")
    assert str(ours[0]) == str(theirs[0])
    assert same_as_equinox(ours[1], theirs[1]) and ours[2] == theirs[2]


def test_filter_pure_callback() -> None:
    def callback(x: Any, label: str) -> dict[str, Any]:
        return {"a": np.sin(x), "label": label}

    shapes = {"a": jax.ShapeDtypeStruct((2,), jnp.float32), "label": "tag"}
    run = equimod.filter_jit(
        lambda x: equimod.filter_pure_callback(callback, x, "tag", result_shape_dtypes=shapes)
    )
    out = run(jnp.ones(2))
    assert out["label"] == "tag" and np.allclose(out["a"], np.sin(1.0))
