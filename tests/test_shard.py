"""filter_shard, and a data-parallel training step over 8 CPU devices (in a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import pytest
from jax.sharding import PartitionSpec as P
from messages import assert_mentions

import equimod

# Run in a fresh interpreter so the 8 fake devices do not leak into other tests.
_SHARDED_STEP = textwrap.dedent(
    """
    import jax, jax.numpy as jnp
    import equimod
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

    assert len(jax.devices()) == 8, jax.devices()
    mesh = Mesh(jax.devices(), ("batch",))
    replicated = NamedSharding(mesh, P())
    by_batch = NamedSharding(mesh, P("batch"))

    model = equimod.nn.MLP(4, 2, width_size=8, depth=2, key=jax.random.key(0))
    x = jax.random.normal(jax.random.key(1), (32, 4))
    y = jax.random.normal(jax.random.key(2), (32, 2))

    def loss(model, x, y):
        return jnp.mean((jax.vmap(model)(x) - y) ** 2)

    @equimod.filter_jit
    def step(model, x, y):
        x, y = equimod.filter_shard((x, y), by_batch)
        model = equimod.filter_shard(model, replicated)
        value, grads = equimod.filter_value_and_grad(loss)(model, x, y)
        updates = jax.tree_util.tree_map(lambda g: -0.1 * g, grads)
        model = equimod.apply_updates(model, updates)
        return equimod.filter_shard(model, replicated), value

    sharded_model = equimod.filter_shard(model, replicated)
    sx, sy = equimod.filter_shard((x, y), by_batch)
    assert sx.sharding == by_batch, sx.sharding
    assert len(sx.addressable_shards) == 8
    new_sharded, sharded_loss = step(sharded_model, sx, sy)
    new_plain, plain_loss = step.__wrapped__(model, x, y)
    arrays = lambda m: [v for v in jax.tree_util.tree_leaves(m) if equimod.is_array(v)]
    for a, b in zip(arrays(new_sharded), arrays(new_plain), strict=True):
        assert jnp.allclose(a, b, atol=1e-5), (a, b)
    assert jnp.allclose(sharded_loss, plain_loss, atol=1e-6)
    print("SHARDED-OK", float(sharded_loss))
    """
)


def test_sharded_training_step_matches_unsharded() -> None:
    env = dict(os.environ)
    env["XLA_FLAGS"] = "--xla_force_host_platform_device_count=8"
    env["JAX_PLATFORMS"] = "cpu"
    result = subprocess.run(
        [sys.executable, "-c", _SHARDED_STEP],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "SHARDED-OK" in result.stdout


def test_filter_shard_on_one_device_passes_non_arrays_through() -> None:
    device = jax.devices()[0]
    tree = {"w": jnp.ones(2), "name": "layer", "n": 3}
    placed = equimod.filter_shard(tree, device)
    assert placed["name"] == "layer" and placed["n"] == 3
    assert placed["w"].devices() == {device}

    @equimod.filter_jit
    def constrained(t: dict[str, object]) -> dict[str, object]:
        mesh = jax.sharding.Mesh(jax.devices()[:1], ("x",))
        return equimod.filter_shard(t, jax.sharding.NamedSharding(mesh, P()))

    assert constrained(tree)["name"] == "layer"


def test_bad_shardings_structure() -> None:
    device = jax.devices()[0]
    with pytest.raises(ValueError, match=r"filter_shard: device_or_shardings must be"):
        equimod.filter_shard({"a": jnp.ones(1), "b": jnp.ones(1)}, {"a": device})


def test_a_placement_that_is_neither_a_sharding_nor_a_device_is_named() -> None:
    device = jax.devices()[0]
    with pytest.raises(TypeError) as info:
        equimod.filter_shard(jnp.ones(2), 3)
    assert_mentions(info, "device_or_shardings is 3, of type int", "jax.sharding.Sharding")
    # Within a prefix, the error names where the bad leaf stands.
    with pytest.raises(TypeError) as info:
        equimod.filter_shard({"a": jnp.ones(1), "b": jnp.ones(1)}, {"a": device, "b": "cpu"})
    assert_mentions(info, "device_or_shardings['b'] is 'cpu', of type str")
