"""Train an MLP on a regression problem it makes itself, save it, load it back.

The README's main job. Uses `equimod.filter_jit` and `equimod.filter_value_and_grad`
with a hand-written Adam update, prints the loss per epoch, saves the model with
`tree_serialise_leaves`, loads it into a freshly built model and checks the
predictions are identical. Exits non-zero if the loss does not fall or the
reload does not match.

    python examples/train_mlp.py [--epochs N] [--out PATH]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import time
from typing import Any

import jax
import jax.numpy as jnp

import equimod


def make_data(key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
    """Noisy samples of y = sin(3 x0) + x1^2 / 2 on [-1, 1]^2."""
    xkey, nkey = jax.random.split(key)
    x = jax.random.uniform(xkey, (n, 2), minval=-1.0, maxval=1.0)
    y = jnp.sin(3 * x[:, 0]) + 0.5 * x[:, 1] ** 2
    return x, (y + 0.05 * jax.random.normal(nkey, (n,)))[:, None]


def build_model(key: jax.Array) -> equimod.nn.MLP:
    return equimod.nn.MLP(2, 1, width_size=64, depth=2, activation=jnp.tanh, key=key)


def loss_fn(model: equimod.nn.MLP, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((jax.vmap(model)(x) - y) ** 2)


class Adam(equimod.Module):
    """Adam's moment estimates for the model's trainable arrays."""

    mean: Any
    var: Any
    step: jax.Array

    @staticmethod
    def init(params: Any) -> Adam:
        zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
        return Adam(zeros, zeros, jnp.array(0))

    def update(self, grads: Any, lr: float = 3e-3) -> tuple[Any, Adam]:
        b1, b2, eps = 0.9, 0.999, 1e-8
        step = self.step + 1
        mean = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, self.mean, grads)
        var = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g**2, self.var, grads)

        def delta(m: jax.Array, v: jax.Array) -> jax.Array:
            m_hat = m / (1 - b1**step)
            v_hat = v / (1 - b2**step)
            return -lr * m_hat / (jnp.sqrt(v_hat) + eps)

        return jax.tree_util.tree_map(delta, mean, var), Adam(mean, var, step)


@equimod.filter_jit
def train_step(
    model: equimod.nn.MLP, opt: Adam, x: jax.Array, y: jax.Array
) -> tuple[equimod.nn.MLP, Adam, jax.Array]:
    loss, grads = equimod.filter_value_and_grad(loss_fn)(model, x, y)
    params = equimod.filter(grads, equimod.is_inexact_array)
    updates, opt = opt.update(params)
    return equimod.apply_updates(model, updates), opt, loss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", type=pathlib.Path, default=None, help="where to save the model")
    args = parser.parse_args(argv)

    data_key, model_key, shuffle_key = jax.random.split(jax.random.key(0), 3)
    x, y = make_data(data_key, 1024)
    model = build_model(model_key)
    opt = Adam.init(equimod.filter(model, equimod.is_inexact_array))
    n_batches = len(x) // args.batch_size
    start = time.perf_counter()
    first_loss = float(loss_fn(model, x, y))
    print(f"equimod {equimod.__version__}: training {type(model).__name__} on {len(x)} samples")
    print(f"epoch   0  loss {first_loss:.5f}")
    for epoch in range(1, args.epochs + 1):
        shuffle_key, key = jax.random.split(shuffle_key)
        order = jax.random.permutation(key, len(x))
        for i in range(n_batches):
            batch = order[i * args.batch_size : (i + 1) * args.batch_size]
            model, opt, _ = train_step(model, opt, x[batch], y[batch])
        print(f"epoch {epoch:3d}  loss {float(loss_fn(model, x, y)):.5f}")
    final_loss = float(loss_fn(model, x, y))
    elapsed = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        path = args.out or pathlib.Path(tmp) / "mlp.eqx"
        equimod.tree_serialise_leaves(path, model)
        fresh = build_model(jax.random.key(123))  # same structure, other weights
        loaded = equimod.tree_deserialise_leaves(path, fresh)
        reload_matches = bool(jnp.array_equal(jax.vmap(loaded)(x), jax.vmap(model)(x)))
        size = path.stat().st_size

    print(f"trained in {elapsed:.1f}s: loss {first_loss:.5f} -> {final_loss:.5f}")
    print(
        f"saved {size} bytes, reloaded into a fresh model: predictions identical = {reload_matches}"
    )
    if not final_loss < 0.5 * first_loss:
        print("FAILED: the loss did not fall by half", file=sys.stderr)
        return 1
    if not reload_matches:
        print("FAILED: the reloaded model predicts differently", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
