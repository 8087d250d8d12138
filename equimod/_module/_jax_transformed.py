"""The warning for a field given a callable that a JAX transform made from a Module.

`jax.vmap(layer)` is a function, not a pytree: stored in a field, the layer's
arrays are hidden inside it, so JAX sees no leaves there and they are never
trained. Equimod's `filter_*` transforms return Modules, which do not have
this problem.
"""

from __future__ import annotations

import os
import sys
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


_MSG_TRANSFORMED_GIVEN_TO_A_TRANSFORM = (
    "{transform} was given a JAX-transformed callable (such as jax.vmap(layer)) that "
    "wraps a pytree holding arrays: they are hidden inside the callable, so {transform} "
    "sees no leaves there; they are neither traced nor differentiated, and training "
    "never updates them. Give it an equimod transform of the layer instead "
    "(equimod.filter_vmap(layer)), a Module whose arrays stay leaves."
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
    something holding arrays (a Module, usually).

    The warning names the nearest line outside equimod: the user's `self.f = value`,
    their call of a generated `__init__`, or their call of an equimod transform.
    """
    if type(value) not in TRANSFORMED_TYPES:
        return
    wrapped = value
    while (wrapped := getattr(wrapped, "__wrapped__", None)) is not None:
        if any(is_array_like(leaf) for leaf in jtu.tree_leaves(wrapped)):
            warnings.warn(_message(cls, name), stacklevel=_nearest_level_outside_equimod())
            return


def warn_if_fields_jax_transformed(cls: type, names: tuple[str, ...], self: Any) -> None:
    """`warn_if_jax_transformed` for each of `names` once a generated `__init__`,
    which assigns without `__setattr__`, has set them; called by the class's call."""
    for name in names:
        value = getattr(self, name, None)
        if type(value) in TRANSFORMED_TYPES:
            warn_if_jax_transformed(cls, name, value)


# equimod's own folder, with a trailing separator (so `equimod_mypy` is not in it).
_EQUIMOD_FOLDER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "")


def _nearest_level_outside_equimod() -> int:
    """The `stacklevel` of the nearest frame, counted from the caller, outside equimod."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_EQUIMOD_FOLDER):
        level += 1
        frame = frame.f_back  # type: ignore[assignment]
    return level


def _message(cls: type, name: str) -> str:
    # An equimod transform's wrapper stores the callable it was given as `fun`:
    # the user called the transform, so the warning names it, not the wrapper class.
    transform = getattr(cls, "transform_name", None)
    if transform is not None and name == "fun":
        return _MSG_TRANSFORMED_GIVEN_TO_A_TRANSFORM.format(transform=transform)
    return _MSG_TRANSFORMED.format(cls=cls.__qualname__, name=name)
