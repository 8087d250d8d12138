"""`tree_pformat` and `tree_pprint`: readable pytrees, arrays shown as `f32[3,2]`.

Built on the Wadler-Lindig printer (`wadler_lindig`), which lays a document
out within a width, breaking the outermost groups first. Module `repr` uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import wadler_lindig as wl


def _never(_: Any) -> bool:
    return False


class _Customise:
    """How pytree pieces print, where they differ from `wadler_lindig`'s defaults."""

    __slots__ = ("short_arrays", "struct_as_array", "truncate_leaf")

    def __init__(
        self, truncate_leaf: Callable[[Any], bool], short_arrays: bool, struct_as_array: bool
    ) -> None:
        self.truncate_leaf = truncate_leaf
        self.short_arrays = short_arrays
        self.struct_as_array = struct_as_array

    def __call__(self, obj: Any) -> wl.AbstractDoc | None:
        if self.truncate_leaf(obj):
            return wl.TextDoc(f"{type(obj).__name__}(...)")
        summarised = isinstance(obj, jax.Array) or (
            self.struct_as_array and isinstance(obj, jax.ShapeDtypeStruct)
        )
        if self.short_arrays and summarised:
            dtype = obj.dtype.name
            if getattr(obj, "weak_type", False):
                dtype = f"weak_{dtype}"
            # No "(jax)" suffix: in a pytree, arrays are JAX arrays unless said otherwise.
            return wl.array_summary(obj.shape, dtype, kind=None)
        if isinstance(obj, _CUSTOM_DERIVATIVE_TYPES):
            # A function with a custom derivative prints as the function it is.
            return wl.TextDoc(f"<function {getattr(obj.fun, '__qualname__', obj.fun)}>")
        return None


_CUSTOM_DERIVATIVE_TYPES = (jax.custom_jvp, jax.custom_vjp)


def tree_pformat(
    pytree: Any,
    *,
    width: int = 80,
    indent: int = 2,
    short_arrays: bool = True,
    struct_as_array: bool = False,
    truncate_leaf: Callable[[Any], bool] = _never,
) -> str:
    """Format a pytree as text within `width` columns; what `tree_pprint` prints.

    Fields equal to their default are left out of a Module or dataclass.

    Args:
        pytree: Any pytree (or any value).
        width: The number of columns to fit in.
        indent: Spaces per level of nesting.
        short_arrays: Show a JAX array as its dtype and shape, `f32[3,2]`
            (`weak_f32[]` for a weakly typed one), not its values.
        struct_as_array: Show a `jax.ShapeDtypeStruct` the same way.
        truncate_leaf: A predicate; each node it accepts is shown as
            `TypeName(...)`.

    Returns:
        The text, without a final newline.
    """
    return wl.pformat(
        pytree,
        width=width,
        indent=indent,
        short_arrays=short_arrays,
        custom=_Customise(truncate_leaf, short_arrays, struct_as_array),
    )


def tree_pprint(
    pytree: Any,
    *,
    width: int = 80,
    indent: int = 2,
    short_arrays: bool = True,
    struct_as_array: bool = False,
    truncate_leaf: Callable[[Any], bool] = _never,
) -> None:
    """Print a pytree readably, arrays as `f32[3,2]`.

    Args:
        pytree: Any pytree (or any value).
        width: The number of columns to fit in.
        indent: Spaces per level of nesting.
        short_arrays: Show a JAX array as its dtype and shape, `f32[3,2]`
            (`weak_f32[]` for a weakly typed one), not its values.
        struct_as_array: Show a `jax.ShapeDtypeStruct` the same way.
        truncate_leaf: A predicate; each node it accepts is shown as
            `TypeName(...)`.
    """
    print(
        tree_pformat(
            pytree,
            width=width,
            indent=indent,
            short_arrays=short_arrays,
            struct_as_array=struct_as_array,
            truncate_leaf=truncate_leaf,
        )
    )
