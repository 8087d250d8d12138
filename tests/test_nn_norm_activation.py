"""RMSNorm, GroupNorm and PReLU against Equinox: forward, gradient, dtypes, bad inputs."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import equimod
from equimod import nn

X = jax.random.normal(jax.random.key(1), (4, 3, 2))


def _loss(layer: Any, x: jax.Array) -> jax.Array:
    return jnp.sum(jnp.sin(layer(x)))


def _arrays(tree: Any) -> list[Any]:
    return [leaf for leaf in jax.tree_util.tree_leaves(tree) if equimod.is_array(leaf)]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: nn.RMSNorm((4, 3, 2)), lambda: eqx.nn.RMSNorm((4, 3, 2))),
        (
            lambda: nn.RMSNorm((4, 3, 2), use_bias=False),
            lambda: eqx.nn.RMSNorm((4, 3, 2), use_bias=False),
        ),
        (lambda: nn.GroupNorm(2, 4), lambda: eqx.nn.GroupNorm(2, 4)),
        (
            lambda: nn.GroupNorm(4, channelwise_affine=False),
            lambda: eqx.nn.GroupNorm(4, channelwise_affine=False),
        ),
        (lambda: nn.PReLU(), lambda: eqx.nn.PReLU()),
        (lambda: nn.PReLU(jnp.full((2,), 0.1)), lambda: eqx.nn.PReLU(jnp.full((2,), 0.1))),
    ],
)
def test_forward_and_gradient_match_equinox(ours: Any, theirs: Any) -> None:
    layer, oracle = ours(), theirs()
    assert np.allclose(layer(X), oracle(X), atol=1e-6)
    ours_grads = _arrays(equimod.filter_grad(_loss)(layer, X))
    their_grads = _arrays(eqx.filter_grad(_loss)(oracle, X))
    assert len(ours_grads) == len(their_grads)
    for g, e in zip(ours_grads, their_grads, strict=True):
        assert np.allclose(g, e, atol=1e-5)
    input_grad = jax.grad(lambda x: _loss(layer, x))(X)
    assert np.allclose(input_grad, jax.grad(lambda x: _loss(oracle, x))(X), atol=1e-5)


def test_normalisation_keeps_the_input_dtype_and_passes_state_through() -> None:
    half = X.astype(jnp.bfloat16)
    assert nn.RMSNorm((4, 3, 2))(half).dtype == jnp.bfloat16
    assert nn.GroupNorm(2, 4)(half).dtype == jnp.bfloat16
    state = object()
    out, same = nn.GroupNorm(2, 4)(X, state)
    assert same is state and out.shape == X.shape
    assert nn.RMSNorm((4, 3, 2))(X, state)[1] is state


def test_bad_inputs_say_what_to_do() -> None:
    with pytest.raises(
        ValueError,
        match=r"RMSNorm\(shape=\(3,\)\) was called on an input of shape \(2, 3\).*jax.vmap",
    ):
        nn.RMSNorm(3)(jnp.ones((2, 3)))
    with pytest.raises(ValueError, match=r"RMSNorm: shape must be an int or a sequence of ints"):
        nn.RMSNorm("3")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"GroupNorm\(groups=3, channels=4\): groups must divide"):
        nn.GroupNorm(3, 4)
    with pytest.raises(
        ValueError, match=r"groups must divide the number of channels of the input, which has 5"
    ):
        nn.GroupNorm(2, channelwise_affine=False)(jnp.ones((5, 2)))
    with pytest.raises(ValueError, match=r"channelwise_affine=True\) needs `channels`"):
        nn.GroupNorm(2)
    # With a weight and bias of 4 channels, an input of 6 (which 2 groups divide) or
    # 3 is the wrong input, rather than a failed broadcast or a divisibility error.
    for channels in (6, 3):
        with pytest.raises(
            ValueError,
            match=rf"^GroupNorm\(channels=4\) was called on an input with {channels} channels"
            r" \(its first axis\); its weight and bias have 4\. For a batch, use jax\.vmap",
        ):
            nn.GroupNorm(2, 4)(jnp.ones((channels, 5)))
    # Without them, `channels` is only what the layer was told, as in Equinox.
    assert nn.GroupNorm(2, 4, channelwise_affine=False)(jnp.ones((6, 5))).shape == (6, 5)


def test_prelu_slope_is_a_trained_parameter() -> None:
    layer = nn.PReLU()
    assert layer.negative_slope.shape == () and float(layer.negative_slope) == 0.25
    assert nn.PReLU(None).negative_slope.tolist() == 0.25
    grads = equimod.filter_grad(lambda m, x: jnp.sum(m(x)))(layer, -jnp.ones(3))
    assert float(grads.negative_slope) == -3.0
