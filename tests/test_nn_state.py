"""Layer state: State and StateIndex semantics, make_with_state, Sequential threading,
inference_mode, BatchNorm under transforms, Shared, and the errors of the new layers."""

from __future__ import annotations

import io
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import equimod
from equimod import nn

KEY = jax.random.key(0)


class Counter(nn.StatefulLayer):
    """Adds its running count to the input and increments it."""

    index: nn.StateIndex[jax.Array]

    def __init__(self) -> None:
        self.index = nn.StateIndex(jnp.array(0.0))

    def __call__(
        self, x: jax.Array, state: nn.State, *, key: jax.Array | None = None
    ) -> tuple[jax.Array, nn.State]:
        count = state.get(self.index)
        return x + count, state.set(self.index, count + 1)


def _model() -> nn.Sequential:
    return nn.Sequential([Counter(), nn.Lambda(lambda x: 2 * x), Counter()])


def test_state_threads_through_sequential_and_jit() -> None:
    model, state = nn.make_with_state(_model)()
    assert model.is_stateful()
    step = equimod.filter_jit(lambda m, x, s: m(x, s))
    x = jnp.zeros(2)
    for expected in (0.0, 3.0, 6.0):
        y, state = step(model, x, state)
        assert np.allclose(y, expected)
    assert [float(v) for v in jax.tree_util.tree_leaves(state)] == [3.0, 3.0]
    with pytest.raises(
        ValueError, match=r"layer Counter is stateful.*y, state = model\(x, state\)"
    ):
        model(x)
    plain = nn.Sequential([nn.Lambda(jnp.negative)])
    assert not plain.is_stateful() and np.allclose(plain(jnp.ones(1)), -1)
    assert plain(jnp.ones(1), state)[1] is state


def test_make_with_state_names_indices_by_path_so_calls_fit_each_other() -> None:
    model_a, state_a = nn.make_with_state(_model)()
    model_b, state_b = nn.make_with_state(_model)()
    assert jax.tree_util.tree_structure(model_a) == jax.tree_util.tree_structure(model_b)
    assert list(state_a) == ["Sequential.layers[0].index", "Sequential.layers[2].index"]
    # The state of one call works with the model of the other, e.g. from a checkpoint.
    y, _ = model_a(jnp.zeros(1), state_b)
    assert np.allclose(y, 0.0)
    # The initial values now live only in the State.
    assert "deleted" in repr(model_a.layers[0].index.init)
    with pytest.raises(ValueError, match=r"initial value of the state at .* was deleted"):
        nn.State(model_a)
    assert jax.tree_util.tree_leaves(nn.delete_init_state(Counter())) == []


def test_state_serialises_and_flattens_with_its_names() -> None:
    model, state = nn.make_with_state(_model)()
    _, state = model(jnp.zeros(1), state)
    buffer = io.BytesIO()
    equimod.tree_serialise_leaves(buffer, (model, state))
    buffer.seek(0)
    fresh_model, fresh_state = nn.make_with_state(_model)()
    _, loaded = equimod.tree_deserialise_leaves(buffer, (fresh_model, fresh_state))
    assert [float(v) for v in jax.tree_util.tree_leaves(loaded)] == [1.0, 1.0]
    paths = [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_flatten_with_path(loaded)[0]]
    assert paths == ["['Sequential.layers[0].index']", "['Sequential.layers[2].index']"]
    assert "Sequential.layers[0].index" in repr(loaded)


def test_state_methods_and_their_errors() -> None:
    layer, state = nn.make_with_state(Counter)()
    new = state.set(layer.index, jnp.array(5.0))
    assert float(new.get(layer.index)) == 5.0
    with pytest.raises(ValueError, match=r"This State was superseded.*state = state.set"):
        state.get(layer.index)
    assert repr(state) == "State(<superseded>)"
    with pytest.raises(ValueError, match=r"must have the structure, shapes and dtypes"):
        new.set(layer.index, jnp.zeros(3))
    with pytest.raises(ValueError, match=r"the key must be an equimod.nn.StateIndex"):
        new.get("index")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"has no entry for .*made for another model"):
        new.get(nn.StateIndex(jnp.zeros(())))
    sub = new.substate(layer)
    sub = sub.set(layer.index, jnp.array(7.0))
    merged = new.update(sub)
    assert float(merged.get(layer.index)) == 7.0
    with pytest.raises(ValueError, match=r"State.update takes a State"):
        merged.update({})  # type: ignore[arg-type]
    _, other = nn.make_with_state(_model)()
    with pytest.raises(ValueError, match=r"lacks; pass a substate of this State"):
        merged.update(other)
    with pytest.raises(ValueError, match=r"not a function that makes it"):
        nn.StateIndex(lambda: jnp.zeros(3))


def test_stateful_layer_without_call_cannot_be_instantiated() -> None:
    class NoCall(nn.StatefulLayer):
        pass

    with pytest.raises(TypeError, match=r"NoCall .*__call__"):
        NoCall()


def test_inference_mode_switches_every_flag_and_back() -> None:
    model = nn.Sequential([nn.Dropout(0.5), nn.Sequential([nn.Dropout(0.2)])])
    frozen = nn.inference_mode(model)
    assert [layer.inference for layer in (frozen.layers[0], frozen.layers[1].layers[0])] == [
        True,
        True,
    ]
    x = jnp.ones(4)
    assert np.allclose(frozen(x), x)
    back = nn.inference_mode(frozen, value=False)
    assert not back.layers[0].inference and not back.layers[1].layers[0].inference
    assert nn.inference_mode(nn.Linear(2, 2, key=KEY)) is not None


def test_batch_norm_under_filter_vmap_and_its_errors() -> None:
    bn, state = nn.make_with_state(nn.BatchNorm)(3, "batch", mode="batch")
    x = jax.random.normal(KEY, (8, 3)) * 2 + 1
    vmapped = equimod.filter_vmap(
        bn, in_axes=(equimod.if_array(0), None), out_axes=(0, None), axis_name="batch"
    )
    y, state = vmapped(x, state)
    assert np.allclose(y.mean(axis=0), 0, atol=1e-5)
    assert np.allclose(y.std(axis=0), 1, atol=1e-2)
    assert int(state.get(bn.batch_counter)) == 1  # type: ignore[arg-type]
    with pytest.raises(
        ValueError, match=r"must run under a vmap over the batch.*axis_name='batch'"
    ):
        bn(x[0], state)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(input_size, \*spatial\)"):
        vmapped(jnp.ones((8, 2)), state)
    with pytest.raises(ValueError, match=r"mode must be 'ema' or 'batch'"):
        nn.BatchNorm(3, "batch", mode="fast")  # type: ignore[arg-type]
    with pytest.warns(UserWarning, match=r"no mode given, so mode='ema'"):
        nn.BatchNorm(3, "batch")


def test_shared_ties_weights_and_sums_their_gradients() -> None:
    embedding = nn.Embedding(5, 3, key=KEY)
    linear = nn.Linear(3, 5, use_bias=False, key=jax.random.key(1))
    shared = nn.Shared((embedding, linear), lambda p: p[1].weight, lambda p: p[0].weight)
    embedding_, linear_ = shared()
    assert linear_.weight is embedding_.weight
    assert len([x for x in jax.tree_util.tree_leaves(shared) if equimod.is_array(x)]) == 1

    def loss(s: nn.Shared) -> jax.Array:
        e, lin = s()
        return jnp.sum(lin(e(jnp.array(2))))

    grad = equimod.filter_grad(loss)(shared).pytree[0].weight
    w = embedding.weight
    # d/dW of sum(W @ W[2]): every row gets W[2], and row 2 also gets the column sums.
    expected = jnp.broadcast_to(w[2], w.shape).at[2].add(w.sum(axis=0))
    assert np.allclose(grad, expected, atol=1e-6)
    with pytest.raises(ValueError, match=r"must have the same structure, shapes and dtypes"):
        nn.Shared((embedding, linear), lambda p: p[1].weight, lambda p: p[0].weight[0])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.ConvTranspose1d(2, 2, 3, stride=2, output_padding=2, key=KEY), r"output_padding \(2,\) must be smaller than stride \(2,\)"),
        (lambda: nn.ConvTranspose1d(2, 2, 3, padding_mode="REFLECT", key=KEY), r"padding_mode='REFLECT' is not supported"),
        (lambda: nn.ConvTranspose1d(2, 2, 3, padding=1, padding_mode="CIRCULAR", key=KEY), r"'CIRCULAR' with padding='SAME'"),
        (lambda: nn.ConvTranspose2d(2, 3, 3, groups=2, key=KEY), r"must both be divisible by groups"),
        (lambda: nn.ConvTranspose1d(2, 2, 3, output_padding=-1, key=KEY), r"output_padding must be an int >= 0"),
        (lambda: nn.MaxPool1d(2, padding=3), r"none larger than the kernel size \(2,\)"),
        (lambda: nn.AvgPool2d((2, 2), padding=(1, 2, 3)), r"padding must be an int, a sequence of 2 ints"),
        (lambda: nn.AdaptiveAvgPool2d((2, 0)), r"target_shape must be an int >= 1 or a sequence of 2 such ints"),
        (lambda: nn.Pool(0, "add", 1, 2), r"operation must be callable"),  # type: ignore[arg-type]
        (lambda: nn.RotaryPositionalEmbedding(3), r"embedding_size must be a non-negative even int"),
        (lambda: nn.WeightNorm(nn.Linear(2, 2, key=KEY), "kernel"), r"has no array attribute 'kernel'"),
        (lambda: nn.WeightNorm(nn.Linear(2, 2, key=KEY), axis=2), r"axis=2 is not an axis of Linear.weight"),
        (lambda: nn.SpectralNorm(nn.Linear(2, 2, key=KEY), "bias", key=KEY), r"Linear.bias has shape \(2,\).*at least two dimensions"),
        (lambda: nn.GRUCell(0, 2, key=KEY), r"GRUCell: input_size must be a positive int"),
        (lambda: nn.MultiheadAttention(0, 4, key=KEY), r"num_heads must be a positive int"),
    ],
)  # fmt: skip
def test_constructor_errors_say_what_to_do(make: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_call_errors_say_what_to_do() -> None:
    with pytest.raises(
        ValueError, match=r"ConvTranspose1d \(1 spatial dimensions\) expects an input of rank 2"
    ):
        nn.ConvTranspose1d(2, 2, 3, key=KEY)(jnp.ones((1, 2, 4)))
    with pytest.raises(ValueError, match=r"MaxPool2d pools 2 spatial dimension\(s\).*jax.vmap"):
        nn.MaxPool2d(2)(jnp.ones((3, 3)))
    with pytest.raises(ValueError, match=r"last window would lie wholly in the padding"):
        nn.MaxPool1d(1, 3, use_ceil=True)(jnp.ones((1, 5)))
    with pytest.raises(ValueError, match=r"every spatial size must be at least the target size"):
        nn.AdaptiveMaxPool1d(4)(jnp.ones((1, 3)))
    attention = nn.MultiheadAttention(2, 4, key=KEY)
    q = jnp.ones((3, 4))
    with pytest.raises(
        ValueError, match=r"mask must have shape \(query_seq_length, kv_seq_length\) = \(3, 2\)"
    ):
        attention(q, q[:2], q[:2], mask=jnp.ones((2, 3), bool))
    with pytest.raises(ValueError, match=r"key_ and value must be sequences of the same length"):
        attention(q, q[:2], q)
    with pytest.raises(
        ValueError, match=r"query must have shape \(seq_length, query_size\) = \(_, 4\)"
    ):
        attention(jnp.ones(4), q, q)
    with pytest.raises(ValueError, match=r"process_heads must return the heads with the shapes"):
        attention(q, q, q, process_heads=lambda a, b, c: (a[:1], b, c))
    with pytest.warns(DeprecationWarning, match=r"deterministic=...\) is deprecated"):
        attention(q, q, q, deterministic=True)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(seq_length, 4\)"):
        nn.RotaryPositionalEmbedding(4)(jnp.ones((3, 2)))


def test_integer_max_pool_and_rope_precompute() -> None:
    x = jnp.arange(6, dtype=jnp.int32).reshape(1, 6)
    assert nn.MaxPool1d(2, 2, padding=1)(x).tolist() == [[0, 2, 4, 5]]
    cos, sin = nn.RotaryPositionalEmbedding.precompute_freqs_cis(4, 3, 10_000.0, jnp.float32)
    assert cos.shape == sin.shape == (3, 2)
    assert np.allclose(cos[1], np.cos(1.0 / 10_000.0 ** (np.arange(0, 4, 2) / 4)))
    # theta counts: two embeddings differing only in theta rotate differently.
    x = jnp.ones((3, 4))
    assert not np.allclose(
        nn.RotaryPositionalEmbedding(4)(x), nn.RotaryPositionalEmbedding(4, theta=10.0)(x)
    )


def test_pool_padding_given_as_pairs_pads_each_side_as_asked() -> None:
    x = jnp.arange(6, dtype=jnp.int32).reshape(1, 6)
    # (1, 0): one step of padding before, none after; one int per dimension means both.
    assert nn.MaxPool1d(2, 2, padding=((1, 0),))(x).tolist() == [[0, 2, 4]]
    assert nn.MaxPool1d(2, 2, padding=((0, 1),))(x).tolist() == [[1, 3, 5]]
    assert nn.MaxPool1d(2, 2, padding=(1,))(x).tolist() == [[0, 2, 4, 5]]
    with pytest.raises(ValueError, match=r"none larger than the kernel size \(2,\)"):
        nn.MaxPool1d(2, padding=((0, 3),))
