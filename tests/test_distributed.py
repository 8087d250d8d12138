"""Training over several processes on JAX's distributed runtime, as on several machines.

Two processes on localhost, two CPU devices each, talk through gloo; each runs
examples/train_distributed.py (via tests/distributed_worker.py). What they
train must equal what one process trains, and their checkpoints must load
elsewhere.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np

WORKER = Path(__file__).parent / "distributed_worker.py"
# Compilation included, a run takes a few seconds; a hung collective must not hang CI.
TIMEOUT = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _launch(command: list[str], processes: int) -> list[str]:
    """Run `command` as `processes` processes of one job; the output of each."""
    commands = [command]
    if processes > 1:
        coordinator = f"127.0.0.1:{_free_port()}"
        commands = [
            [
                *command,
                "--coordinator",
                coordinator,
                "--num-processes",
                str(processes),
                "--process-id",
                str(index),
            ]
            for index in range(processes)
        ]
    running = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for c in commands
    ]
    try:
        outputs = [process.communicate(timeout=TIMEOUT)[0] for process in running]
    finally:
        for process in running:  # one that failed leaves the others waiting for it
            if process.poll() is None:
                process.kill()
                process.wait()
    for process, output in zip(running, outputs, strict=True):
        assert process.returncode == 0, output
    return outputs


def _run(out: Path, *arguments: str, processes: int = 1) -> dict[str, object]:
    """Run the worker as `processes` processes; its result, from process 0."""
    out.mkdir(parents=True, exist_ok=True)
    _launch([sys.executable, str(WORKER), str(out), *arguments], processes)
    result: dict[str, object] = json.loads((out / "result.json").read_text())
    return result


def _parameters(out: Path, name: str = "parameters.npz") -> dict[str, np.ndarray]:
    with np.load(out / name) as loaded:
        return {key: loaded[key] for key in loaded.files}


def test_data_parallel_over_two_processes_trains_what_one_process_trains(
    tmp_path: Path,
) -> None:
    checkpoint = tmp_path / "orbax"
    two = _run(tmp_path / "two", "--save", str(checkpoint), processes=2)
    # One process with one device: another layout, into which the orbax
    # checkpoint the two processes wrote is restored.
    one = _run(tmp_path / "one", "--local-devices", "1", "--restore", str(checkpoint))
    assert (two["processes"], two["devices"]) == (2, 4)
    assert (one["processes"], one["devices"]) == (1, 1)
    assert abs(float(two["loss"]) - float(one["loss"])) < 1e-6  # type: ignore[arg-type]
    trained_by_two = _parameters(tmp_path / "two")
    trained_by_one = _parameters(tmp_path / "one")
    assert trained_by_two.keys() == trained_by_one.keys() and len(trained_by_two) == 4
    for key, value in trained_by_two.items():
        np.testing.assert_allclose(value, trained_by_one[key], atol=1e-6, err_msg=key)
    restored = _parameters(tmp_path / "one", "restored.npz")
    for key, value in trained_by_two.items():
        np.testing.assert_array_equal(restored[key], value, err_msg=key)
    # Replicated arrays: each process saves its own copy, and loads it back in place.
    assert two["serialised"] == one["serialised"] == "exact"


def test_a_model_split_over_two_processes_trains_what_one_process_trains(
    tmp_path: Path,
) -> None:
    two = _run(tmp_path / "two", "--shard-model", processes=2)
    one = _run(tmp_path / "one", "--local-devices", "1")
    assert two["hidden_weight_split"] is True and one["hidden_weight_split"] is False
    assert abs(float(two["loss"]) - float(one["loss"])) < 1e-6  # type: ignore[arg-type]
    trained_by_one = _parameters(tmp_path / "one")
    for key, value in _parameters(tmp_path / "two").items():
        np.testing.assert_allclose(value, trained_by_one[key], atol=1e-6, err_msg=key)
    # No one process holds the split weight: equimod's checkpoint refuses it by name.
    message = str(two["serialised"])
    assert "leaf .layers[0].weight is an array split across processes" in message, message
    assert "orbax-checkpoint" in message and "process_allgather" in message, message


def test_the_example_prints_the_same_final_loss_on_one_and_two_processes() -> None:
    example = [
        sys.executable,
        str(Path(__file__).parent.parent / "examples" / "train_distributed.py"),
    ]

    def losses(processes: int) -> list[float]:
        outputs = _launch(example, processes)
        return [
            float(line.rpartition(" ")[2])
            for output in outputs
            for line in output.splitlines()
            if "final loss" in line
        ]

    alone = losses(1)
    together = losses(2)
    assert len(alone) == 1 and len(together) == 2, (alone, together)
    assert all(abs(loss - alone[0]) < 1e-6 for loss in together), (alone, together)
