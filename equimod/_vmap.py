"""`filter_vmap`: `jax.vmap` over pytrees that hold non-array leaves too; the axis
specs (`in_axes`, `out_axes`, `if_array`) that `filter_pmap` reads as well."""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Hashable
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import jax.tree_util as jtu

from ._filters import is_array, is_array_like, is_none
from ._jit import merge_leaves, split_leaves
from ._module import field, module_update_wrapper
from ._transformed import Transformed, callable_name, transform

_MSG_AXES_STRUCTURE = (
    "{transform}({name}): {which} must be an axis (int or None), a callable "
    "leaf -> axis (such as equimod.if_array(0)), or a pytree prefix of the {what} "
    "with those at its leaves; it does not match: {error}"
)
_MSG_BAD_AXIS = "{transform}({name}): {which} gave {axis!r} for a leaf; an axis is an int or None."
_MSG_NON_ARRAY_BATCHED = (
    "{transform}({name}): {which} asks to map over axis {axis} of a leaf of type "
    "{type}, which is not an array. Give it axis None (e.g. in_axes=if_array(0))."
)
_MSG_NO_SUCH_AXIS = (
    "{transform}({name}): {which} asks to map over axis {axis} of an array of shape "
    "{shape}, which has no such axis. Give it an axis it has, or None to broadcast it."
)
_MSG_UNKNOWN_NAMED_AXES = (
    "{transform}({name}): in_axes names {names}, which are not arguments of this call "
    "of {name} (a parameter left to its default value cannot be mapped over). Name "
    "only parameters the call passes."
)
MSG_NOTHING_TO_MAP = (
    "{transform}({name}): no argument is mapped over (every leaf has axis None), so "
    "the batch size is unknown. Pass axis_size=..., or map some array over an axis."
)
_MSG_NOTHING_TO_BATCH_BY = (
    "{transform}({name}): no argument is mapped over (every leaf has axis None), but "
    "out_axes gives an output an axis, whose size is then unknown. Pass axis_size=..., "
    "map some array over an axis, or give the outputs out_axes=None."
)


class if_array:  # noqa: N801 - named as in Equinox
    """An axis spec for `filter_vmap`: `axis` for array leaves, None for all others.

    Args:
        axis: The axis to map array leaves over.
    """

    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def __call__(self, leaf: Any) -> int | None:
        """The axis of one leaf.

        Args:
            leaf: A leaf of the arguments or the output.

        Returns:
            `axis` for an array, None for any other leaf.
        """
        return self.axis if is_array(leaf) else None

    def __repr__(self) -> str:
        return f"if_array({self.axis})"

    # Equal specs are equal, so that a compiled function keyed on them is found again.
    def __eq__(self, other: object) -> bool:
        return type(other) is if_array and other.axis == self.axis

    def __hash__(self) -> int:
        return hash((if_array, self.axis))


MAP_ARRAYS = if_array(0)


def _is_axis_spec(x: Any) -> bool:
    """Whether `x` is certainly one axis spec for a whole subtree: None, an int, a
    function or an `if_array`. Anything else is flattened as a pytree, as filter
    specs are and as in Equinox: a Module in a spec (one shaped like a model, even
    with a `__call__`) is a node of it, and a callable that is no pytree a leaf."""
    return x is None or isinstance(x, (int, if_array, types.FunctionType))


class _LeafAxes(tuple):  # type: ignore[type-arg]
    """The axes of the leaves below one axis spec: a tuple that is a pytree leaf, so
    that it is not confused with the lists and tuples of the spec's own structure."""

    __slots__ = ()


class _AxisSpecError(ValueError):
    """An axis spec that is wrong in itself, not in its structure."""


def leaf_axes(
    spec: Any,
    tree: Any,
    name: str,
    which: str,
    what: str,
    *,
    transform: str = "filter_vmap",
    batch_array_likes: bool = False,
) -> list[int | None]:
    """One axis per leaf of `tree`, from a spec that is a pytree prefix of it.

    `batch_array_likes`: a Python or NumPy scalar may take an axis too (an output,
    which `jax.vmap` turns into an array broadcast along it).
    """
    can_batch = is_array_like if batch_array_likes else is_array

    def expand(axis_spec: Any, subtree: Any) -> _LeafAxes:
        axes = []
        for leaf in jtu.tree_leaves(subtree):
            axis = axis_spec(leaf) if callable(axis_spec) else axis_spec
            if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool)):
                raise TypeError(
                    _MSG_BAD_AXIS.format(transform=transform, name=name, which=which, axis=axis)
                )
            if axis is not None and not can_batch(leaf):
                raise _AxisSpecError(
                    _MSG_NON_ARRAY_BATCHED.format(
                        transform=transform,
                        name=name,
                        which=which,
                        axis=axis,
                        type=type(leaf).__name__,
                    )
                )
            if axis is not None and not batch_array_likes and not -leaf.ndim <= axis < leaf.ndim:
                raise _AxisSpecError(
                    _MSG_NO_SUCH_AXIS.format(
                        transform=transform, name=name, which=which, axis=axis, shape=leaf.shape
                    )
                )
            axes.append(axis)
        return _LeafAxes(axes)

    if _is_axis_spec(spec):
        return list(expand(spec, tree))
    try:
        nested = jtu.tree_map(expand, spec, tree, is_leaf=is_none)
    except _AxisSpecError as error:
        raise ValueError(str(error)) from None
    except ValueError as error:
        raise ValueError(
            _MSG_AXES_STRUCTURE.format(
                transform=transform, name=name, which=which, what=what, error=error
            )
        ) from None
    return [
        axis
        for axes in jtu.tree_leaves(nested, is_leaf=lambda x: isinstance(x, _LeafAxes))
        for axis in axes
    ]


def call_axes(
    transform: str, fun: Callable[..., Any], in_axes: Any, args: Any, kwargs: dict[str, Any]
) -> list[int | None]:
    """The axis of each leaf of `(args, kwargs)` (in flattening order) for one call.

    `in_axes` is a pytree prefix of the positional arguments, or a dict of
    parameter names; keyword arguments, and the parameters a dict leaves out,
    take `if_array(0)`.
    """
    name = callable_name(fun)
    kwargs_axes: Any = MAP_ARRAYS
    if isinstance(in_axes, dict):
        named = dict(in_axes)
        parameters = list(inspect.signature(fun).parameters)
        in_axes = tuple(named.pop(p, MAP_ARRAYS) for p, _ in zip(parameters, args, strict=False))
        kwargs_axes = {k: named.pop(k, MAP_ARRAYS) for k in kwargs}
        if named:
            raise ValueError(
                _MSG_UNKNOWN_NAMED_AXES.format(transform=transform, name=name, names=tuple(named))
            )
    arg_axes = leaf_axes(
        in_axes, args, name, "in_axes", "positional arguments", transform=transform
    )
    kwarg_axes = leaf_axes(
        kwargs_axes, kwargs, name, "in_axes", "keyword arguments", transform=transform
    )
    return arg_axes + kwarg_axes


# The output of a mapped function, as `split_output` gives it and `join_output`
# takes it back: its structure, each leaf's axis, and its unbatched leaves that
# are not arrays (with `TRACED` where the arrays go).
Rebuild = tuple[Any, list[int | None], tuple[Any, ...] | None]


def split_output(
    out: Any, spec: Any, name: str, transform: str
) -> tuple[list[Any], list[Any], Rebuild]:
    """Inside the mapped function: its output as the leaves to batch (each to come
    out along axis 0, since the output axes are known only once `fun` has been
    traced), the unbatched arrays, and what rebuilds the output from them."""
    out_leaves, out_treedef = jtu.tree_flatten(out)
    out_axes = leaf_axes(
        spec, out, name, "out_axes", "output", transform=transform, batch_array_likes=True
    )
    pairs = list(zip(out_leaves, out_axes, strict=True))
    batched = [leaf for leaf, axis in pairs if axis is not None]
    unbatched, unbatched_static = split_leaves([leaf for leaf, axis in pairs if axis is None])
    return batched, unbatched, (out_treedef, out_axes, unbatched_static)


def join_output(batched: list[Any], unbatched: list[Any], rebuild: Rebuild) -> Any:
    """The output from what the mapped function returned: each batched leaf moved
    from axis 0 to its own axis."""
    out_treedef, out_axes, unbatched_static = rebuild
    batched_values = iter(batched)
    unbatched_values = iter(merge_leaves(unbatched, unbatched_static))
    leaves = []
    for axis in out_axes:
        if axis is None:
            leaves.append(next(unbatched_values))
        else:
            value = next(batched_values)
            leaves.append(value if axis == 0 else jnp.moveaxis(value, 0, axis))
    return jtu.tree_unflatten(out_treedef, leaves)


class AxisMapping(Transformed):
    """The options `filter_vmap` and `filter_pmap` share: which axes are mapped, the
    axis's name and its size."""

    in_axes: Any = field(static=True)
    out_axes: Any = field(static=True)
    axis_name: Any = field(static=True)
    axis_size: int | None = field(static=True)


class _VmapWrapper(AxisMapping):
    """What `filter_vmap` returns: a Module, so the wrapped callable's arrays are leaves."""

    transform_name: ClassVar[str] = "filter_vmap"

    spmd_axis_name: Any = field(static=True, default=None)

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        name = callable_name(self.fun)
        axes = call_axes(self.transform_name, self.fun, self.in_axes, args, kwargs)
        leaves, treedef = jtu.tree_flatten((args, kwargs))
        mapped = [leaf for leaf, axis in zip(leaves, axes, strict=True) if axis is not None]
        mapped_axes = [axis for axis in axes if axis is not None]
        if not mapped and self.axis_size is None:
            # As in Equinox: with nothing to map and no size, `fun` runs once, unmapped,
            # which is right as long as none of its output is to be batched either.
            batched, unbatched, rebuild = split_output(
                self.fun(*args, **kwargs), self.out_axes, name, self.transform_name
            )
            if batched:
                raise ValueError(
                    _MSG_NOTHING_TO_BATCH_BY.format(transform=self.transform_name, name=name)
                )
            return join_output([], unbatched, rebuild)
        # What only tracing `fun` tells: how to rebuild its output.
        traced: list[Rebuild] = []

        def inner(mapped_leaves: list[Any]) -> tuple[list[Any], list[Any]]:
            values = iter(mapped_leaves)
            full = [
                next(values) if axis is not None else leaf
                for leaf, axis in zip(leaves, axes, strict=True)
            ]
            call_args, call_kwargs = jtu.tree_unflatten(treedef, full)
            batched, unbatched, rebuild = split_output(
                self.fun(*call_args, **call_kwargs), self.out_axes, name, self.transform_name
            )
            traced[:] = [rebuild]
            return batched, unbatched

        # Traced once.
        batched, unbatched = jax.vmap(
            inner,
            in_axes=(mapped_axes,),
            out_axes=(0, None),
            axis_name=self.axis_name,
            axis_size=self.axis_size,
            spmd_axis_name=self.spmd_axis_name,
        )(mapped)
        return join_output(batched, unbatched, traced[0])


@transform("filter_vmap", "vectorise")
def filter_vmap(
    fun: Any = None,
    *,
    in_axes: Any = MAP_ARRAYS,
    out_axes: Any = MAP_ARRAYS,
    axis_name: Any = None,
    axis_size: int | None = None,
    spmd_axis_name: Hashable | tuple[Hashable, ...] | None = None,
) -> Any:
    """Like `jax.vmap`, for functions of arbitrary pytrees (such as Modules).

    Usable as `@filter_vmap` and `@filter_vmap(in_axes=...)`.

    Args:
        fun: The function to vectorise (it may be a Module). Omit it to get a
            decorator.
        in_axes: Applies to the tuple of positional arguments: an axis (int or
            None), a callable `leaf -> axis`, or a pytree prefix of the arguments
            with those at its leaves. The default, `if_array(0)`, maps arrays over
            their first axis and passes every other leaf unchanged. Keyword
            arguments always use `if_array(0)`.
        out_axes: The same, for the output; non-array outputs are returned
            unbatched.
        axis_name: A name for the mapped axis, for collectives such as
            `jax.lax.pmean` (and `nn.BatchNorm`).
        axis_size: The size of the mapped axis; needed only when no argument is
            mapped and some output is to be batched. (With nothing mapped and
            nothing batched, `fun` runs once, unmapped, as in Equinox.)
        spmd_axis_name: As in `jax.vmap`: mesh axes the mapped axis is sharded
            over, inside `jax.jit` with sharding constraints.

    Returns:
        A function with `fun`'s signature (a Module wrapping `fun`: a layer stored
        behind it keeps its arrays as leaves of the model).

    Raises:
        TypeError: If `fun` is not callable; when called, if an axis spec gives
            something other than an int or None.
        ValueError: When called, if an axis spec does not match the arguments or
            output, maps over a leaf that is not an array, or nothing is mapped,
            some output is to be batched and `axis_size` is not given.
    """
    return module_update_wrapper(
        _VmapWrapper(fun, in_axes, out_axes, axis_name, axis_size, spmd_axis_name)
    )
