"""filter_pmap."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

import equimod

KEY = jax.random.key(0)


def test_filter_pmap_matches_filter_vmap_on_one_device() -> None:
    def f(x: jax.Array, label: str) -> tuple[jax.Array, str]:
        return jax.lax.psum(x, "i"), label

    out, label = equimod.filter_pmap(f, axis_name="i")(jnp.ones((1, 3)), "s")
    assert out.tolist() == [[1.0, 1.0, 1.0]] and label == "s"
    with pytest.raises(ValueError, match=r"donate"):
        equimod.filter_pmap(f, donate="some")  # type: ignore[call-overload]
