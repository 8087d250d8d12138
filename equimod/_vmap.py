"""`filter_vmap`: `jax.vmap` over pytrees that hold non-array leaves too."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal, ParamSpec, TypeVar, overload

import jax
import jax.tree_util as jtu

from ._filters import is_array
from ._jit import silenced_where_asked
from ._module import field, module_update_wrapper
from ._transformed import Transformed, callable_name

_P = ParamSpec("_P")
_R = TypeVar("_R")

_MSG_NOT_CALLABLE = "{transform} expects a callable to vectorise, got {fun!r}."
_MSG_AXES_STRUCTURE = (
    "filter_vmap({name}): {which} must be an axis (int or None), a callable "
    "leaf -> axis (such as equimod.if_array(0)), or a pytree prefix of the {what} "
    "with those at its leaves; it does not match: {error}"
)
_MSG_BAD_AXIS = "filter_vmap({name}): {which} gave {axis!r} for a leaf; an axis is an int or None."
_MSG_NON_ARRAY_BATCHED = (
    "filter_vmap({name}): {which} asks to map over axis {axis} of a leaf of type "
    "{type}, which is not an array. Give it axis None (e.g. in_axes=if_array(0))."
)
_MSG_BAD_DONATE = "filter_pmap(donate=...) must be one of {options}, got {donate!r}."
_PMAP_DONATE_OPTIONS = ("none", "all", "warn")
_MSG_NOTHING_TO_MAP = (
    "filter_vmap({name}): no argument is mapped over (every leaf has axis None), so "
    "the batch size is unknown. Pass axis_size=..., or map some array over an axis."
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


_MAP_ARRAYS = if_array(0)


def _is_axis_spec(x: Any) -> bool:
    return x is None or isinstance(x, int) or callable(x)


def _leaf_axes(spec: Any, tree: Any, name: str, which: str, what: str) -> list[int | None]:
    """One axis per leaf of `tree`, from a spec that is a pytree prefix of it."""

    def expand(axis_spec: Any, subtree: Any) -> list[int | None]:
        axes = []
        for leaf in jtu.tree_leaves(subtree):
            axis = axis_spec(leaf) if callable(axis_spec) else axis_spec
            if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool)):
                raise TypeError(_MSG_BAD_AXIS.format(name=name, which=which, axis=axis))
            if axis is not None and not is_array(leaf):
                raise ValueError(
                    _MSG_NON_ARRAY_BATCHED.format(
                        name=name, which=which, axis=axis, type=type(leaf).__name__
                    )
                )
            axes.append(axis)
        return axes

    if _is_axis_spec(spec) and not isinstance(spec, (tuple, list, dict)):
        return expand(spec, tree)
    try:
        nested = jtu.tree_map(expand, spec, tree, is_leaf=_is_axis_spec)
    except ValueError as error:
        if "filter_vmap(" in str(error):
            raise
        raise ValueError(
            _MSG_AXES_STRUCTURE.format(name=name, which=which, what=what, error=error)
        ) from None
    return [
        axis
        for axes in jtu.tree_leaves(nested, is_leaf=lambda x: isinstance(x, list))
        for axis in axes
    ]


class _VmapWrapper(Transformed):
    """What `filter_vmap` returns: a Module, so the wrapped callable's arrays are leaves."""

    in_axes: Any = field(static=True)
    out_axes: Any = field(static=True)
    axis_name: Any = field(static=True)
    axis_size: int | None = field(static=True)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        name = callable_name(self.fun)
        arg_axes = _leaf_axes(self.in_axes, args, name, "in_axes", "positional arguments")
        kwarg_axes = _leaf_axes(_MAP_ARRAYS, kwargs, name, "in_axes", "keyword arguments")
        leaves, treedef = jtu.tree_flatten((args, kwargs))
        axes = arg_axes + kwarg_axes
        mapped = [leaf for leaf, axis in zip(leaves, axes, strict=True) if axis is not None]
        mapped_axes = [axis for axis in axes if axis is not None]
        if not mapped and self.axis_size is None:
            raise ValueError(_MSG_NOTHING_TO_MAP.format(name=name))
        static_out: list[Any] = []

        def inner(mapped_leaves: list[Any]) -> list[Any]:
            values = iter(mapped_leaves)
            full = [
                next(values) if axis is not None else leaf
                for leaf, axis in zip(leaves, axes, strict=True)
            ]
            call_args, call_kwargs = jtu.tree_unflatten(treedef, full)
            out = self.fun(*call_args, **call_kwargs)
            out_leaves, out_treedef = jtu.tree_flatten(out)
            out_axes = _leaf_axes(self.out_axes, out, name, "out_axes", "output")
            static_out[:] = [out_treedef, out_leaves, out_axes]
            return [
                leaf for leaf, axis in zip(out_leaves, out_axes, strict=True) if axis is not None
            ] + [
                leaf
                for leaf, axis in zip(out_leaves, out_axes, strict=True)
                if axis is None and is_array(leaf)
            ]

        # The output axes are known only once `fun` has been traced: trace
        # abstractly first to learn them, then vmap for real.
        jax.eval_shape(
            jax.vmap(
                lambda m: _return_all(inner, m),
                in_axes=(mapped_axes,),
                axis_name=self.axis_name,
                axis_size=self.axis_size,
            ),
            mapped,
        )
        _, traced_leaves, out_axes = static_out
        batched_axes = [axis for axis in out_axes if axis is not None]
        n_unbatched_arrays = sum(
            1
            for leaf, axis in zip(traced_leaves, out_axes, strict=True)
            if axis is None and is_array(leaf)
        )
        result = self._map(inner, (mapped_axes,), batched_axes + [None] * n_unbatched_arrays)(
            mapped
        )
        out_treedef, out_leaves, out_axes = static_out
        batched = iter(result[: len(batched_axes)])
        unbatched = iter(result[len(batched_axes) :])
        final = []
        for leaf, axis in zip(out_leaves, out_axes, strict=True):
            if axis is not None:
                final.append(next(batched))
            elif is_array(leaf):
                final.append(next(unbatched))
            else:
                final.append(leaf)
        return jtu.tree_unflatten(out_treedef, final)

    def _map(self, inner: Callable[..., Any], in_axes: Any, out_axes: Any) -> Callable[..., Any]:
        return jax.vmap(
            inner,
            in_axes=in_axes,
            out_axes=out_axes,
            axis_name=self.axis_name,
            axis_size=self.axis_size,
        )


class _PmapWrapper(_VmapWrapper):
    """What `filter_pmap` returns: `filter_vmap`'s wrapper, mapped over devices."""

    donate: str = field(static=True)

    def _map(self, inner: Callable[..., Any], in_axes: Any, out_axes: Any) -> Callable[..., Any]:
        mapped = jax.pmap(
            inner,
            in_axes=in_axes,
            out_axes=out_axes,
            axis_name=self.axis_name,
            axis_size=self.axis_size,
            donate_argnums=() if self.donate == "none" else (0,),
        )
        return silenced_where_asked(self.donate, mapped)


def _return_all(inner: Callable[[list[Any]], list[Any]], mapped: list[Any]) -> list[Any]:
    inner(mapped)
    return []


@overload
def filter_vmap(
    fun: Callable[_P, _R],
    *,
    in_axes: Any = ...,
    out_axes: Any = ...,
    axis_name: Any = None,
    axis_size: int | None = None,
) -> Callable[_P, _R]: ...


@overload
def filter_vmap(
    fun: None = None,
    *,
    in_axes: Any = ...,
    out_axes: Any = ...,
    axis_name: Any = None,
    axis_size: int | None = None,
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...


def filter_vmap(
    fun: Any = None,
    *,
    in_axes: Any = _MAP_ARRAYS,
    out_axes: Any = _MAP_ARRAYS,
    axis_name: Any = None,
    axis_size: int | None = None,
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
            mapped.

    Returns:
        A function with `fun`'s signature (a Module wrapping `fun`: a layer stored
        behind it keeps its arrays as leaves of the model).

    Raises:
        TypeError: If `fun` is not callable; when called, if an axis spec gives
            something other than an int or None.
        ValueError: When called, if an axis spec does not match the arguments or
            output, maps over a leaf that is not an array, or nothing is mapped and
            `axis_size` is not given.
    """
    if fun is None:
        return functools.partial(
            filter_vmap,
            in_axes=in_axes,
            out_axes=out_axes,
            axis_name=axis_name,
            axis_size=axis_size,
        )
    if not callable(fun):
        raise TypeError(_MSG_NOT_CALLABLE.format(transform="filter_vmap", fun=fun))
    return module_update_wrapper(_VmapWrapper(fun, in_axes, out_axes, axis_name, axis_size))


@overload
def filter_pmap(
    fun: Callable[_P, _R],
    *,
    in_axes: Any = ...,
    out_axes: Any = ...,
    axis_name: Any = None,
    axis_size: int | None = None,
    donate: Literal["all", "warn", "none"] = "none",
) -> Callable[_P, _R]: ...


@overload
def filter_pmap(
    fun: None = None,
    *,
    in_axes: Any = ...,
    out_axes: Any = ...,
    axis_name: Any = None,
    axis_size: int | None = None,
    donate: Literal["all", "warn", "none"] = "none",
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...


def filter_pmap(
    fun: Any = None,
    *,
    in_axes: Any = _MAP_ARRAYS,
    out_axes: Any = _MAP_ARRAYS,
    axis_name: Any = None,
    axis_size: int | None = None,
    donate: str = "none",
) -> Any:
    """Like `jax.pmap`, for functions of arbitrary pytrees: `filter_vmap` across devices.

    The mapped axis must have at most as many entries as there are devices.

    Args:
        fun: The function to map (it may be a Module). Omit it to get a decorator.
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
            mapped.
        donate: `"none"`; `"all"`, to donate the mapped input buffers; or
            `"warn"`, the same but keeping JAX's warning when a donated buffer
            cannot be reused (`"all"` silences it).

    Returns:
        A function with `fun`'s signature.

    Raises:
        TypeError: As in `filter_vmap`.
        ValueError: If `donate` is not one of the options; when called, as in
            `filter_vmap`.
    """
    if donate not in _PMAP_DONATE_OPTIONS:
        raise ValueError(_MSG_BAD_DONATE.format(options=_PMAP_DONATE_OPTIONS, donate=donate))
    if fun is None:
        return functools.partial(
            filter_pmap,
            in_axes=in_axes,
            out_axes=out_axes,
            axis_name=axis_name,
            axis_size=axis_size,
            donate=donate,
        )
    if not callable(fun):
        raise TypeError(_MSG_NOT_CALLABLE.format(transform="filter_pmap", fun=fun))
    return module_update_wrapper(_PmapWrapper(fun, in_axes, out_axes, axis_name, axis_size, donate))
