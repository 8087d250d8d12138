"""`filter_pure_callback`: `jax.pure_callback` for callbacks of any pytrees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import jax
import jax.tree_util as jtu
import numpy as np

from ._filters import combine, is_array, partition
from ._module._wrappers import require_callable
from ._static import static_equal
from ._transformed import callable_name

_MSG_RESULT_MISMATCH = (
    "filter_pure_callback({name}): the callback returned {got}, which does not match "
    "result_shape_dtypes ({expected}): it must return the same pytree, with an array "
    "of the declared shape and dtype for each jax.ShapeDtypeStruct and the same value "
    "for every other leaf."
)


def _is_struct(x: Any) -> bool:
    return isinstance(x, jax.ShapeDtypeStruct)


def filter_pure_callback(
    callback: Callable[..., Any],
    *args: Any,
    result_shape_dtypes: Any,
    sharding: Any = None,
    vmap_method: str | None = None,
    **kwargs: Any,
) -> Any:
    """Call a Python `callback(*args, **kwargs)` from traced code, like `jax.pure_callback`.

    Args:
        callback: The Python function to call; it must be pure (JAX may call it
            any number of times, or not at all if its result is unused).
        *args: Its positional arguments, any pytrees: arrays reach the callback as
            concrete arrays (NumPy or JAX ones, depending on the JAX release), every
            other leaf as it is.
        result_shape_dtypes: The output's pytree, with a `jax.ShapeDtypeStruct`
            for each array and the value itself for every other leaf.
        sharding: Passed to `jax.pure_callback`.
        vmap_method: Passed to `jax.pure_callback`: how a `vmap` of the call is
            evaluated.
        **kwargs: Its keyword arguments, as `args`.

    Returns:
        The callback's result: traced arrays where `result_shape_dtypes` has a
        `ShapeDtypeStruct`, the given values elsewhere.

    Raises:
        TypeError: If `callback` is not callable.
        ValueError: When the callback runs, if its result does not match
            `result_shape_dtypes`.
    """
    require_callable(callback, "filter_pure_callback", "call back")
    dynamic, static = partition((callback, args, kwargs), is_array)
    result_dynamic, result_static = partition(result_shape_dtypes, _is_struct)
    name = callable_name(callback)

    def run(dynamic: Any) -> Any:
        fun, call_args, call_kwargs = combine(dynamic, static)
        out = fun(*call_args, **call_kwargs)
        out_dynamic, out_static = partition(out, is_array)
        same_structure = cast(Any, jtu.tree_structure(out_dynamic)) == jtu.tree_structure(
            result_dynamic
        )
        if not same_structure or not static_equal(out_static, result_static):
            raise ValueError(
                _MSG_RESULT_MISMATCH.format(name=name, got=out, expected=result_shape_dtypes)
            )
        return jtu.tree_map(np.asarray, out_dynamic)

    options: dict[str, Any] = {"sharding": sharding}
    if vmap_method is not None:
        options["vmap_method"] = vmap_method
    out_dynamic = jax.pure_callback(run, result_dynamic, dynamic, **options)
    return combine(out_dynamic, result_static)
