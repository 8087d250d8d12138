"""`inference_mode`: switch every layer with an `inference` flag at once."""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

import jax.tree_util as jtu

from .._tree import tree_at

_T = TypeVar("_T")

_MSG_TREE_INFERENCE = (
    "tree_inference is Equinox's old name for nn.inference_mode: write "
    "equimod.nn.inference_mode(model, value)."
)


def _flagged_nodes(tree: Any) -> list[Any]:
    """Every node of `tree` with an `inference` attribute, outermost first."""
    found = [tree] if hasattr(tree, "inference") else []

    def is_flagged(node: Any) -> bool:
        return node is not tree and hasattr(node, "inference")

    for node in jtu.tree_leaves(tree, is_leaf=is_flagged):
        if is_flagged(node):
            found.extend(_flagged_nodes(node))
    return found


def inference_mode(pytree: _T, value: bool = True) -> _T:
    """`pytree` with the `inference` flag of every layer in it set to `value`.

    As `equinox.nn.inference_mode`: turns `Dropout` off and makes `BatchNorm` and
    `SpectralNorm` use their stored statistics.

    Args:
        pytree: A model, or any pytree holding layers.
        value: `True` for inference, `False` to switch back to training.

    Returns:
        A copy of `pytree` with the flags set.
    """
    # Flags replaced by flags: the tree keeps its type.
    flagged: _T = tree_at(
        lambda tree: [node.inference for node in _flagged_nodes(tree)],
        pytree,
        replace_fn=lambda _: value,
    )
    return flagged


def tree_inference(pytree: _T, value: bool = True) -> _T:
    """`nn.inference_mode` under Equinox's old name, so that ported code runs.

    Args:
        pytree: A model, or any pytree holding layers.
        value: `True` for inference, `False` to switch back to training.

    Returns:
        What `inference_mode(pytree, value)` returns.

    Warns:
        DeprecationWarning: Always: write `equimod.nn.inference_mode` instead.
    """
    warnings.warn(_MSG_TREE_INFERENCE, DeprecationWarning, stacklevel=2)
    return inference_mode(pytree, value)
