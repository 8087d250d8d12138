"""One process of tests/test_distributed.py: train with examples/train_distributed.py,
then record what the test compares.

    python tests/distributed_worker.py OUT [the example's arguments...]

Writes, from process 0, `OUT/result.json` (final loss, what saving with
`tree_serialise_leaves` did) and `OUT/parameters.npz` (every array of the
model, gathered whole); every process writes the orbax checkpoint `OUT/orbax`
when `--save` is given. With `--restore FOLDER`, the process (a single one)
first restores FOLDER's orbax checkpoint into its own layout and writes it to
`OUT/restored.npz`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

# The example sets the device count when imported, before JAX first runs.
import jax
import numpy as np
import train_distributed as example
from jax.experimental import multihost_utils

import equimod


def _arrays(model: equimod.nn.MLP) -> dict[str, np.ndarray]:
    arrays, _ = equimod.partition(model, equimod.is_array)
    leaves = jax.tree_util.tree_leaves_with_path(arrays)
    gathered = {}
    for path, leaf in leaves:
        if jax.process_count() > 1:
            leaf = multihost_utils.process_allgather(leaf, tiled=True)
        gathered[jax.tree_util.keystr(path)] = np.asarray(leaf)
    return gathered


def _serialise(model: equimod.nn.MLP, out: Path) -> str:
    """Save and load with equimod's own checkpoints: "exact", or the error's text."""
    path = out / f"model-{jax.process_index()}.eqx"
    try:
        equimod.tree_serialise_leaves(path, model)
    except ValueError as error:
        return str(error)
    loaded = equimod.tree_deserialise_leaves(path, model)
    before = jax.tree.leaves(equimod.filter(model, equimod.is_array))
    after = jax.tree.leaves(equimod.filter(loaded, equimod.is_array))
    same_layout = all(
        a.sharding.is_equivalent_to(b.sharding, a.ndim) for a, b in zip(after, before, strict=True)
    )
    equal = all(
        np.array_equal(a, b)
        for a, b in zip(_arrays(loaded).values(), _arrays(model).values(), strict=True)
    )
    return "exact" if equal and same_layout else "differs"


def _restore(folder: str, model: equimod.nn.MLP) -> dict[str, np.ndarray]:
    import orbax.checkpoint as ocp

    arrays, _ = equimod.partition(model, equimod.is_array)
    restored = ocp.StandardCheckpointer().restore(folder, arrays)
    return {
        jax.tree_util.keystr(p): np.asarray(a)
        for p, a in jax.tree_util.tree_leaves_with_path(restored)
    }


def main() -> None:
    out = Path(sys.argv[1])
    argv = sys.argv[2:]
    restore = None
    if "--restore" in argv:
        position = argv.index("--restore")
        restore = argv[position + 1]
        del argv[position : position + 2]
    arguments = example.parse_arguments(argv)
    example.start_runtime(arguments)
    loss, model = example.train(arguments)
    if arguments.save is not None:
        example.save(model, arguments.save)
    serialised = _serialise(model, out)
    parameters = _arrays(model)
    hidden = model.layers[0].weight
    if jax.process_index() == 0:
        if restore is not None:
            np.savez(out / "restored.npz", **_restore(restore, model))
        np.savez(out / "parameters.npz", **parameters)
        result = {
            "loss": loss,
            "serialised": serialised,
            "processes": jax.process_count(),
            "devices": jax.device_count(),
            "hidden_weight_split": not hidden.sharding.is_fully_replicated,
        }
        (out / "result.json").write_text(json.dumps(result))
    if jax.process_count() > 1:
        multihost_utils.sync_global_devices("done")  # nobody leaves while others still talk


if __name__ == "__main__":
    main()
