"""Train a small CNN with BatchNorm and pooling to tell horizontal from vertical stripes.

The images (8x8, one channel, noisy) are made here. The model is an
`equimod.nn.Sequential` of `Conv2d`, `BatchNorm`, `MaxPool2d` and
`AdaptiveAvgPool2d`; `make_with_state` builds it with the BatchNorm's running
statistics in a `State`, which every training step threads through `filter_vmap`
(the batch axis is named for BatchNorm) and returns updated. Evaluation uses
`inference_mode`, so BatchNorm normalises with its running statistics. The model and
its state are saved together and reloaded into a freshly built pair. Exits non-zero
if the test accuracy stays below 90% or the reload predicts differently.

    python examples/train_cnn.py [--steps N] [--out PATH]
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
from equimod import nn

BATCH_AXIS = "batch"


def make_images(key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
    """`n` noisy 8x8 images of stripes, label 0 horizontal and 1 vertical."""
    label_key, phase_key, noise_key = jax.random.split(key, 3)
    labels = jax.random.bernoulli(label_key, 0.5, (n,)).astype(jnp.int32)
    phase = jax.random.randint(phase_key, (n, 1, 1), 0, 2)
    rows, cols = jnp.meshgrid(jnp.arange(8), jnp.arange(8), indexing="ij")
    along = jnp.where(labels[:, None, None] == 0, rows, cols)
    stripes = ((along + phase) % 2).astype(jnp.float32)
    images = stripes + 0.5 * jax.random.normal(noise_key, (n, 8, 8))
    return images[:, None], labels


def build_model(key: jax.Array) -> nn.Sequential:
    conv1, conv2, head = jax.random.split(key, 3)
    return nn.Sequential(
        [
            nn.Conv2d(1, 4, kernel_size=3, padding=1, key=conv1),
            nn.BatchNorm(4, axis_name=BATCH_AXIS, mode="batch"),
            nn.Lambda(jax.nn.relu),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(4, 8, kernel_size=3, padding=1, key=conv2),
            nn.Lambda(jax.nn.relu),
            nn.AdaptiveAvgPool2d(1),
            nn.Lambda(jnp.ravel),
            nn.Linear(8, 2, key=head),
        ]
    )


def batched(model: nn.Sequential) -> Any:
    """The model over a batch: images mapped, the state shared and returned once."""
    return equimod.filter_vmap(model, in_axes=(0, None), out_axes=(0, None), axis_name=BATCH_AXIS)


def loss_fn(
    model: nn.Sequential, state: nn.State, images: jax.Array, labels: jax.Array
) -> tuple[jax.Array, nn.State]:
    logits, state = batched(model)(images, state)
    log_probs = jax.nn.log_softmax(logits)
    loss = -jnp.mean(jnp.take_along_axis(log_probs, labels[:, None], axis=1))
    return loss, state


@equimod.filter_jit
def train_step(
    model: nn.Sequential, state: nn.State, velocity: Any, images: jax.Array, labels: jax.Array
) -> tuple[nn.Sequential, nn.State, Any, jax.Array]:
    grad_fn = equimod.filter_value_and_grad(loss_fn, has_aux=True)
    (loss, state), grads = grad_fn(model, state, images, labels)
    # SGD with momentum, on the trainable arrays only.
    grads = equimod.filter(grads, equimod.is_inexact_array)
    velocity = jax.tree_util.tree_map(lambda v, g: 0.9 * v - 0.05 * g, velocity, grads)
    return equimod.apply_updates(model, velocity), state, velocity, loss


@equimod.filter_jit
def predict(model: nn.Sequential, state: nn.State, images: jax.Array) -> jax.Array:
    logits, _ = batched(nn.inference_mode(model))(images, state)
    return jnp.argmax(logits, axis=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--out", type=pathlib.Path, default=None, help="where to save the model")
    args = parser.parse_args(argv)

    data_key, test_key, model_key, batch_key = jax.random.split(jax.random.key(0), 4)
    images, labels = make_images(data_key, 512)
    test_images, test_labels = make_images(test_key, 256)
    model, state = nn.make_with_state(build_model)(model_key)
    velocity = jax.tree_util.tree_map(
        jnp.zeros_like, equimod.filter(model, equimod.is_inexact_array)
    )
    print(f"equimod {equimod.__version__}: training a CNN on {len(images)} images")
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        batch_key, key = jax.random.split(batch_key)
        batch = jax.random.choice(key, len(images), (args.batch_size,), replace=False)
        model, state, velocity, loss = train_step(
            model, state, velocity, images[batch], labels[batch]
        )
        if step % 25 == 0 or step == args.steps:
            print(f"step {step:4d}  loss {float(loss):.4f}")
    elapsed = time.perf_counter() - start
    predictions = predict(model, state, test_images)
    accuracy = float(jnp.mean(predictions == test_labels))
    print(f"trained in {elapsed:.1f}s: test accuracy {accuracy:.3f}")

    with tempfile.TemporaryDirectory() as tmp:
        path = args.out or pathlib.Path(tmp) / "cnn.eqx"
        equimod.tree_serialise_leaves(path, (model, state))
        fresh = nn.make_with_state(build_model)(jax.random.key(123))
        loaded = equimod.tree_deserialise_leaves(path, fresh)
    # The reloaded pair is the trained one: every array and every static field.
    same = bool(equimod.tree_equal(loaded, (model, state)))
    print(f"saved model and state, reloaded into a fresh pair: equal to the trained pair = {same}")
    if accuracy < 0.9:
        print("FAILED: test accuracy below 0.9", file=sys.stderr)
        return 1
    if not same:
        print("FAILED: the reloaded model and state differ from the trained ones", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
