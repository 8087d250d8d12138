"""`backward_nan`: find where a NaN enters the backward pass."""

from __future__ import annotations

from typing import Any, TypeVar

import jax
import jax.numpy as jnp
import jax.tree_util as jtu

from .._custom_ad import filter_custom_vjp
from .._errors import error_if
from .._filters import is_inexact_array

_T = TypeVar("_T")

_MSG_NAN = "backward_nan{name}: a cotangent has a NaN."


def backward_nan(x: _T, name: str | None = None, terminate: bool = True) -> _T:
    """Return `x` unchanged; in the backward pass, print and check its cotangent for NaNs.

    Args:
        x: Any pytree; the cotangents of its inexact arrays are checked.
        name: A prefix for what is printed.
        terminate: Raise when a NaN is found, as `error_if` does (so
            `EQUIMOD_ON_ERROR` applies); else only print.

    Returns:
        `x`, unchanged.

    Raises:
        EquimodRuntimeError: In the backward pass, if a cotangent holds a NaN and
            `terminate` is true.
    """
    return _identity(x, name, terminate)  # type: ignore[no-any-return]


@filter_custom_vjp
def _identity(x: Any, name: str | None, terminate: bool) -> Any:
    return x


@_identity.def_fwd
def _forward(perturbed: Any, x: Any, name: str | None, terminate: bool) -> tuple[Any, None]:
    return x, None


def _has_nan(tree: Any) -> Any:
    leaves = [jnp.any(jnp.isnan(x)) for x in jtu.tree_leaves(tree) if is_inexact_array(x)]
    return jnp.any(jnp.stack(leaves)) if leaves else jnp.array(False)


@_identity.def_bwd
def _backward(
    residuals: None, grad_obj: Any, perturbed: Any, x: Any, name: str | None, terminate: bool
) -> Any:
    label = "" if name is None else f" ({name})"
    nan = _has_nan(grad_obj)

    def report() -> None:
        jax.debug.print(
            "backward_nan{label}: primal {x}, cotangent {g}", label=label, x=x, g=grad_obj
        )

    jax.lax.cond(nan, report, lambda: None)
    if terminate:
        grad_obj = error_if(grad_obj, nan, _MSG_NAN.format(name=label))
    return grad_obj
