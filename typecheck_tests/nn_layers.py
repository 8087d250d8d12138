"""The rest of nn: one representative call of each family, typed as Equinox's, and a
wrong one; stateful layers return `(output, State)`."""

from typing import Any

import jax
import jax.numpy as jnp
from typing_extensions import assert_type

import equimod
from equimod import nn

key = jax.random.key(0)
x1, x2, x3 = jnp.ones((2, 5)), jnp.ones((2, 5, 5)), jnp.ones((2, 3, 3, 3))

# Convolutions.
assert_type(nn.Conv3d(2, 4, 3, key=key)(x3), jax.Array)
up = nn.ConvTranspose2d(2, 3, 3, stride=2, padding="SAME", output_padding=1, key=key)
assert_type(up(x2), jax.Array)
nn.ConvTranspose(1, 2, 2, 3, key=key)
nn.ConvTranspose1d(2, 2, 3)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
nn.ConvTranspose3d(2, 2, 3, output_padding="1", key=key)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
# By position as in Equinox: stride, output_padding, then padding.
nn.ConvTranspose2d(2, 3, 3, 2, 1, "SAME", key=key)
nn.ConvTranspose2d(2, 3, 3, 2, "SAME", 1, key=key)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly

# MLP: scan, keyword-only as in Equinox.
assert_type(nn.MLP(2, 3, 4, 3, scan=True, key=key)(jnp.ones(2)), jax.Array)
nn.MLP(2, 3, 4, 3, scan="yes", key=key)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly

# Pooling.
assert_type(nn.MaxPool2d(2, stride=2, padding=((0, 1), (1, 0)), use_ceil=True)(x2), jax.Array)
assert_type(nn.AvgPool1d(3)(x1), jax.Array)
assert_type(nn.AdaptiveAvgPool3d((1, 2, 3))(x3), jax.Array)
nn.Pool(0, jax.lax.add, 1, 2)
nn.MaxPool1d()  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
nn.AdaptiveMaxPool2d(2.5)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly

# State: make_with_state keeps the constructor's signature and adds the State.
bn, state = nn.make_with_state(nn.BatchNorm)(5, "batch", mode="batch")
assert_type(bn, nn.BatchNorm)
assert_type(state, nn.State)
assert_type(bn(x1[:, 0], state), tuple[jax.Array, nn.State])
nn.make_with_state(nn.BatchNorm)("5", "batch")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
index = nn.StateIndex(jnp.zeros(3))
assert_type(state.get(index), jax.Array)
state.get(jnp.zeros(3))  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
spectral = nn.SpectralNorm(nn.Linear(2, 2, key=key), "weight", key=key)
assert_type(spectral.layer, nn.Linear)
assert_type(spectral(jnp.ones(2), state), tuple[Any, nn.State])
assert_type(nn.WeightNorm(nn.Linear(2, 2, key=key)).layer, nn.Linear)
assert_type(nn.inference_mode(bn), nn.BatchNorm)
# Equinox's old name for it: typed as it, and reported as deprecated.
assert_type(equimod.tree_inference(bn), nn.BatchNorm)  # error: mypy[deprecated] pyright[reportDeprecated] ty pyrefly
assert_type(nn.delete_init_state(bn), nn.BatchNorm)
nn.BatchNorm(5, "batch", mode="fast")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
model = nn.Sequential([nn.Linear(5, 5, key=key), bn])
assert_type(model(x1[:, 0], state), tuple[Any, nn.State])
assert_type(model(x1[:, 0]), Any)
assert_type(model.is_stateful(), bool)
# A transform keeps every signature of the overloaded __call__, not the first alone.
batched = equimod.filter_vmap(model, in_axes=(0, None), out_axes=(0, None), axis_name="batch")
assert_type(batched(x1, state), tuple[Any, nn.State])  # error: ty  # divergence: ty-overloads-through-paramspec
assert_type(batched(x1), Any)  # error: ty  # divergence: ty-overloads-through-paramspec
assert_type(equimod.filter_jit(model)(x1[:, 0], state), tuple[Any, nn.State])  # error: ty  # divergence: ty-overloads-through-paramspec

# Attention and sequences.
attention = nn.MultiheadAttention(2, 4, dropout_p=0.1, key=key)
q = jnp.ones((3, 4))
assert_type(attention(q, q, q, mask=jnp.ones((3, 3), bool), key=key), jax.Array)
rope = nn.RotaryPositionalEmbedding(4, theta=500.0)
assert_type(rope(q), jax.Array)
nn.RotaryPositionalEmbedding()  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
attention(q, q)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
assert_type(nn.GRUCell(4, 3, key=key)(q[0], jnp.zeros(3)), jax.Array)
lstm = nn.LSTMCell(4, 3, key=key)
assert_type(lstm(q[0], (jnp.zeros(3), jnp.zeros(3))), tuple[jax.Array, jax.Array])
lstm(q[0], jnp.zeros(3))  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly

# Shared weights.
shared = nn.Shared((nn.Linear(2, 2, key=key),), lambda p: p[0].bias, lambda p: p[0].bias)
assert_type(shared(), Any)
nn.Shared((), lambda p: p)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
