"""nn constructors: real signatures, and `key` is required where Equinox requires it."""

import jax
from typing_extensions import assert_type

from equimod import nn

key = jax.random.key(0)
nn.Linear(2, 3, key=key)
nn.Linear("scalar", 3, use_bias=False, key=key)
nn.Linear(2, 3)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
nn.Linear("vector", 3, key=key)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
nn.MLP(2, 3, 8, 2, key=key)
nn.MLP(2, 3, 8, 2)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
nn.Conv2d(3, 8, kernel_size=3, padding="SAME", key=key)
nn.Conv1d(3, 8, 3)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
nn.Embedding(10, 4, key=key)
nn.Embedding(weight=jax.numpy.ones((3, 2)))
nn.LayerNorm(4)
nn.Dropout(0.1)
nn.Dropout("0.1")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
seq = nn.Sequential([nn.Linear(2, 2, key=key), nn.Lambda(jax.nn.relu), nn.Identity()])
assert_type(seq[0:1], nn.Sequential)
assert_type(nn.MLP(2, 3, 8, 2, key=key).layers, tuple[nn.Linear, ...])
