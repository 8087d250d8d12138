"""`breakpoint_if`: a debugger breakpoint inside traced code, on a condition."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp


def breakpoint_if(pred: Any, **kwargs: Any) -> None:
    """Open `jax.debug.breakpoint` when `pred` has any true element.

    Works under `jit` and `vmap`: the breakpoint opens when the compiled code runs,
    with the values of that moment.

    Args:
        pred: A bool or an array of bools.
        **kwargs: Passed to `jax.debug.breakpoint` (`backend`, `num_frames`, ...).
    """

    def stop() -> None:
        jax.debug.breakpoint(**kwargs)

    jax.lax.cond(jnp.any(jnp.asarray(pred)), stop, lambda: None)
