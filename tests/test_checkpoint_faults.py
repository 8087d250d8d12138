"""Hostile checkpoints: every damaged or foreign file fails with a clear error naming
the first mismatching leaf or the bad header, and the model passed in is unchanged."""

from __future__ import annotations

import io
import pathlib

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import equimod
from equimod import nn

KEY = jax.random.key(0)


def _model() -> nn.MLP:
    return nn.MLP(2, 1, width_size=3, depth=1, key=KEY)


def _saved(model: object) -> bytes:
    buffer = io.BytesIO()
    equimod.tree_serialise_leaves(buffer, model)
    return buffer.getvalue()


def _load(data: bytes, like: object) -> object:
    return equimod.tree_deserialise_leaves(io.BytesIO(data), like)


def _assert_refused(data: bytes, like: object, message: str) -> None:
    before = [np.asarray(x).tobytes() for x in jax.tree_util.tree_leaves(like)]
    with pytest.raises(ValueError, match=message):
        _load(data, like)
    after = [np.asarray(x).tobytes() for x in jax.tree_util.tree_leaves(like)]
    assert before == after


def test_every_truncation_is_refused() -> None:
    data = _saved(_model())
    like = _model()
    assert jax.tree_util.tree_leaves(_load(data, like))  # the whole file loads
    refused = 0
    for end in range(0, len(data), max(1, len(data) // 97)):
        _assert_refused(
            data[:end],
            like,
            r"not a file written by equimod|truncated or corrupt|header is corrupt|other",
        )
        refused += 1
    assert refused > 50


def test_another_model_dtype_or_shape_names_the_first_mismatch() -> None:
    data = _saved(_model())
    wider = nn.MLP(2, 1, width_size=4, depth=1, key=KEY)
    _assert_refused(data, wider, r"at leaf \.layers\[0\]\.weight: the file has float32\(3, 2\)")
    half = jax.tree_util.tree_map(
        lambda x: x.astype(jnp.float16) if equimod.is_array(x) else x, _model()
    )
    _assert_refused(data, half, r"leaf \.layers\[0\]\.weight: .*float32.*`like` has float16")
    deeper = nn.MLP(2, 1, width_size=3, depth=2, key=KEY)
    _assert_refused(
        data,
        deeper,
        r"at leaf \.layers\[1\]\.weight: the file has float32\(1, 3\), `like` has float32\(3, 3\)",
    )
    _assert_refused(
        data, nn.Linear(2, 1, key=KEY), r"\.layers\[0\]\.weight where `like` has \.weight"
    )


def test_foreign_and_random_files_are_refused() -> None:
    like = _model()
    other_version = _saved(like).replace(b"EQUIMOD-LEAVES-1\n", b"EQUIMOD-LEAVES-7\n", 1)
    _assert_refused(
        other_version, like, r"checkpoint format '7', but this version .* reads format 1"
    )
    buffer = io.BytesIO()
    eqx.tree_serialise_leaves(buffer, like)
    _assert_refused(
        buffer.getvalue(), like, r"A checkpoint written by equinox.tree_serialise_leaves"
    )
    header = b'{"not": "a list"}'
    bad = b"EQUIMOD-LEAVES-1\n" + len(header).to_bytes(8, "little") + header
    _assert_refused(bad, like, r"header is corrupt \(not a list of leaves\)")
    rng = np.random.default_rng(0)
    for _ in range(30):
        noise = rng.bytes(int(rng.integers(0, 400)))
        _assert_refused(noise, like, r"not a file written by equimod")
        _assert_refused(
            b"EQUIMOD-LEAVES-1\n" + noise, like, r"truncated or corrupt|header is corrupt"
        )


def test_a_path_that_fails_leaves_no_half_loaded_model(tmp_path: pathlib.Path) -> None:
    model = _model()
    path = tmp_path / "model.eqx"
    equimod.tree_serialise_leaves(path, model)
    path.write_bytes(path.read_bytes()[:-7])
    with pytest.raises(ValueError, match=r"while reading leaf \.layers\[1\]\.bias"):
        equimod.tree_deserialise_leaves(path, model)


def test_a_save_into_a_missing_folder_names_the_target(tmp_path: pathlib.Path) -> None:
    # The atomic save writes a temporary file first; the error names the path the
    # user gave (as `open(path, "wb")` would), not that temporary file.
    target = tmp_path / "no such folder" / "model"
    with pytest.raises(FileNotFoundError) as raised:
        equimod.tree_serialise_leaves(target, _model())
    assert raised.value.filename == str(target) + ".eqx"
    assert str(raised.value) == f"[Errno 2] No such file or directory: '{target}.eqx'"
    assert list(tmp_path.iterdir()) == []
