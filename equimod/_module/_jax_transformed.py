"""The warning for a field given a callable that a JAX transform made from a Module.

`jax.vmap(layer)` is a function, not a pytree: stored in a field, the layer's
arrays are hidden inside it, so JAX sees no leaves there and they are never
trained. Equimod's `filter_*` transforms return Modules, which do not have
this problem.
"""

from __future__ import annotations

import warnings
from typing import Any, Final

import jax
import jax.tree_util as jtu
import numpy as np
from jaxtyping import AbstractArray

from .._filters import is_array_like

# What JAX's transforms return: functions (grad, vmap, checkpoint, ...),
# `jax.jit`'s compiled function, and the custom-derivative objects.
TRANSFORMED_TYPES: Final = frozenset(
    type(transform(lambda x: x))
    for transform in (jax.jit, jax.grad, jax.custom_jvp, jax.custom_vjp)
)

_MSG_TRANSFORMED = (
    "Possibly assigning a JAX-transformed callable as an attribute on {cls}.{name}: it "
    "wraps a pytree holding arrays, which are hidden inside the callable, so JAX sees "
    "no leaves there and they will never be updated by training. Store the layer itself "
    "and transform it where it is called (`jax.vmap(self.layer)(x)`), or use "
    "equimod.filter_vmap / filter_jit / filter_grad, which return Modules whose arrays "
    "stay leaves."
)


# Annotations that rule a JAX-transformed callable out (a mismatch would be the
# user's type error): their fields need no check at construction.
_NOT_CALLABLE_ANNOTATIONS: Final = frozenset(
    {jax.Array, np.ndarray, int, float, bool, complex, str, bytes}
)


def may_hold_transformed(annotation: Any) -> bool:
    """Whether a field of this annotation may be given a JAX-transformed callable."""
    ruled_out = isinstance(annotation, type) and (
        annotation in _NOT_CALLABLE_ANNOTATIONS or issubclass(annotation, AbstractArray)
    )
    return not ruled_out


def warn_if_jax_transformed(cls: type, name: str, value: Any) -> None:
    """Warn when `value`, assigned to field `name` of `cls`, is a JAX transform of
    something holding arrays (a Module, usually)."""
    if type(value) not in TRANSFORMED_TYPES:
        return
    wrapped = value
    while (wrapped := getattr(wrapped, "__wrapped__", None)) is not None:
        if any(is_array_like(leaf) for leaf in jtu.tree_leaves(wrapped)):
            warnings.warn(_MSG_TRANSFORMED.format(cls=cls.__qualname__, name=name), stacklevel=4)
            return
