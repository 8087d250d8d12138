"""Predicates on pytree leaves, and splitting a pytree by them."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, Final, TypeVar

import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np

_T = TypeVar("_T")

# What equimod counts as an array leaf, everywhere: the leaves `filter_jit` traces,
# `is_array` accepts, and the transforms map over or differentiate.
ARRAY_TYPES: Final = (jax.Array, np.ndarray, np.generic)


def is_array(element: Any) -> bool:
    """True for a JAX or NumPy array (not a Python scalar).

    Args:
        element: Any value, typically a leaf of a pytree.

    Returns:
        Whether `element` is a `jax.Array` or `numpy.ndarray`.
    """
    return isinstance(element, ARRAY_TYPES)


def is_array_like(element: Any) -> bool:
    """True for an array or a Python/NumPy scalar: anything JAX can trace.

    Args:
        element: Any value, typically a leaf of a pytree.

    Returns:
        Whether `element` is an array, a NumPy scalar or a Python bool, int,
        float or complex.
    """
    return isinstance(element, (*ARRAY_TYPES, float, complex, bool, int)) or hasattr(
        element, "__jax_array__"
    )


def is_inexact_array(element: Any) -> bool:
    """True for a floating-point or complex array: what gradients are taken with respect to.

    Args:
        element: Any value, typically a leaf of a pytree.

    Returns:
        Whether `element` is an array with a floating-point or complex dtype.
    """
    if isinstance(element, (np.ndarray, np.generic)):
        return bool(np.issubdtype(element.dtype, np.inexact))
    if isinstance(element, jax.Array):
        return bool(jax.numpy.issubdtype(element.dtype, jax.numpy.inexact))
    return False


def is_shaped(element: Any) -> bool:
    """True for an array or a `jax.ShapeDtypeStruct`: what shape-only tracing accepts."""
    return is_array(element) or isinstance(element, jax.ShapeDtypeStruct)


def shape_struct(x: Any) -> jax.ShapeDtypeStruct:
    """The shape and dtype of an array, as a `jax.ShapeDtypeStruct`."""
    return jax.ShapeDtypeStruct(jnp.shape(x), jnp.result_type(x))  # type: ignore[no-untyped-call]


def is_inexact_array_like(element: Any) -> bool:
    """True for an inexact array or a Python float/complex.

    Args:
        element: Any value, typically a leaf of a pytree.

    Returns:
        Whether `element` is an inexact array, a NumPy floating/complex scalar, or
        a Python float or complex.
    """
    if isinstance(element, (float, complex)) or is_inexact_array(element):
        return True
    # An object standing for an array; a JAX tracer has the attribute set to None.
    to_array = getattr(element, "__jax_array__", None)
    return callable(to_array) and is_inexact_array(to_array())


_MSG_BAD_SPEC_LEAF = (
    "filter_spec leaves must be bools or callables taking a leaf and returning a bool; "
    "got {spec!r}."
)
_MSG_SPEC_STRUCTURE = (
    "filter_spec must be a bool, a callable, or a pytree prefix of the pytree being "
    "filtered with bools/callables at its leaves; it does not match the pytree's "
    "structure: {error}"
)
_MSG_COMBINE_EMPTY = "combine() needs at least one pytree."
_MSG_COMBINE_STRUCTURE = (
    "combine() takes pytrees of the same structure (as made by partition, with None "
    "where a leaf belongs to another): {error}"
)


def is_none(x: Any) -> bool:
    """Whether `x` is None: as `is_leaf`, keeps a None (a missing leaf) a leaf."""
    return x is None


def none_or(is_leaf: Callable[[Any], bool] | None) -> Callable[[Any], bool]:
    """`is_leaf`, for trees whose None stands for a missing leaf: None is a leaf too."""
    if is_leaf is None:
        return is_none
    return lambda x: x is None or is_leaf(x)


def _spec_mask(pytree: Any, filter_spec: Any, is_leaf: Callable[[Any], bool] | None) -> Any:
    """A pytree of bools, one per leaf of `pytree`: whether the leaf is kept."""

    def expand(spec: Any, subtree: Any) -> Any:
        if isinstance(spec, bool):
            return jtu.tree_map(lambda _: spec, subtree, is_leaf=is_leaf)
        if callable(spec):
            return jtu.tree_map(lambda leaf: _as_bool(spec, leaf), subtree, is_leaf=is_leaf)
        raise TypeError(_MSG_BAD_SPEC_LEAF.format(spec=spec))

    if isinstance(filter_spec, (bool, types.FunctionType)):
        return expand(filter_spec, pytree)  # a leaf: the common case, without a tree_map
    # The spec is flattened as any pytree, as in Equinox: a Module in it is a node
    # even when it is callable (a layer, a transform's wrapper), and a None stands
    # where the pytree has a None.
    try:
        return jtu.tree_map(expand, filter_spec, pytree)
    except ValueError as error:
        raise ValueError(_MSG_SPEC_STRUCTURE.format(error=error)) from None


def _as_bool(spec: Callable[[Any], Any], leaf: Any) -> bool:
    result = spec(leaf)
    if not isinstance(result, (bool, np.bool_)):
        raise TypeError(_MSG_BAD_SPEC_LEAF.format(spec=spec) + f" It returned {result!r}.")
    return bool(result)


# What filter and partition select is Any: it goes on to tree_map, optax's
# `Params` and `Updates` (a union the model's class is not part of) and
# orbax, and its fields hold None where the model's class says otherwise.
# The rest of a partition keeps the model's class, so that
# `combine(params, static)` gives the model back as itself.
def filter(
    pytree: Any,
    filter_spec: Any,
    inverse: bool = False,
    replace: Any = None,
    is_leaf: Callable[[Any], bool] | None = None,
) -> Any:
    """Keep the leaves of `pytree` selected by `filter_spec`; put `replace` in place of the others.

    The structure is kept, so the result can be `combine`d with its complement.

    Args:
        pytree: Any pytree.
        filter_spec: A bool, a callable `leaf -> bool` (such as `is_array`), or a
            pytree prefix of `pytree` with those at its leaves. It is flattened as
            any pytree: a Module in it is a node even when it has a `__call__`, so
            a spec shaped like the model (`tree_map(lambda _: False, model)`) works.
        inverse: Reverse the selection.
        replace: The value put in place of the leaves not kept.
        is_leaf: As in `jax.tree_util`: which nodes count as leaves.

    Returns:
        `pytree` with the leaves not selected replaced by `replace`. Typed `Any`
        (it goes on to optax's `Params` and `Updates`, and its fields hold
        `replace` where the class says otherwise).

    Raises:
        TypeError: If `filter_spec` holds something other than a bool or a
            callable, or a callable that returns something other than a bool.
        ValueError: If `filter_spec` is not a prefix of `pytree`'s structure.
    """
    mask = _spec_mask(pytree, filter_spec, is_leaf)
    return jtu.tree_map(
        lambda keep, leaf: leaf if keep != inverse else replace,
        mask,
        pytree,
        is_leaf=is_leaf,
    )


def partition(
    pytree: _T,
    filter_spec: Any,
    replace: Any = None,
    is_leaf: Callable[[Any], bool] | None = None,
) -> tuple[Any, _T]:
    """Split `pytree` in two: the leaves `filter_spec` selects, and the rest.

    Args:
        pytree: Any pytree.
        filter_spec: As in `filter`.
        replace: The value put in each half where the other half has its leaves.
        is_leaf: As in `jax.tree_util`: which nodes count as leaves.

    Returns:
        `(selected, rest)`, each with `pytree`'s structure; `combine(selected,
        rest)` gives `pytree` back. `selected` is typed `Any`, as `filter`'s
        result is; `rest` keeps `pytree`'s type, which `combine` gives back.

    Raises:
        TypeError: As in `filter`.
        ValueError: As in `filter`.
    """
    mask = _spec_mask(pytree, filter_spec, is_leaf)
    kept = jtu.tree_map(lambda k, x: x if k else replace, mask, pytree, is_leaf=is_leaf)
    rest = jtu.tree_map(lambda k, x: replace if k else x, mask, pytree, is_leaf=is_leaf)
    return kept, rest


def _first_not_none(*leaves: Any) -> Any:
    for leaf in leaves:
        if leaf is not None:
            return leaf
    return None


def combine(*pytrees: _T, is_leaf: Callable[[Any], bool] | None = None) -> _T:
    """Merge pytrees of one structure, taking at each leaf the first that is not None.

    The inverse of `partition`: `combine(*partition(tree, spec)) == tree`.

    Args:
        *pytrees: Pytrees of one structure, with `None` where another holds the
            leaf.
        is_leaf: As in `jax.tree_util`: which nodes count as leaves (`None` always
            counts as one).

    Returns:
        One pytree of that structure. The stubs type it as the trees after the
        first, so `combine(params, static)` is the model's class although
        `params`, from `partition`, is `Any`.

    Raises:
        TypeError: If no pytree is given.
        ValueError: If the pytrees' structures differ.
    """
    if not pytrees:
        raise TypeError(_MSG_COMBINE_EMPTY)

    try:
        return jtu.tree_map(_first_not_none, *pytrees, is_leaf=none_or(is_leaf))  # type: ignore[no-any-return]
    except ValueError as error:
        raise ValueError(_MSG_COMBINE_STRUCTURE.format(error=error)) from None
