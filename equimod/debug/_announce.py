"""`announce_transform`: print each JAX transform applied to a value."""

# JAX's primitive-extension API is untyped in some releases and typed in others.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import jax.extend.core
import jax.interpreters.ad as ad
import jax.interpreters.batching as batching
import jax.interpreters.mlir as mlir
import jax.tree_util as jtu

from .._filters import combine, is_array, partition

_T = TypeVar("_T")

# An identity primitive whose every rule announces itself, then passes the
# values through; `stack` is the chain of transforms that led to the rule.
_announce_p = jax.extend.core.Primitive("equimod_announce_transform")
_announce_p.multiple_results = True


def _say(params: dict[str, Any], *stages: str) -> None:
    params["announce"](params["name"] + ":".join((*params["stack"], *stages)))


def _impl(*x: Any, **params: Any) -> list[Any]:
    _say(params, "impl")
    return list(x)


def _abstract(*x: Any, **params: Any) -> list[Any]:
    _say(params, "abstract")
    return list(x)


def _with(params: dict[str, Any], stage: str) -> dict[str, Any]:
    if params["intermediates"]:
        _say(params, stage)
    return {**params, "stack": (*params["stack"], stage)}


def _jvp(primals: Any, tangents: Any, **params: Any) -> tuple[Any, Any]:
    params = _with(params, "jvp")
    tangents = [ad.instantiate_zeros(t) for t in tangents]
    return _announce_p.bind(*primals, **params), _announce_p.bind(*tangents, **params)


def _transpose(cotangents: Any, *primals: Any, **params: Any) -> list[Any]:
    params = _with(params, "transpose")
    cotangents = [ad.instantiate_zeros(c) for c in cotangents]
    return list(_announce_p.bind(*cotangents, **params))


def _vmap(values: Any, dims: Any, **params: Any) -> tuple[Any, Any]:
    params = _with(params, "vmap")
    return _announce_p.bind(*values, **params), dims


def _lowering(context: Any, *values: Any, **params: Any) -> Any:
    _say(params, "mlir")
    return values


_announce_p.def_impl(_impl)
_announce_p.def_abstract_eval(_abstract)
ad.primitive_jvps[_announce_p] = _jvp
ad.primitive_transposes[_announce_p] = _transpose
batching.primitive_batchers[_announce_p] = _vmap
mlir.register_lowering(_announce_p, _lowering)


def announce_transform(
    x: _T,
    name: str | None = None,
    intermediates: bool = False,
    announce: Callable[[str], Any] = print,
) -> _T:
    """Return `x` unchanged, announcing each JAX transform applied to its arrays.

    Each time JAX evaluates, traces abstractly, differentiates (`jvp`,
    `transpose`), batches (`vmap`) or lowers (`mlir`) the arrays of `x`, the chain
    of transforms is announced, e.g. `vmap:abstract` for `jit(vmap(f))`. For
    one-off debugging: what is printed may change between JAX releases.

    Args:
        x: Any pytree; its arrays are watched.
        name: A prefix for the announcements, `(name) `.
        intermediates: Also announce transforms not yet finished.
        announce: Called with each announcement (default `print`).

    Returns:
        `x`, unchanged.
    """
    prefix = "" if name is None else f"({name}) "
    dynamic, static = partition(x, is_array)
    leaves, treedef = jtu.tree_flatten(dynamic)
    out = _announce_p.bind(
        *leaves, stack=(), name=prefix, intermediates=intermediates, announce=announce
    )
    return combine(jtu.tree_unflatten(treedef, out), static)  # type: ignore[no-any-return]
