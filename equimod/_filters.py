"""Predicates on pytree leaves, and splitting a pytree by them."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np


def is_array(element: Any) -> bool:
    """True for a JAX or NumPy array (not a Python scalar)."""
    return isinstance(element, (np.ndarray, np.generic, jax.Array))


def is_array_like(element: Any) -> bool:
    """True for an array or a Python/NumPy scalar: anything JAX can trace."""
    return isinstance(
        element, (jax.Array, np.ndarray, np.generic, float, complex, bool, int)
    ) or hasattr(element, "__jax_array__")


def is_inexact_array(element: Any) -> bool:
    """True for a floating-point or complex array: what gradients are taken with respect to."""
    if isinstance(element, (np.ndarray, np.generic)):
        return bool(np.issubdtype(element.dtype, np.inexact))
    if isinstance(element, jax.Array):
        return bool(jax.numpy.issubdtype(element.dtype, jax.numpy.inexact))
    return False


def is_inexact_array_like(element: Any) -> bool:
    """True for an inexact array or a Python float/complex."""
    if hasattr(element, "__jax_array__"):
        element = element.__jax_array__()
    return isinstance(element, (float, complex)) or is_inexact_array(element)
