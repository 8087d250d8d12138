"""Train an MLP data-parallel over every device of every process.

Needs optax, and orbax-checkpoint for `--save` (`pip install optax "equimod[distributed]"`).

One process by default:

    python examples/train_distributed.py

Two processes on one machine (run each line in its own terminal; on several
machines, put the first host's address in `--coordinator`):

    python examples/train_distributed.py --num-processes 2 --process-id 0
    python examples/train_distributed.py --num-processes 2 --process-id 1

Each process runs the same program on its own devices: the batch is split over
all of them (the "data" axis of one global mesh) and the parameters are
replicated, so every process holds the same model after each step. With
`--shard-model`, the hidden layer's weights are split over the devices too.
Under SLURM or Kubernetes, pass `--num-processes 0`: `jax.distributed.initialize()`
then reads the coordinator, process count and id from the environment.
"""

from __future__ import annotations

import argparse
import os
import sys


def _local_devices(argv: list[str]) -> str:
    for position, argument in enumerate(argv):
        if argument.startswith("--local-devices="):
            return argument.partition("=")[2]
        if argument == "--local-devices" and position + 1 < len(argv):
            return argv[position + 1]
    return "2"


# The CPU is split into several devices, as a machine has several accelerators.
# This must be set before JAX starts.
os.environ["XLA_FLAGS"] = (
    os.environ.get("XLA_FLAGS", "")
    + f" --xla_force_host_platform_device_count={_local_devices(sys.argv)}"
)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # type: ignore[import-untyped]  # noqa: E402 (annotated, but no py.typed)
from jax.sharding import Mesh, NamedSharding, PartitionSpec  # noqa: E402

import equimod  # noqa: E402

BATCH = 32
WIDTH = 16


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Train an MLP data-parallel over many processes.")
    parser.add_argument("--coordinator", default="127.0.0.1:12355", help="host:port of process 0")
    parser.add_argument(
        "--num-processes", type=int, default=1, help="1: no distributed runtime; 0: autodetect"
    )
    parser.add_argument("--process-id", type=int, default=0)
    parser.add_argument("--local-devices", type=int, default=2, help="CPU devices per process")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--shard-model", action="store_true", help="split the hidden weights")
    parser.add_argument("--save", default=None, help="an orbax checkpoint folder to write")
    return parser.parse_args(argv)


def start_runtime(arguments: argparse.Namespace) -> None:
    """Join the other processes: after this, `jax.devices()` lists every process's devices."""
    if arguments.num_processes == 1:
        return
    # CPU devices of different processes talk through gloo (GPUs and TPUs need nothing).
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    if arguments.num_processes == 0:
        jax.distributed.initialize()  # SLURM, Kubernetes, Cloud TPU: read from the environment
    else:
        jax.distributed.initialize(
            arguments.coordinator,
            num_processes=arguments.num_processes,
            process_id=arguments.process_id,
        )


def global_array(value: np.ndarray, sharding: NamedSharding) -> jax.Array:
    """One array over every process's devices, each process providing its own shards.

    Every process computes the same `value` here (the same seed); a real input
    pipeline would read only the rows of its own shards.
    """
    return jax.make_array_from_callback(value.shape, sharding, lambda index: value[index])


def place_model(model: equimod.nn.MLP, mesh: Mesh, shard_model: bool) -> equimod.nn.MLP:
    """Replicate every array of the model over the mesh; optionally split the hidden layer."""
    replicated = NamedSharding(mesh, PartitionSpec())
    arrays, static = equimod.partition(model, equimod.is_array)
    arrays = jax.tree.map(lambda a: global_array(np.asarray(a), replicated), arrays)
    model = equimod.combine(arrays, static)
    if shard_model:
        # The hidden layer's output features are split over the devices: a
        # model-parallel layer. The compiler inserts the collectives it needs.
        rows = NamedSharding(mesh, PartitionSpec("data"))
        hidden = model.layers[0]
        placed = equimod.filter_jit(lambda layer: equimod.filter_shard(layer, rows))(hidden)
        model = equimod.tree_at(lambda m: m.layers[0], model, placed)
    return model


def train(arguments: argparse.Namespace) -> tuple[float, equimod.nn.MLP]:
    """Train for `arguments.steps` steps; the final loss and the model."""
    mesh = Mesh(np.array(jax.devices()), ("data",))
    batch_sharding = NamedSharding(mesh, PartitionSpec("data"))
    model = equimod.nn.MLP(4, 1, WIDTH, 1, key=jax.random.key(0))
    model = place_model(model, mesh, arguments.shard_model)

    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(BATCH, 4)).astype(np.float32)
    targets = np.sin(inputs.sum(axis=1, keepdims=True)).astype(np.float32)
    x = global_array(inputs, batch_sharding)
    y = global_array(targets, batch_sharding)

    optimiser = optax.adam(1e-2)
    state = optimiser.init(equimod.filter(model, equimod.is_array))

    @equimod.filter_jit
    def step(
        model: equimod.nn.MLP, state: optax.OptState, x: jax.Array, y: jax.Array
    ) -> tuple[jax.Array, equimod.nn.MLP, optax.OptState]:
        def loss_fn(model: equimod.nn.MLP) -> jax.Array:
            return jnp.mean((jax.vmap(model)(x) - y) ** 2)

        loss, grads = equimod.filter_value_and_grad(loss_fn)(model)
        updates, state = optimiser.update(grads, state, equimod.filter(model, equimod.is_array))
        return loss, equimod.apply_updates(model, updates), state

    loss = jnp.zeros(())
    for _ in range(arguments.steps):
        loss, model, state = step(model, state, x, y)
    # A replicated scalar: every process holds the whole value.
    return float(loss.addressable_data(0)), model


def save(model: equimod.nn.MLP, folder: str) -> None:
    """Save the arrays with orbax: every process writes its own shards."""
    import orbax.checkpoint as ocp  # type: ignore[import-untyped]  # no py.typed

    arrays, _ = equimod.partition(model, equimod.is_array)
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(os.path.abspath(folder), arrays)
    checkpointer.wait_until_finished()


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    start_runtime(arguments)
    loss, model = train(arguments)
    if arguments.save is not None:
        save(model, arguments.save)
    print(
        f"process {jax.process_index()} of {jax.process_count()}, "
        f"{jax.device_count()} devices: final loss {loss:.8f}"
    )


if __name__ == "__main__":
    main()
