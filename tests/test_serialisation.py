"""tree_serialise_leaves / tree_deserialise_leaves."""

from __future__ import annotations

import io
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from messages import assert_mentions

import equimod


class Model(equimod.Module):
    layers: list[equimod.nn.Linear]
    extra: dict[str, object]
    scale: float
    name: str = equimod.field(static=True, default="m")


def make(seed: int, width: int = 3) -> Model:
    keys = jax.random.split(jax.random.key(seed), 2)
    return Model(
        [
            equimod.nn.Linear(2, width, key=keys[0]),
            equimod.nn.Linear(width, 1, use_bias=False, key=keys[1]),
        ],
        {
            "count": 7 + seed,
            "flag": bool(seed),
            "np": np.arange(3) + seed,
            "none": None,
            "s": "text",
        },
        1.5 + seed,
    )


def test_round_trip_through_a_path(tmp_path: pathlib.Path) -> None:
    saved = make(0)
    path = tmp_path / "model.eqx"
    equimod.tree_serialise_leaves(path, saved)
    loaded = equimod.tree_deserialise_leaves(str(path), make(1))
    assert equimod.tree_equal(loaded, saved, typematch=True)
    assert isinstance(loaded.layers[0].weight, jax.Array)
    assert isinstance(loaded.extra["np"], np.ndarray)
    assert loaded.extra["count"] == 7 and loaded.extra["flag"] is False
    assert loaded.scale == 1.5
    assert loaded.layers[1].bias is None


def test_round_trip_through_a_file_object() -> None:
    buffer = io.BytesIO()
    saved = {"w": jnp.arange(4.0), "n": 2, "c": 1 + 2j}
    equimod.tree_serialise_leaves(buffer, saved)
    buffer.seek(0)
    loaded = equimod.tree_deserialise_leaves(buffer, {"w": jnp.zeros(4), "n": 0, "c": 0j})
    assert equimod.tree_equal(loaded, saved)


def test_wrong_shape_names_the_leaf(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "m.eqx"
    equimod.tree_serialise_leaves(path, make(0))
    with pytest.raises(ValueError) as info:
        equimod.tree_deserialise_leaves(path, make(0, width=4))
    assert_mentions(info, ".layers[0].weight", "float32(3, 2)", "float32(4, 2)")


def test_wrong_dtype_names_the_leaf(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "d.eqx"
    equimod.tree_serialise_leaves(path, {"w": jnp.ones(2)})
    with pytest.raises(ValueError, match=r"\['w'\].*float32\(2,\).*int32\(2,\)"):
        equimod.tree_deserialise_leaves(path, {"w": jnp.ones(2, dtype=jnp.int32)})


def test_wrong_structure_names_the_first_difference(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "s.eqx"
    equimod.tree_serialise_leaves(path, {"a": jnp.ones(1), "b": jnp.ones(1)})
    with pytest.raises(
        ValueError, match=r"holds 2 leaves but `like` has 1; the first difference is at \['b'\]"
    ):
        equimod.tree_deserialise_leaves(path, {"a": jnp.ones(1)})
    with pytest.raises(ValueError, match=r"the file has leaf \['a'\] where `like` has \['x'\]"):
        equimod.tree_deserialise_leaves(path, {"x": jnp.ones(1), "y": jnp.ones(1)})


def test_truncated_and_foreign_files(tmp_path: pathlib.Path) -> None:
    buffer = io.BytesIO()
    equimod.tree_serialise_leaves(buffer, {"a": jnp.ones(3), "b": jnp.ones(3)})
    data = buffer.getvalue()
    with pytest.raises(
        ValueError, match=r"ended, or was unreadable, while reading leaf \['b'\].*truncated"
    ):
        equimod.tree_deserialise_leaves(io.BytesIO(data[:-8]), {"a": jnp.ones(3), "b": jnp.ones(3)})
    with pytest.raises(ValueError, match=r"while reading leaf <header>"):
        equimod.tree_deserialise_leaves(io.BytesIO(data[:30]), {"a": jnp.ones(3), "b": jnp.ones(3)})
    foreign = tmp_path / "foreign.npy"
    np.save(foreign, np.ones(3))
    with pytest.raises(ValueError, match=r"not a file written by equimod\.tree_serialise_leaves"):
        equimod.tree_deserialise_leaves(foreign, jnp.ones(3))


def test_custom_filter_spec_prefix() -> None:
    calls: list[str] = []

    def save_doubled(f: io.BufferedIOBase, x: object) -> None:
        calls.append("save")
        np.save(f, np.asarray(x) * 2)

    def load_halved(f: io.BufferedIOBase, x: object) -> object:
        return jnp.asarray(np.load(f)) / 2

    buffer = io.BytesIO()
    tree = {"a": jnp.ones(2), "b": jnp.ones(2)}
    equimod.tree_serialise_leaves(
        buffer, tree, filter_spec={"a": save_doubled, "b": equimod.default_serialise_filter_spec}
    )
    buffer.seek(0)
    loaded = equimod.tree_deserialise_leaves(
        buffer, tree, filter_spec={"a": load_halved, "b": equimod.default_deserialise_filter_spec}
    )
    assert calls == ["save"]
    assert equimod.tree_equal(loaded, tree)
    with pytest.raises(
        ValueError, match=r"filter_spec must be a callable \(file, leaf\) or a pytree prefix"
    ):
        equimod.tree_serialise_leaves(io.BytesIO(), tree, filter_spec={"a": save_doubled})


def test_a_spec_with_a_model_in_it_serves_each_of_its_leaves() -> None:
    # The pytree holds a callable Module (an MLP), and so does the spec: one spec
    # leaf per model leaf, in the model's structure, as Equinox reads it.
    model = equimod.nn.MLP(2, 2, 3, 1, key=jax.random.key(0))
    written: list[tuple[int, ...]] = []

    def save_noting(f: io.BufferedIOBase, x: object) -> None:
        written.append(np.shape(x))
        equimod.default_serialise_filter_spec(f, x)

    spec = jax.tree_util.tree_map(lambda _: save_noting, model)
    tree = {"model": model, "step": jnp.array(3)}
    buffer = io.BytesIO()
    equimod.tree_serialise_leaves(
        buffer, tree, filter_spec={"model": spec, "step": equimod.default_serialise_filter_spec}
    )
    assert written == [np.shape(leaf) for leaf in jax.tree_util.tree_leaves(model)]
    buffer.seek(0)
    assert equimod.tree_equal(equimod.tree_deserialise_leaves(buffer, tree), tree)


def test_dtypes_numpy_cannot_name_load_back(tmp_path: pathlib.Path) -> None:
    # Regression (found by tests/test_properties.py): np.save writes bfloat16 and the
    # float8 types as raw bytes, "|V2"/"|V1"; loading them crashed inside JAX.
    tree = (
        jnp.array([1.5, -2.0, jnp.nan], jnp.bfloat16),
        jnp.array([0.5, 3.0], jnp.float8_e4m3fn),
        np.array([1.25], jnp.bfloat16),
    )
    path = tmp_path / "low_precision.eqx"
    equimod.tree_serialise_leaves(path, tree)
    blank = jax.tree_util.tree_map(
        lambda x: jnp.zeros_like(x) if isinstance(x, jax.Array) else np.zeros_like(x), tree
    )
    loaded = equimod.tree_deserialise_leaves(path, blank)
    for a, b in zip(loaded, tree, strict=True):
        assert (
            type(a) is type(b)
            and a.dtype == b.dtype
            and np.asarray(a).tobytes() == np.asarray(b).tobytes()
        )


def test_64_bit_dtypes_round_trip_bit_exactly(tmp_path: pathlib.Path) -> None:
    # The property tests run without x64; the 64-bit dtypes get their own check.
    try:
        from jax import enable_x64
    except ImportError:  # jax < 0.5
        from jax.experimental import enable_x64  # type: ignore[no-redef,attr-defined,unused-ignore]
    with enable_x64(True):
        tree = [
            jnp.array([np.pi, -0.0, np.inf, np.nan], jnp.float64),
            jnp.array([2**62, -(2**62)], jnp.int64),
            jnp.array([2**63 + 1], jnp.uint64),
            jnp.array([1 + 2j], jnp.complex128),
            jnp.zeros((0, 3), jnp.float64),
        ]
        path = tmp_path / "x64.eqx"
        equimod.tree_serialise_leaves(path, tree)
        loaded = equimod.tree_deserialise_leaves(path, [jnp.zeros_like(x) for x in tree])
        for a, b in zip(loaded, tree, strict=True):
            assert a.dtype == b.dtype and np.asarray(a).tobytes() == np.asarray(b).tobytes()


def test_a_path_without_a_suffix_gets_eqx_as_in_equinox(tmp_path: pathlib.Path) -> None:
    equimod.tree_serialise_leaves(tmp_path / "model", make(0))
    assert [p.name for p in tmp_path.iterdir()] == ["model.eqx"]
    loaded = equimod.tree_deserialise_leaves(tmp_path / "model", make(1))
    assert equimod.tree_equal(loaded, make(0))
    equimod.tree_serialise_leaves(str(tmp_path / "model.v2"), make(0))
    assert (tmp_path / "model.v2").exists()


def test_a_mismatch_is_a_value_error_and_a_runtime_error_in_equinox_words(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "m.eqx"
    equimod.tree_serialise_leaves(path, (jnp.array(1), {}))
    like = (jnp.array(2), {"a": jnp.array(2), "b": jnp.array(2)})
    with pytest.raises(
        RuntimeError,
        match=r"Error at leaf with path \(SequenceKey\(idx=1\), DictKey\(key='a'\)\): "
        r"the file holds 1 leaves but `like` has 3",
    ):
        equimod.tree_deserialise_leaves(path, like)
    equimod.tree_serialise_leaves(path, {"a": jnp.array(1)})
    with pytest.raises(
        ValueError,
        match=r"Deserialised leaf at path \(DictKey\(key='a'\),\) has changed dtype: .* "
        r"the file has int32\(\), `like` has float32\(\)",
    ):
        equimod.tree_deserialise_leaves(path, {"a": jnp.array(1.0)})


def test_state_markers_and_eval_shape_models_load(tmp_path: pathlib.Path) -> None:
    # A State's keys are plain objects, different in each model; `filter_eval_shape`
    # gives a model of ShapeDtypeStructs. Both load what a real model saved.
    path = tmp_path / "m.eqx"
    model = equimod.nn.BatchNorm(3, "batch", mode="ema")
    state = equimod.nn.State(model)
    equimod.tree_serialise_leaves(path, (model, state))
    other = equimod.nn.BatchNorm(3, "batch", mode="ema")
    equimod.tree_deserialise_leaves(path, (other, equimod.nn.State(other)))
    mlp = equimod.nn.MLP(2, 2, 2, 2, key=jax.random.key(0))
    equimod.tree_serialise_leaves(path, mlp)
    shape = equimod.filter_eval_shape(equimod.nn.MLP, 2, 2, 2, 2, key=jax.random.key(1))
    loaded = equimod.tree_deserialise_leaves(path, shape)
    assert equimod.tree_equal(loaded, mlp, typematch=True)


def test_a_custom_spec_is_in_charge_of_what_is_on_disk(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "m.eqx"

    def skip_jax_arrays(f: object, x: object) -> None:
        if not isinstance(x, jax.Array):
            equimod.default_serialise_filter_spec(f, x)  # type: ignore[arg-type]

    equimod.tree_serialise_leaves(path, (jnp.ones(2), np.arange(3)), filter_spec=skip_jax_arrays)
    loaded = equimod.tree_deserialise_leaves(path, (np.zeros(3, int),))
    assert np.array_equal(loaded[0], np.arange(3))


_SAVE_FOREVER = """
import sys
import jax.numpy as jnp
import equimod
big = [jnp.full((1000, 1000), float(i)) for i in range(60)]
print("saving", flush=True)
while True:
    equimod.tree_serialise_leaves(sys.argv[1], big)
"""


def test_a_save_killed_midway_leaves_the_previous_checkpoint_whole(
    tmp_path: pathlib.Path,
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "model.eqx"
    previous = make(0)
    equimod.tree_serialise_leaves(path, previous)
    before = path.read_bytes()
    saver = subprocess.Popen(
        [sys.executable, "-c", _SAVE_FOREVER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert saver.stdout is not None and saver.stdout.readline() == "saving\n"
        deadline = time.monotonic() + 120
        # Kill it while a temporary file is being written (240 MB, so it takes a while).
        while not any(p.stat().st_size > 1 << 20 for p in tmp_path.glob(".model.eqx.*.tmp")):
            assert time.monotonic() < deadline, "the save never started writing"
            time.sleep(0.005)
        saver.send_signal(signal.SIGKILL)
        saver.wait(timeout=60)
    finally:
        saver.kill()
        saver.wait()
    assert path.read_bytes() == before
    assert equimod.tree_equal(equimod.tree_deserialise_leaves(path, make(1)), previous)
    assert list(tmp_path.glob(".model.eqx.*.tmp")), "the killed save left its temporary file"
    # The next save that succeeds removes what the killed one left behind.
    equimod.tree_serialise_leaves(path, make(2))
    assert sorted(os.listdir(tmp_path)) == ["model.eqx"]
    assert equimod.tree_equal(equimod.tree_deserialise_leaves(path, make(1)), make(2))


def test_a_save_that_fails_keeps_the_previous_file_and_leaves_nothing(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "model.eqx"
    equimod.tree_serialise_leaves(path, make(0))
    before = path.read_bytes()

    def fail(f: object, x: object) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        equimod.tree_serialise_leaves(path, make(1), filter_spec=fail)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.eqx"]
