"""Every layer against Equinox as the oracle: same key, same output and same gradients
(with respect to the parameters and to the input), in float32 and float64."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import equimod
from equimod import nn

try:
    from jax import enable_x64
except ImportError:  # jax < 0.5
    from jax.experimental import enable_x64  # type: ignore[no-redef,attr-defined,unused-ignore]

KEY = jax.random.key(0)
KEY2 = jax.random.key(1)


@contextlib.contextmanager
def precision(dtype: str) -> Iterator[float]:
    """Run in `dtype` as JAX's default float; yields the tolerance for a comparison."""
    if dtype == "float64":
        with enable_x64(True):
            yield 1e-10
    else:
        yield 2e-5


def _normal(shape: tuple[int, ...], key: jax.Array = KEY2) -> jax.Array:
    return jax.random.normal(key, shape)


def _vmapped(layer: Any, x: Any, state: Any) -> Any:
    return jax.vmap(layer, axis_name="batch", in_axes=(0, None), out_axes=(0, None))(x, state)


# (id, constructor taking the nn module, input maker, how to call: "plain" or "state")
Case = tuple[str, Callable[[Any], Any], Callable[[], Any], str]

CASES: list[Case] = [
    ("Conv3d", lambda m: m.Conv3d(2, 3, (2, 1, 2), padding=1, key=KEY), lambda: _normal((2, 3, 2, 3)), "plain"),
    ("ConvTranspose1d", lambda m: m.ConvTranspose1d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2, key=KEY), lambda: _normal((2, 5)), "plain"),
    ("ConvTranspose1d-same-circular", lambda m: m.ConvTranspose1d(2, 3, 3, stride=2, padding="SAME", padding_mode="CIRCULAR", key=KEY), lambda: _normal((2, 5)), "plain"),
    ("ConvTranspose2d", lambda m: m.ConvTranspose2d(2, 3, (3, 2), stride=(2, 1), padding="SAME_LOWER", dilation=(1, 2), key=KEY), lambda: _normal((2, 4, 3)), "plain"),
    # By position, in Equinox's order: stride, output_padding, padding.
    ("ConvTranspose2d-positional", lambda m: m.ConvTranspose2d(2, 3, 3, 2, 1, 0, key=KEY), lambda: _normal((2, 4, 3)), "plain"),
    ("ConvTranspose3d", lambda m: m.ConvTranspose3d(2, 1, 2, stride=2, use_bias=False, key=KEY), lambda: _normal((2, 2, 3, 2)), "plain"),
    ("MaxPool1d-ceil", lambda m: m.MaxPool1d(3, 2, 1, use_ceil=True), lambda: _normal((2, 6)), "plain"),
    ("AvgPool2d", lambda m: m.AvgPool2d((2, 3), (1, 2), ((1, 0), (1, 1))), lambda: _normal((2, 4, 5)), "plain"),
    ("MaxPool3d", lambda m: m.MaxPool3d(2), lambda: _normal((1, 3, 3, 2)), "plain"),
    ("AvgPool3d", lambda m: m.AvgPool3d(2, 2, use_ceil=True), lambda: _normal((1, 3, 3, 2)), "plain"),
    ("AvgPool1d", lambda m: m.AvgPool1d(2), lambda: _normal((2, 5)), "plain"),
    ("MaxPool2d", lambda m: m.MaxPool2d(2, 1), lambda: _normal((2, 3, 3)), "plain"),
    ("AdaptiveAvgPool1d", lambda m: m.AdaptiveAvgPool1d(3), lambda: _normal((2, 7)), "plain"),
    ("AdaptiveAvgPool2d", lambda m: m.AdaptiveAvgPool2d((2, 3)), lambda: _normal((2, 5, 6)), "plain"),
    ("AdaptiveAvgPool3d", lambda m: m.AdaptiveAvgPool3d(2), lambda: _normal((1, 3, 4, 5)), "plain"),
    ("AdaptiveMaxPool1d", lambda m: m.AdaptiveMaxPool1d(4), lambda: _normal((2, 9)), "plain"),
    ("AdaptiveMaxPool2d", lambda m: m.AdaptiveMaxPool2d(2), lambda: _normal((1, 4, 5)), "plain"),
    ("AdaptiveMaxPool3d", lambda m: m.AdaptiveMaxPool3d((1, 2, 3)), lambda: _normal((1, 2, 3, 4)), "plain"),
    ("GRUCell", lambda m: m.GRUCell(3, 4, key=KEY), lambda: (_normal((3,)), _normal((4,), KEY)), "args"),
    ("GRUCell-no-bias", lambda m: m.GRUCell(3, 4, use_bias=False, key=KEY), lambda: (_normal((3,)), _normal((4,), KEY)), "args"),
    ("LSTMCell", lambda m: m.LSTMCell(3, 2, key=KEY), lambda: (_normal((3,)), (_normal((2,), KEY), _normal((2,)))), "args"),
    ("MultiheadAttention", lambda m: m.MultiheadAttention(2, 4, 3, 5, use_query_bias=True, use_output_bias=True, key=KEY), lambda: (_normal((3, 4)), _normal((2, 3), KEY), _normal((2, 5))), "args"),
    ("MultiheadAttention-mask", lambda m: m.MultiheadAttention(2, 4, qk_size=3, vo_size=1, output_size=2, key=KEY), lambda: (_normal((3, 4)), _normal((2, 4), KEY), _normal((2, 4)), jnp.array([[True, False], [True, True], [False, True]])), "args"),
    ("RotaryPositionalEmbedding", lambda m: m.RotaryPositionalEmbedding(4), lambda: _normal((3, 4)), "plain"),
    ("WeightNorm", lambda m: m.WeightNorm(m.Linear(3, 2, key=KEY)), lambda: _normal((3,)), "plain"),
    ("WeightNorm-conv-axis-none", lambda m: m.WeightNorm(m.Conv1d(2, 2, 2, key=KEY), axis=None), lambda: _normal((2, 4)), "plain"),
    ("SpectralNorm", lambda m: m.SpectralNorm(m.Conv1d(2, 3, 2, key=KEY), "weight", key=KEY2), lambda: _normal((2, 4)), "state"),
    ("BatchNorm-ema", lambda m: m.BatchNorm(2, "batch", mode="ema"), lambda: _normal((3, 2, 2)), "batch"),
    ("BatchNorm-batch", lambda m: m.BatchNorm(2, "batch", mode="batch", channelwise_affine=False), lambda: _normal((3, 2)), "batch"),
    ("Sequential-stateful", lambda m: m.Sequential([m.Conv1d(2, 3, 1, key=KEY), m.BatchNorm(3, "batch", mode="batch"), m.Lambda(jax.nn.relu), m.MaxPool1d(2)]), lambda: _normal((3, 2, 4)), "batch"),
]  # fmt: skip


def _apply(layer: Any, inputs: Any, how: str, state: Any) -> Any:
    if how == "plain":
        return layer(inputs)
    if how == "args":
        return layer(*inputs)
    if how == "state":
        return layer(inputs, state)
    return _vmapped(layer, inputs, state)


def _loss(layer: Any, inputs: Any, how: str, state: Any) -> jax.Array:
    out = _apply(layer, inputs, how, state)
    if how in ("state", "batch"):
        out = out[0]
    return sum(jnp.sum(jnp.sin(leaf)) for leaf in jax.tree_util.tree_leaves(out))  # type: ignore[return-value]


def _arrays(tree: Any) -> list[Any]:
    return [leaf for leaf in jax.tree_util.tree_leaves(tree) if equimod.is_array(leaf)]


def _copy(tree: Any) -> Any:
    # A State is retired by each update: give every use its own copy.
    return jax.tree_util.tree_map(lambda leaf: leaf, tree)


def _build(library: Any, make: Callable[[Any], Any], how: str) -> tuple[Any, Any]:
    # Built under jit: one compilation instead of one per eager operation.
    def build() -> tuple[Any, Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if how in ("state", "batch"):
                return library.nn.make_with_state(lambda: make(library.nn))()  # type: ignore[no-any-return]
            return make(library.nn), None

    return library.filter_jit(build)()  # type: ignore[no-any-return]


def _assert_all_close(ours: Any, theirs: Any, tol: float) -> None:
    ours_arrays, their_arrays = _arrays(ours), _arrays(theirs)
    assert len(ours_arrays) == len(their_arrays)
    for a, b in zip(ours_arrays, their_arrays, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=tol, rtol=tol)


def _everything(
    library: Any, layer: Any, x: Any, how: str, state: Any
) -> tuple[Any, Any, Any, Any, Any]:
    """Two calls (the second on the updated state), the gradients with respect to the
    layer and to the input, and a call in inference mode: one compiled function."""
    first = _apply(layer, x, how, _copy(state))
    if how in ("state", "batch"):
        state = first[1]
    second = _apply(layer, x, how, _copy(state))
    grads = library.filter_grad(_loss)(layer, x, how, _copy(state))
    input_grad = None
    if how != "args":
        input_grad = jax.grad(lambda x: _loss(layer, x, how, _copy(state)))(x)
    inference = _apply(library.nn.inference_mode(layer), x, how, _copy(state))
    return first, second, grads, input_grad, inference


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "make", "inputs", "how"), CASES, ids=[c[0] for c in CASES])
def test_matches_equinox(
    name: str, make: Callable[[Any], Any], inputs: Callable[[], Any], how: str, dtype: str
) -> None:
    with precision(dtype) as tol:
        x = inputs()
        layer, state = _build(equimod, make, how)
        oracle, oracle_state = _build(eqx, make, how)
        _assert_all_close(layer, oracle, tol)
        _assert_all_close(state, oracle_state, tol)
        assert all(leaf.dtype == jnp.dtype(dtype) for leaf in _arrays(layer) if leaf.ndim)
        ours = equimod.filter_jit(_everything)(equimod, layer, x, how, state)
        theirs = eqx.filter_jit(_everything)(eqx, oracle, x, how, oracle_state)
        for result, expected in zip(ours, theirs, strict=True):
            _assert_all_close(result, expected, tol * 10)


def test_every_equinox_nn_name_exists() -> None:
    public = {name for name in dir(eqx.nn) if not name.startswith("_")}
    assert sorted(public - set(nn.__all__)) == []
    assert set(nn.__all__) <= set(dir(nn))
