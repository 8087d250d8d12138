"""Many threads at once: constructing, flattening, unflattening, `tree_at` and
`filter_jit` on the same classes while new subclasses are defined; every result
equals the single-threaded one."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import equimod

THREADS = 8
ROUNDS = 40


class Layer(equimod.Module):
    weight: jax.Array
    scale: float = equimod.field(static=True, default=1.0)
    name: str = equimod.field(converter=str, default="layer")

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.scale * (self.weight @ x)


class Checked(equimod.Module):
    values: jax.Array

    def __init__(self, n: int) -> None:
        if n < 0:
            raise ValueError("n must be non-negative")
        self.values = jnp.arange(float(n))

    def total(self) -> jax.Array:
        return jnp.sum(self.values)


def _work(i: int) -> tuple[Any, ...]:
    layer = Layer(jnp.full((2, 2), float(i % 5)), scale=2.0, name=i % 3)
    leaves, treedef = jax.tree_util.tree_flatten(layer)
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
    moved = equimod.tree_at(lambda m: m.weight, rebuilt, rebuilt.weight + 1)
    out = equimod.filter_jit(lambda m, x: m(x))(moved, jnp.ones(2))
    checked = Checked(i % 4)
    with pytest.raises(ValueError, match="non-negative"):
        Checked(-1)

    # A new subclass while others construct and trace the base.
    class Sub(Layer):
        bias: jax.Array = equimod.field(default_factory=lambda: jnp.zeros(2))

    sub = Sub(jnp.eye(2), name=i)
    return (
        type(rebuilt) is Layer,
        rebuilt.name,
        np.asarray(out).tolist(),
        float(equimod.filter_jit(Checked.total)(checked)),
        sub.name,
        list(Sub.__dataclass_fields__),
    )


def test_threads_get_the_single_threaded_results() -> None:
    expected = [_work(i) for i in range(ROUNDS)]
    barrier = threading.Barrier(THREADS)

    def start_together(i: int) -> tuple[Any, ...]:
        if i < THREADS:
            barrier.wait()
        return _work(i)

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(start_together, range(ROUNDS)))
    assert results == expected
    # No construction state is left behind on the classes.
    assert Checked._equimod_assignable is None and Layer._equimod_assignable is None
