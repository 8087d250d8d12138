"""`Dropout`."""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from .._module import Module
from ._defaults_and_checks import layer_name

_MSG_BAD_P = "{layer}: p must be a probability in [0, 1], got {p!r}."
_MSG_NO_KEY = (
    "{layer} needs a key when it is applied: call it as dropout(x, key=key), or pass "
    "inference=True (to the constructor or the call) to turn it off."
)


_MSG_DETERMINISTIC_INIT = (
    "{layer}(deterministic=...) is deprecated, as in Equinox: pass inference=... instead."
)
_MSG_DETERMINISTIC = (
    "{layer}(...)(deterministic=...) is deprecated, as in Equinox: pass inference=... instead."
)


class Dropout(Module):
    """Zeroes each element with probability `p` and scales the rest by `1 / (1 - p)`.

    As `equinox.nn.Dropout`: with `inference=True` it is the identity. `p` and
    `inference` are ordinary fields, so `equimod.tree_at` can change them.

    Args:
        p: The probability of zeroing an element, in `[0, 1]`.
        inference: Turn dropout off (the identity).
        deterministic: Deprecated (as in Equinox, which still takes it): use
            `inference`. It warns.

    Raises:
        ValueError: If `p` is not a probability.
    """

    p: float
    inference: bool

    def __init__(
        self, p: float = 0.5, inference: bool = False, *, deterministic: bool | None = None
    ) -> None:
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(_MSG_BAD_P.format(layer=layer_name(self), p=p))
        if deterministic is not None:
            warnings.warn(
                _MSG_DETERMINISTIC_INIT.format(layer=layer_name(self)),
                DeprecationWarning,
                stacklevel=2,
            )
            inference = deterministic
        self.p = p
        self.inference = inference

    # `Any`, not `bool`: `tree_at(lambda d: d.deterministic, ...)` reads it on a copy
    # holding markers, which a run-time type checker would refuse (the stubs say bool).
    @property
    def deterministic(self) -> Any:
        """Deprecated, as in Equinox: the `inference` field."""
        return self.inference

    def __call__(
        self,
        x: jax.Array,
        *,
        key: jax.Array | None = None,
        inference: bool | None = None,
        deterministic: bool | None = None,
    ) -> jax.Array:
        """Apply dropout to `x`.

        Args:
            x: Any array.
            key: A PRNG key; needed unless dropout is off.
            inference: Overrides the layer's `inference` flag for this call.
            deterministic: Deprecated (as in Equinox, which still takes it): use
                `inference`. It warns.

        Returns:
            `x` with elements zeroed and the rest rescaled, or `x` itself when off
            (or `p == 0`).

        Raises:
            RuntimeError: If dropout is on and no `key` is given.
        """
        if deterministic is not None:
            warnings.warn(
                _MSG_DETERMINISTIC.format(layer=layer_name(self)), DeprecationWarning, stacklevel=2
            )
            inference = deterministic
        if inference is None:
            inference = self.inference
        if isinstance(self.p, (int, float)) and self.p == 0:
            inference = True
        if inference:
            return x
        if key is None:
            raise RuntimeError(_MSG_NO_KEY.format(layer=layer_name(self)))
        keep = 1 - jax.lax.stop_gradient(self.p)
        mask = jax.random.bernoulli(key, keep, x.shape)
        return jnp.where(mask, x / keep, 0)
