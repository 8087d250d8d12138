"""`backward_nan`: find where a NaN enters the backward pass."""

from __future__ import annotations

from typing import Any, TypeVar

import jax
import jax.numpy as jnp
import jax.tree_util as jtu

from .._custom_ad import filter_custom_vjp
from .._errors import error_if
from .._filters import is_inexact_array
from .._module import Module
from .._pretty_print import tree_pformat

_T = TypeVar("_T")

_MSG_NAN = "backward_nan{name}: a cotangent has a NaN."


def backward_nan(x: _T, name: str | None = None, terminate: bool = True) -> _T:
    """Return `x` unchanged; in the backward pass, print it and its cotangent, and
    check the cotangent for NaNs.

    As in Equinox, the backward pass prints `name:` (when a name is given), then
    `   primals=...` and `cotangents=...`, with every array's values.

    Args:
        x: Any pytree; the cotangents of its inexact arrays are checked.
        name: A header for what is printed, and part of the error's message.
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


class _FullRepr(Module):
    """Prints a pytree with its arrays' values. A Module, so that `jax.debug.print`
    formats it with the values the arrays have when it runs."""

    tree: Any

    def __format__(self, spec: str) -> str:
        return tree_pformat(self.tree, short_arrays=False)


def _has_nan(tree: Any) -> Any:
    leaves = [jnp.any(jnp.isnan(x)) for x in jtu.tree_leaves(tree) if is_inexact_array(x)]
    return jnp.any(jnp.stack(leaves)) if leaves else jnp.array(False)


@_identity.def_bwd
def _backward(
    residuals: None, grad_obj: Any, perturbed: Any, x: Any, name: str | None, terminate: bool
) -> Any:
    label = "" if name is None else f" ({name})"
    nan = _has_nan(grad_obj)
    header = "" if name is None else f"{name}:\n"
    jax.debug.print(
        header + "   primals={x}\ncotangents={g}",
        x=_FullRepr(x),
        g=_FullRepr(grad_obj),
    )
    if terminate:
        grad_obj = error_if(grad_obj, nan, _MSG_NAN.format(name=label))
    return grad_obj
