"""`filter_pmap`: `jax.pmap` over pytrees that hold non-array leaves too.

As `filter_jit` does, it compiles once per static part of a call (the tree
structure, the non-array leaves, the axis of each leaf) and finds the
compiled function again on the next call with the same static part, even
through a wrapper made anew for the same function.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Sequence
from typing import Any, ClassVar, Literal, cast, get_args

import jax
import jax.tree_util as jtu
import numpy as np

from ._caches import register_cache
from ._jit import (
    TRACED,
    Compiling,
    StaticKey,
    merge_leaves,
    silenced_where_asked,
    split_leaves,
)
from ._module import field, module_update_wrapper
from ._static import Static
from ._transformed import callable_name, transform
from ._vmap import (
    MAP_ARRAYS,
    MSG_NOTHING_TO_MAP,
    AxisMapping,
    call_axes,
    join_output,
    split_output,
)

PmapDonate = Literal["all", "warn", "none"]
_DONATE_OPTIONS = get_args(PmapDonate)
_MSG_BAD_DONATE = "filter_pmap(donate=...) must be one of {options}, got {donate!r}."


class _Layout:
    """How one call's traced leaves reach the mapped function: the axis of each
    argument leaf that is an array (None: broadcast), and the output axes spec.
    `mapped_axes` are the axes `jax.pmap` maps over (a dummy's where none is)."""

    __slots__ = ("_hash", "axes", "mapped_axes", "out_axes")

    def __init__(self, axes: tuple[int | None, ...], out_axes: Any) -> None:
        self.axes = axes
        self.mapped_axes = tuple(axis for axis in axes if axis is not None) or (0,)
        self.out_axes = out_axes
        self._hash = hash((axes, out_axes))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Layout)
            and self.axes == other.axes
            and self.out_axes == other.out_axes
        )


def _call_mapped(
    fun_dynamic: list[Any], mapped: list[Any], broadcast: list[Any], key: StaticKey
) -> tuple[list[Any], list[Any], Static]:
    layout = cast(_Layout, key.layout)
    mapped_values, broadcast_values = iter(mapped), iter(broadcast)
    dynamic = [
        next(broadcast_values) if axis is None else next(mapped_values) for axis in layout.axes
    ]
    args, kwargs = jtu.tree_unflatten(key.treedef, merge_leaves(dynamic, key.static_leaves))
    fun = key.function(fun_dynamic)
    batched, unbatched, rebuild = split_output(
        fun(*args, **kwargs), layout.out_axes, callable_name(fun), "filter_pmap"
    )
    return batched, unbatched, Static(rebuild)


@functools.cache
def _compile(
    mapped_axes: tuple[int, ...],
    axis_name: Hashable,
    axis_size: int | None,
    donate: str,
    devices: tuple[jax.Device, ...] | None,
    backend: str | None,
) -> Any:
    # Every batched output leaves along axis 0 and is moved to its own axis
    # afterwards: the output axes are known only once the function is traced.
    mapped = jax.pmap(
        _call_mapped,
        in_axes=(None, list(mapped_axes), None),
        out_axes=(0, None, None),
        static_broadcasted_argnums=(3,),
        axis_name=axis_name,
        axis_size=axis_size,
        donate_argnums=() if donate == "none" else (1,),
        devices=devices,
        backend=backend,
    )
    return silenced_where_asked(donate, mapped)


register_cache(_compile.cache_clear)


class _PmapWrapper(Compiling, AxisMapping):
    """What `filter_pmap` returns: a Module, so the wrapped callable's arrays are leaves."""

    transform_name: ClassVar[str] = "filter_pmap"
    donate: str = field(static=True)
    devices: tuple[jax.Device, ...] | None = field(static=True)
    backend: str | None = field(static=True)

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        call = self._prepare(args, kwargs)
        return self._finish(self._compiled(call[-1])(*call))

    def _compiled(self, key: StaticKey) -> Any:
        return _compile(
            cast(_Layout, key.layout).mapped_axes,
            self.axis_name,
            self.axis_size,
            self.donate,
            self.devices,
            self.backend,
        )

    def _prepare(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        """The mapped function's arguments for a call: the arrays of the wrapped
        callable, the mapped and the broadcast arrays of the arguments, the static key."""
        axes = call_axes(self.transform_name, self.fun, self.in_axes, args, kwargs)
        leaves, treedef = jtu.tree_flatten((args, kwargs))
        dynamic, static_leaves = split_leaves(leaves)
        if static_leaves is not None:
            # Only arrays take an axis (call_axes refused any other leaf with one).
            axes = [axis for axis, leaf in zip(axes, static_leaves, strict=True) if leaf is TRACED]
        mapped = [leaf for leaf, axis in zip(dynamic, axes, strict=True) if axis is not None]
        broadcast = [leaf for leaf, axis in zip(dynamic, axes, strict=True) if axis is None]
        if not mapped:
            if self.axis_size is None:
                raise ValueError(
                    MSG_NOTHING_TO_MAP.format(
                        transform=self.transform_name, name=callable_name(self.fun)
                    )
                )
            # `jax.pmap` needs something to map over: a dummy of the axis's size.
            mapped = [np.zeros(self.axis_size)]
        fun_leaves, fun_treedef = jtu.tree_flatten(self.fun)
        fun_dynamic, fun_static = split_leaves(fun_leaves)
        layout = _Layout(tuple(axes), self.out_axes)
        key = StaticKey(treedef, static_leaves, layout, fun_treedef, fun_static)
        return fun_dynamic, mapped, broadcast, key

    @staticmethod
    def _finish(out: tuple[list[Any], list[Any], Static]) -> Any:
        batched, unbatched, rebuild = out
        return join_output(batched, unbatched, rebuild.value)


@transform("filter_pmap", "map over devices")
def filter_pmap(
    fun: Any = None,
    *,
    in_axes: Any = MAP_ARRAYS,
    out_axes: Any = MAP_ARRAYS,
    axis_name: Hashable = None,
    axis_size: int | None = None,
    donate: PmapDonate = "none",
    devices: Sequence[jax.Device] | None = None,
    backend: str | None = None,
) -> Any:
    """Like `jax.pmap`, for functions of arbitrary pytrees: `filter_vmap` across devices.

    It compiles once for each static part of a call (tree structure, non-array
    leaves, the axis of each leaf) and reuses the compiled function. The mapped
    axis must have at most as many entries as there are devices.

    Args:
        fun: The function to map (it may be a Module). Omit it to get a decorator.
        in_axes: As in `filter_vmap`: an axis (int or None), a callable
            `leaf -> axis`, a pytree prefix of the positional arguments with those
            at its leaves, or a dict of parameter names. The default,
            `if_array(0)`, maps arrays over their first axis and broadcasts every
            other leaf. Keyword arguments use `if_array(0)` unless a dict names them.
        out_axes: The same, for the output; non-array outputs are returned
            unbatched.
        axis_name: A name for the mapped axis, for collectives such as
            `jax.lax.pmean` (and `nn.BatchNorm`).
        axis_size: The size of the mapped axis; needed only when no argument is
            mapped.
        donate: `"none"`; `"all"`, to donate the mapped input buffers; or
            `"warn"`, the same but keeping JAX's warning when a donated buffer
            cannot be reused (`"all"` silences it).
        devices: As in `jax.pmap`: the devices to map over (default: all local
            devices of the backend).
        backend: As in `jax.pmap`: the backend to run on ("cpu", "gpu", "tpu").

    Returns:
        A function with `fun`'s signature; its `lower(...)` compiles ahead of time,
        as `filter_jit`'s does.

    Raises:
        TypeError: If `fun` is not callable; when called, if an axis spec gives
            something other than an int or None.
        ValueError: If `donate` is not one of the options; when called, if an
            axis spec does not match the arguments or output, maps over a leaf
            that is not an array, or nothing is mapped and `axis_size` is not given.
    """
    if donate not in _DONATE_OPTIONS:
        raise ValueError(_MSG_BAD_DONATE.format(options=_DONATE_OPTIONS, donate=donate))
    devices_ = None if devices is None else tuple(devices)
    return module_update_wrapper(
        _PmapWrapper(fun, in_axes, out_axes, axis_name, axis_size, donate, devices_, backend)
    )
