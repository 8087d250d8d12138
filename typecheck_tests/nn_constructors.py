"""nn constructors: real signatures, and `key` is required where Equinox requires it."""

from typing import Any

import jax
import jax.numpy as jnp
from typing_extensions import assert_type

from equimod import nn

key = jax.random.key(0)
nn.Linear(2, 3, key=key)
nn.Linear("scalar", 3, use_bias=False, key=key)
nn.Linear(2, 3)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
nn.Linear("vector", 3, key=key)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
nn.MLP(2, 3, 8, 2, key=key)
nn.MLP(2, 3, 8, 2)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
nn.Conv2d(3, 8, kernel_size=3, padding="SAME", key=key)
nn.Conv1d(3, 8, 3)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
nn.Embedding(10, 4, key=key)
nn.Embedding(weight=jax.numpy.ones((3, 2)))
nn.LayerNorm(4)
nn.Dropout(0.1)
nn.Dropout("0.1")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
seq = nn.Sequential([nn.Linear(2, 2, key=key), nn.Lambda(jax.nn.relu), nn.Identity()])
assert_type(seq[0:1], nn.Sequential)
assert_type(nn.MLP(2, 3, 8, 2, key=key).layers, tuple[nn.Linear, ...])

# Normalisation and activation layers: Equinox's constructors, and the state overload.
rms = nn.RMSNorm((2, 3), eps=1e-6, use_bias=False)
group = nn.GroupNorm(2, 4)
assert_type(rms(jnp.ones((2, 3))), jax.Array)
assert_type(group(jnp.ones((4, 5)), None), tuple[jax.Array, Any])
assert_type(nn.PReLU(0.1)(jnp.ones(3)), jax.Array)
nn.GroupNorm(groups=2, channels="4")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
nn.RMSNorm()  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
nn.PReLU(init_alpha="0.1")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
