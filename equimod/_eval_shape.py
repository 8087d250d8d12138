"""`filter_eval_shape`: `jax.eval_shape` for functions of any pytree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from ._filters import combine, is_array, is_shaped, partition
from ._module._wrappers import require_callable
from ._static import Static


# Arrays in the output become jax.ShapeDtypeStructs, so the result is not of the
# function's return type; and the arguments may be ShapeDtypeStructs standing in
# for arrays, so they are not checked against its parameters.
def filter_eval_shape(fun: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Evaluate the shape of `fun(*args, **kwargs)` without running it.

    Like `jax.eval_shape`, but `fun`, its arguments and its output may be any
    pytree.

    Args:
        fun: The function to evaluate (it may be a Module).
        *args: Its positional arguments: arrays and `jax.ShapeDtypeStruct`s are
            abstract, every other leaf is passed as it is.
        **kwargs: Its keyword arguments, as `args`.

    Returns:
        The output, with each array replaced by a `jax.ShapeDtypeStruct` and every
        other leaf as `fun` returned it.
    """
    require_callable(fun, "filter_eval_shape", "evaluate")
    dynamic, static = partition((fun, args, kwargs), is_shaped)

    def run(dynamic: Any) -> tuple[Any, Static]:
        call_fun, call_args, call_kwargs = combine(dynamic, static)
        out = call_fun(*call_args, **call_kwargs)
        out_dynamic, out_static = partition(out, is_array)
        return out_dynamic, Static(out_static)

    out_dynamic, out_static = jax.eval_shape(run, dynamic)
    return combine(out_dynamic, out_static.value)
