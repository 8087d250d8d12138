"""equimod.nn layers: shapes, values against Equinox and hand computation, bad inputs."""

from __future__ import annotations

import math
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import equimod
from equimod import nn

KEY = jax.random.key(0)


def copy_params(ours: equimod.Module, theirs: eqx.Module) -> eqx.Module:
    """Equinox's layer with our arrays, leaf for leaf."""
    our_leaves = [x for x in jax.tree_util.tree_leaves(ours) if equimod.is_array(x)]
    their_leaves, treedef = jax.tree_util.tree_flatten(theirs)
    it = iter(our_leaves)
    merged = [next(it) if equimod.is_array(x) else x for x in their_leaves]
    return jax.tree_util.tree_unflatten(treedef, merged)  # type: ignore[no-any-return]


# --- MLP ------------------------------------------------------------------------


def test_mlp_structure_and_matches_equinox() -> None:
    mlp = nn.MLP(3, 2, width_size=5, depth=2, key=KEY)
    assert [(layer.in_features, layer.out_features) for layer in mlp.layers] == [
        (3, 5),
        (5, 5),
        (5, 2),
    ]
    theirs = copy_params(mlp, eqx.nn.MLP(3, 2, 5, 2, key=KEY))
    x = jnp.arange(3.0)
    assert jnp.allclose(mlp(x), theirs(x), atol=1e-6)  # type: ignore[operator]
    assert mlp(x).shape == (2,)


def test_mlp_depth_zero_scalar_and_activations() -> None:
    single = nn.MLP("scalar", "scalar", width_size=4, depth=0, key=KEY)
    assert len(single.layers) == 1 and single(jnp.array(1.0)).shape == ()
    positive = nn.MLP(2, 3, 4, 1, final_activation=jax.nn.softplus, use_final_bias=False, key=KEY)
    assert bool(jnp.all(positive(jnp.ones(2)) > 0))
    assert positive.layers[-1].bias is None
    assert jax.vmap(positive)(jnp.ones((6, 2))).shape == (6, 3)
    grads = equimod.filter_grad(lambda m: m(jnp.ones(2)).sum())(positive)
    assert grads.layers[0].weight.shape == (4, 2)


def test_mlp_bad_inputs() -> None:
    with pytest.raises(ValueError, match=r"MLP: depth must be a non-negative int, got -1"):
        nn.MLP(2, 2, 4, -1, key=KEY)
    with pytest.raises(ValueError, match=r"MLP: width_size must be a positive int, got 0"):
        nn.MLP(2, 2, 0, 2, key=KEY)
    with pytest.raises(TypeError, match="key"):
        nn.MLP(2, 2, 4, 2)  # type: ignore[call-arg]


# --- Sequential, Lambda, Identity ---------------------------------------------


def test_sequential_lambda_identity() -> None:
    seq = nn.Sequential([nn.Linear(2, 3, key=KEY), nn.Lambda(jax.nn.relu), nn.Identity(1, a=2)])
    x = jnp.array([1.0, -2.0])
    assert jnp.allclose(seq(x), jax.nn.relu(seq.layers[0](x)))
    assert len(seq) == 3 and isinstance(seq[0], nn.Linear)
    assert isinstance(seq[1:], nn.Sequential) and len(seq[1:]) == 2
    assert [type(layer).__name__ for layer in seq] == ["Linear", "Lambda", "Identity"]


def test_sequential_splits_the_key_between_layers() -> None:
    seq = nn.Sequential([nn.Dropout(0.5), nn.Dropout(0.5)])
    out = seq(jnp.ones(1000), key=KEY)
    kept = float((out != 0).mean())
    assert 0.15 < kept < 0.35  # two independent masks: about a quarter survive


def test_sequential_and_lambda_bad_inputs() -> None:
    with pytest.raises(TypeError, match=r"Sequential: each layer must be callable, got 3"):
        nn.Sequential([3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"Lambda: fn must be callable"):
        nn.Lambda("f")  # type: ignore[arg-type]


# --- Conv --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "length"),
    [
        ({}, 10),
        ({"stride": 2, "padding": 1}, 10),
        ({"padding": "SAME", "dilation": 2}, 9),
        ({"padding": ((2, 0),), "groups": 2}, 7),
        ({"padding": 1, "padding_mode": "REFLECT"}, 8),
        ({"padding": "SAME", "padding_mode": "circular"}, 8),
    ],
)
def test_conv1d_matches_equinox(kwargs: dict[str, object], length: int) -> None:
    ours = nn.Conv1d(4, 6, 3, key=KEY, **kwargs)  # type: ignore[arg-type]
    theirs = copy_params(ours, eqx.nn.Conv1d(4, 6, 3, key=KEY, **kwargs))  # type: ignore[arg-type]
    x = jax.random.normal(jax.random.key(1), (4, length))
    assert jnp.allclose(ours(x), theirs(x), atol=1e-5)  # type: ignore[operator]


def test_conv2d_against_a_hand_computation() -> None:
    conv = nn.Conv2d(1, 1, kernel_size=2, use_bias=False, key=KEY)
    x = jnp.arange(9.0).reshape(1, 3, 3)
    w = np.asarray(conv.weight)[0, 0]
    expected = np.array(
        [[(np.asarray(x)[0, i : i + 2, j : j + 2] * w).sum() for j in range(2)] for i in range(2)]
    )
    assert np.allclose(np.asarray(conv(x))[0], expected, atol=1e-5)
    limit = 1 / math.sqrt(1 * 4)
    assert float(jnp.abs(conv.weight).max()) <= limit
    batched = jax.vmap(conv)(jnp.ones((5, 1, 4, 4)))
    assert batched.shape == (5, 1, 3, 3)


def test_conv_bad_inputs() -> None:
    with pytest.raises(
        ValueError,
        match=r"in_channels \(=3\) and out_channels \(=4\) must both be divisible by groups \(=2\)",
    ):
        nn.Conv1d(3, 4, 3, groups=2, key=KEY)
    with pytest.raises(ValueError, match=r"padding must be 'SAME', 'SAME_LOWER', 'VALID'"):
        nn.Conv1d(2, 2, 3, padding="FULL", key=KEY)
    with pytest.raises(ValueError, match=r"padding_mode must be one of"):
        nn.Conv1d(2, 2, 3, padding_mode="mirror", key=KEY)
    with pytest.raises(
        ValueError, match=r"kernel_size must be an int >= 1 or a sequence of 2 such ints"
    ):
        nn.Conv2d(2, 2, (3, 3, 3), key=KEY)
    with pytest.raises(ValueError, match=r"^Conv2d: out_channels must be a positive int, got 0"):
        nn.Conv2d(2, 0, 3, key=KEY)
    conv = nn.Conv2d(2, 2, 3, key=KEY)
    with pytest.raises(
        ValueError, match=r"Conv2d \(2 spatial dimensions\) expects an input of rank 3.*jax.vmap"
    ):
        conv(jnp.ones((1, 2, 5, 5)))
    with pytest.raises(ValueError, match=r"input has 3 channels.*in_channels is 2"):
        conv(jnp.ones((3, 5, 5)))


def test_matrix_layers_name_themselves_and_the_size_when_an_input_has_the_wrong_size() -> None:
    # JAX's own error names dot_general; the layer's says which argument, and how to batch.
    linear, gru, lstm = (
        nn.Linear(3, 4, key=KEY),
        nn.GRUCell(3, 4, key=KEY),
        nn.LSTMCell(3, 4, key=KEY),
    )
    batch = r"it must have shape \({size},\)\. For a batch, use jax\.vmap\(layer\)\(x\)\."
    for call, message in [
        (
            lambda: linear(jnp.ones(5)),
            r"^Linear: the input has shape \(5,\), but in_features is 3: ",
        ),
        (lambda: linear(jnp.ones((8, 3))), r"^Linear: the input has shape \(8, 3\)"),
        (lambda: linear(jnp.ones(())), r"^Linear: the input has shape \(\)"),
        (lambda: gru(jnp.ones(2), jnp.ones(4)), r"^GRUCell: the input has shape \(2,\)"),
        (
            lambda: nn.MLP(3, 2, 4, 2, key=KEY)(jnp.ones(4)),
            r"^MLP: the input has shape \(4,\), but in_size is 3",
        ),
        (lambda: gru(jnp.ones(3), jnp.ones(5)), r"^GRUCell: the hidden state has shape \(5,\)"),
        (
            lambda: lstm(jnp.ones(3), (jnp.ones(4), jnp.ones(6))),
            r"^LSTMCell: the hidden state has shape \(6,\), but hidden_size is 4",
        ),
    ]:
        size = 3 if "the input" in message else 4
        with pytest.raises(TypeError, match=message + ".*" + batch.format(size=size)):
            call()
    # What works is unchanged, a matrix of columns without a bias too (as in Equinox).
    assert linear(jnp.ones(3)).shape == (4,)
    assert nn.Linear(3, 4, use_bias=False, key=KEY)(jnp.ones((3, 8))).shape == (4, 8)
    assert gru(jnp.ones(3), jnp.ones(4)).shape == (4,)
    assert [a.shape for a in lstm(jnp.ones(3), (jnp.ones(4), jnp.ones(4)))] == [(4,), (4,)]


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: nn.Conv(2, 2, 2, (3, 3, 3), key=KEY), "Conv"),
        (lambda: nn.Conv3d(2, 2, (3, 3), key=KEY), "Conv3d"),
        (lambda: nn.ConvTranspose1d(2, 2, (3, 3), key=KEY), "ConvTranspose1d"),
        (
            lambda: nn.ConvTranspose2d(2, 2, 3, stride=2, output_padding=2, key=KEY),
            "ConvTranspose2d",
        ),
        (lambda: nn.MaxPool2d((2, 2, 2)), "MaxPool2d"),
        (lambda: nn.AvgPool1d(2, padding=3), "AvgPool1d"),
        (lambda: nn.AdaptiveAvgPool3d((2, 2)), "AdaptiveAvgPool3d"),
        (lambda: nn.AdaptiveMaxPool1d(0), "AdaptiveMaxPool1d"),
    ],
)
def test_spatial_layers_name_themselves_in_errors(make: Callable[[], object], name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: "):
        make()


class _MyDropout(nn.Dropout):
    pass


class _MyEmbedding(nn.Embedding):
    pass


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: _MyDropout(p=2.0), "_MyDropout"),
        (lambda: _MyEmbedding(3, 4, weight=jnp.ones((2, 4))), "_MyEmbedding"),
        (lambda: nn.Dropout(p=-1.0), "Dropout"),
    ],
)
def test_a_subclass_of_a_layer_is_named_in_its_errors(
    make: Callable[[], object], name: str
) -> None:
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        make()


def test_per_dimension_layers_take_equinox_positions() -> None:
    # The per-dimension classes take the general class's arguments less the
    # dimension, by position as in Equinox (the transposed ones with
    # output_padding before padding).
    conv = nn.ConvTranspose2d(2, 3, 3, 2, 1, 1, 1, 1, False, key=KEY)
    assert (conv.num_spatial_dims, conv.stride, conv.output_padding) == (2, (2, 2), (1, 1))
    assert conv.padding == ((1, 1), (1, 1)) and conv.bias is None
    pool = nn.MaxPool3d(2, 1, 1, True)
    assert (pool.num_spatial_dims, pool.padding, pool.use_ceil) == (3, ((1, 1),) * 3, True)
    assert nn.AdaptiveAvgPool2d(3).target_shape == (3, 3)


# --- LayerNorm -----------------------------------------------------------------


def test_layer_norm_matches_equinox_and_hand_computation() -> None:
    norm = nn.LayerNorm((2, 3))
    x = jax.random.normal(KEY, (2, 3)) * 3 + 1
    out = norm(x)
    assert jnp.allclose(out.mean(), 0.0, atol=1e-5) and jnp.allclose(out.std(), 1.0, atol=1e-3)
    assert jnp.allclose(out, eqx.nn.LayerNorm((2, 3))(x), atol=1e-6)
    assert norm(x, "state")[1] == "state"
    bare = nn.LayerNorm(3, use_weight=False, use_bias=False)
    assert bare.weight is None and jax.tree_util.tree_leaves(bare) == []
    assert nn.LayerNorm(3)(jnp.ones(3, dtype=jnp.bfloat16)).dtype == jnp.bfloat16


def test_layer_norm_bad_inputs() -> None:
    with pytest.raises(
        ValueError,
        match=r"LayerNorm\(shape=\(3,\)\) was called on an input of shape \(2, 3\).*jax.vmap",
    ):
        nn.LayerNorm(3)(jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="shape must be an int or a sequence of ints"):
        nn.LayerNorm("3")  # type: ignore[arg-type]


# --- Dropout -------------------------------------------------------------------


def test_dropout_training_and_inference() -> None:
    dropout = nn.Dropout(0.25)
    x = jnp.ones(4000)
    out = dropout(x, key=KEY)
    kept = out != 0
    assert 0.7 < float(kept.mean()) < 0.8
    assert jnp.allclose(out[kept], 1 / 0.75)
    assert dropout(x, inference=True) is x
    assert nn.Dropout(0.5, inference=True)(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert jnp.allclose(nn.Dropout(1.0)(x, key=KEY), 0.0)
    switched = equimod.tree_at(lambda d: d.inference, dropout, True)
    assert switched(x) is x


def test_dropout_bad_inputs() -> None:
    with pytest.raises(RuntimeError, match=r"Dropout needs a key.*inference=True"):
        nn.Dropout(0.5)(jnp.ones(2))
    for p in (-0.1, 1.5, "half"):
        with pytest.raises(ValueError, match=r"Dropout: p must be a probability in \[0, 1\]"):
            nn.Dropout(p)  # type: ignore[arg-type]


# --- Embedding -----------------------------------------------------------------


def test_embedding_lookup_and_given_weight() -> None:
    table = nn.Embedding(10, 4, key=KEY)
    assert table.weight.shape == (10, 4)
    assert jnp.allclose(table(jnp.array(3)), table.weight[3])
    assert jax.vmap(table)(jnp.arange(5)).shape == (5, 4)
    weight = jnp.arange(6.0).reshape(3, 2)
    given = nn.Embedding(weight=weight)
    assert (given.num_embeddings, given.embedding_size) == (3, 2)
    assert given(2).tolist() == [4.0, 5.0]
    ours = nn.Embedding(5, 3, key=KEY)
    assert jnp.allclose(ours(jnp.array(1)), eqx.nn.Embedding(weight=ours.weight)(jnp.array(1)))


def test_embedding_bad_inputs() -> None:
    with pytest.raises(
        ValueError, match=r"Embedding needs either num_embeddings=\.\.\., embedding_size"
    ):
        nn.Embedding(10, 4)
    with pytest.raises(ValueError, match=r"num_embeddings must be a non-negative int, got -1"):
        nn.Embedding(-1, 4, key=KEY)
    with pytest.raises(
        ValueError, match=r"weight must have shape \(num_embeddings, embedding_size\), got \(3,\)"
    ):
        nn.Embedding(weight=jnp.ones(3))
    with pytest.raises(ValueError, match=r"weight must have shape"):
        nn.Embedding(4, 2, weight=jnp.ones((3, 2)))
    with pytest.raises(ValueError, match=r"Embedding expects a scalar integer index"):
        nn.Embedding(3, 2, key=KEY)(jnp.array([0, 1]))
    with pytest.raises(ValueError, match=r"scalar integer index"):
        nn.Embedding(3, 2, key=KEY)(1.0)


def test_every_layer_passes_through_filter_jit() -> None:
    layers: list[tuple[equimod.Module, jax.Array]] = [
        (nn.MLP(2, 2, 3, 2, key=KEY), jnp.ones(2)),
        (nn.Sequential([nn.Linear(2, 2, key=KEY), nn.Lambda(jnp.tanh)]), jnp.ones(2)),
        (nn.Conv1d(2, 2, 1, key=KEY), jnp.ones((2, 3))),
        (nn.LayerNorm(2), jnp.ones(2)),
        (nn.Dropout(inference=True), jnp.ones(2)),
        (nn.Embedding(3, 2, key=KEY), jnp.array(1)),
        (nn.Identity(), jnp.ones(2)),
    ]
    call = equimod.filter_jit(lambda layer, x: layer(x))
    for layer, x in layers:
        assert jnp.allclose(call(layer, x), layer(x))  # type: ignore[operator]


def test_mlp_scan_stacks_the_hidden_layers_and_matches_equinox() -> None:
    looped = nn.MLP(3, 2, width_size=5, depth=4, key=KEY)
    scanned = nn.MLP(3, 2, width_size=5, depth=4, scan=True, key=KEY)
    first, stacked, last = scanned.layers
    # The same parameters as without scan, the three middle layers stacked.
    assert stacked.weight.shape == (3, 5, 5)
    assert jnp.array_equal(stacked.weight, jnp.stack([la.weight for la in looped.layers[1:4]]))
    assert jnp.array_equal(first.weight, looped.layers[0].weight)
    assert jnp.array_equal(last.weight, looped.layers[-1].weight)
    x = jnp.arange(3.0)
    assert jnp.allclose(scanned(x), looped(x), atol=1e-6)
    theirs = copy_params(scanned, eqx.nn.MLP(3, 2, 5, 4, scan=True, key=KEY))
    assert jnp.allclose(scanned(x), theirs(x), atol=1e-6)  # type: ignore[operator]
    grads = equimod.filter_grad(lambda m: m(x).sum())(scanned)
    assert grads.layers[1].weight.shape == (3, 5, 5)
    # depth 1 has no hidden layer to scan over; depth 0 is one Linear.
    for depth in (0, 1):
        short = nn.MLP(3, 2, width_size=5, depth=depth, scan=True, key=KEY)
        assert short(x).shape == (2,)
