"""Pooling: `Pool`, `AvgPool*`, `MaxPool*`, `AdaptivePool` and `AdaptiveAvgPool*`/`AdaptiveMaxPool*`."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from .._module import Module, field
from ._defaults_and_checks import check_size, layer_name
from ._spatial import ntuple, padding_pairs

_MSG_PADDING = (
    "{layer}: padding must be an int, a sequence of {n} ints or a sequence of {n} "
    "(before, after) pairs, none larger than the kernel size {kernel}; got {value!r}."
)
_MSG_CEIL_PADDING = (
    "{layer}(use_ceil=True): on an input of shape {shape} the last window would lie wholly "
    "in the padding ({padding} for kernel size {kernel}); use a smaller stride or "
    "use_ceil=False."
)
_MSG_NOT_CALLABLE = "{layer}: operation must be callable, got {operation!r}."
_MSG_RANK = (
    "{layer} pools {n} spatial dimension(s) and expects an input of shape "
    "(channels, *spatial) of rank {rank}, got shape {shape}. For a batch, use "
    "jax.vmap(pool)(x)."
)
_MSG_TOO_SMALL = (
    "{layer}(target_shape={target}) was called on an input of shape {shape}: every "
    "spatial size must be at least the target size."
)


def _pool_padding(
    layer: object, value: Any, kernel: tuple[int, ...]
) -> tuple[tuple[int, int], ...]:
    n = len(kernel)
    pairs = padding_pairs(value, n)
    if pairs is None or any(max(pair) > k for pair, k in zip(pairs, kernel, strict=True)):
        raise ValueError(
            _MSG_PADDING.format(layer=layer_name(layer), n=n, kernel=kernel, value=value)
        )
    return pairs


def _check_rank(layer: Module, x: jax.Array, n: int) -> None:
    if x.ndim != n + 1:
        raise ValueError(_MSG_RANK.format(layer=layer_name(layer), n=n, rank=n + 1, shape=x.shape))


class Pool(Module):
    """A sliding-window reduction over the spatial axes of `(channels, *spatial)` inputs.

    As `equinox.nn.Pool`: `operation` folds each window starting from `init`.

    Args:
        init: The value each window's fold starts from (e.g. `-inf` for a maximum).
        operation: A binary reduction, such as `jax.lax.max` or `jax.lax.add`.
        num_spatial_dims: The number of spatial axes of the input.
        kernel_size: The window's size, an int or one per spatial axis.
        stride: The step between windows, an int or one per spatial axis.
        padding: An int or one per axis (both sides), or a pair `(before, after)`
            per axis, none larger than the kernel. Padded positions hold the
            fold's start value: they never win a maximum, and count as zeros in
            an average (which divides by the kernel's size).
        use_ceil: Keep a partial window at the end of an axis.

    Raises:
        TypeError: If `operation` is not callable.
        ValueError: If a per-axis argument has the wrong length or `padding` is
            larger than the kernel.
    """

    init: int | float | jax.Array
    operation: Callable[[jax.Array, jax.Array], jax.Array]
    num_spatial_dims: int = field(static=True)
    kernel_size: tuple[int, ...] = field(static=True)
    stride: tuple[int, ...] = field(static=True)
    padding: tuple[tuple[int, int], ...] = field(static=True)
    use_ceil: bool = field(static=True)

    def __init__(
        self,
        init: int | float | jax.Array,
        operation: Callable[[jax.Array, jax.Array], jax.Array],
        num_spatial_dims: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: int | Sequence[int] | Sequence[tuple[int, int]] = 0,
        use_ceil: bool = False,
    ) -> None:
        n = check_size(self, "num_spatial_dims", num_spatial_dims, allow_scalar=False)
        if not callable(operation):
            raise TypeError(_MSG_NOT_CALLABLE.format(layer=layer_name(self), operation=operation))
        self.init = init
        self.operation = operation
        self.num_spatial_dims = n
        self.kernel_size = ntuple(self, "kernel_size", kernel_size, n)
        self.stride = ntuple(self, "stride", stride, n)
        self.padding = _pool_padding(self, padding, self.kernel_size)
        self.use_ceil = use_ceil

    def _padding_for(self, shape: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
        if not self.use_ceil:
            return self.padding
        padding = []
        for size, (before, after), k, s in zip(
            shape, self.padding, self.kernel_size, self.stride, strict=True
        ):
            if (size + before + after - k) % s:
                after += s
            if after > k:
                raise ValueError(
                    _MSG_CEIL_PADDING.format(
                        layer=layer_name(self),
                        shape=(None, *shape),
                        padding=(before, after),
                        kernel=k,
                    )
                )
            padding.append((before, after))
        return tuple(padding)

    def _init_for(self, dtype: Any) -> Any:
        # -inf, MaxPool's start, has no integer counterpart: start from the lowest integer.
        if jnp.issubdtype(dtype, jnp.integer) and self.init == -math.inf:
            return int(np.iinfo(dtype).min)
        return self.init

    # The AvgPool classes divide each window's sum by the window's size.
    _averages: ClassVar[bool] = False

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        """Pool `x`.

        Args:
            x: An input of shape `(channels, *spatial)`.
            key: Ignored; accepted for a uniform layer interface.

        Returns:
            The pooled output, shape `(channels, *new_spatial)`.

        Raises:
            ValueError: If `x` does not have `num_spatial_dims + 1` axes, or with
                `use_ceil=True` a last window would lie wholly in the padding.
        """
        _check_rank(self, x, self.num_spatial_dims)
        padding = self._padding_for(x.shape[1:])
        pooled: jax.Array = jax.lax.reduce_window(
            x,
            self._init_for(x.dtype),
            self.operation,
            (1, *self.kernel_size),
            (1, *self.stride),
            ((0, 0), *padding),
        )
        return pooled / math.prod(self.kernel_size) if self._averages else pooled


# The per-dimension classes share one written-out `__init__` and declare
# `init=False` (as in nn/_conv.py).


class _PoolOfFixedDimension(Pool):
    _num_spatial_dims: ClassVar[int]

    def __init__(
        self,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: int | Sequence[int] | Sequence[tuple[int, int]] = 0,
        use_ceil: bool = False,
    ) -> None:
        super().__init__(
            init=0 if self._averages else -math.inf,
            operation=jax.lax.add if self._averages else jax.lax.max,
            num_spatial_dims=self._num_spatial_dims,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            use_ceil=use_ceil,
        )


class AvgPool1d(_PoolOfFixedDimension, init=False):
    """Average over windows of a `(channels, length)` input, as `equinox.nn.AvgPool1d`:
    `Pool` with `num_spatial_dims=1`; padded positions count as zeros in the average."""

    _num_spatial_dims = 1
    _averages = True


class AvgPool2d(_PoolOfFixedDimension, init=False):
    """Average over windows of a `(channels, height, width)` input, as `equinox.nn.AvgPool2d`:
    `Pool` with `num_spatial_dims=2`; padded positions count as zeros in the average."""

    _num_spatial_dims = 2
    _averages = True


class AvgPool3d(_PoolOfFixedDimension, init=False):
    """Average over windows of a `(channels, depth, height, width)` input, as `equinox.nn.AvgPool3d`:
    `Pool` with `num_spatial_dims=3`; padded positions count as zeros in the average."""

    _num_spatial_dims = 3
    _averages = True


class MaxPool1d(_PoolOfFixedDimension, init=False):
    """Maximum over windows of a `(channels, length)` input, as `equinox.nn.MaxPool1d`:
    `Pool` with `num_spatial_dims=1`; padded positions never win the maximum."""

    _num_spatial_dims = 1


class MaxPool2d(_PoolOfFixedDimension, init=False):
    """Maximum over windows of a `(channels, height, width)` input, as `equinox.nn.MaxPool2d`:
    `Pool` with `num_spatial_dims=2`; padded positions never win the maximum."""

    _num_spatial_dims = 2


class MaxPool3d(_PoolOfFixedDimension, init=False):
    """Maximum over windows of a `(channels, depth, height, width)` input, as `equinox.nn.MaxPool3d`:
    `Pool` with `num_spatial_dims=3`; padded positions never win the maximum."""

    _num_spatial_dims = 3


def _adaptive_axis(
    x: jax.Array, axis: int, target: int, operation: Callable[[jax.Array], jax.Array]
) -> jax.Array:
    """Reduce `axis` of `x` to `target` windows: the first `size % target` windows hold
    one element more than the others, as in Equinox."""
    y = jnp.moveaxis(x, axis, -1)
    lead, size = y.shape[:-1], y.shape[-1]
    short, longer = size // target, size % target
    split = longer * (short + 1)
    pieces = []
    for part, width in ((y[..., :split], short + 1), (y[..., split:], short)):
        if part.shape[-1]:
            windows = part.reshape(-1, width)
            pieces.append(jax.vmap(operation)(windows).reshape(*lead, -1))
    return jnp.moveaxis(jnp.concatenate(pieces, axis=-1), -1, axis)


class AdaptivePool(Module):
    """Pools `(channels, *spatial)` inputs of any spatial size to `target_shape`.

    As `equinox.nn.AdaptivePool`: along each spatial axis, `operation` reduces each
    of `target` nearly equal windows (a 1-d array) to one value.

    Args:
        target_shape: The output's spatial shape, an int or one per spatial axis.
        num_spatial_dims: The number of spatial axes of the input.
        operation: Reduces a 1-d array to a scalar, such as `jnp.mean`.

    Raises:
        TypeError: If `operation` is not callable.
        ValueError: If `target_shape` is not a positive int or one per axis.
    """

    target_shape: tuple[int, ...] = field(static=True)
    operation: Callable[[jax.Array], jax.Array]

    def __init__(
        self,
        target_shape: int | Sequence[int],
        num_spatial_dims: int,
        operation: Callable[[jax.Array], jax.Array],
    ) -> None:
        n = check_size(self, "num_spatial_dims", num_spatial_dims, allow_scalar=False)
        self.target_shape = ntuple(self, "target_shape", target_shape, n)
        if not callable(operation):
            raise TypeError(_MSG_NOT_CALLABLE.format(layer=layer_name(self), operation=operation))
        self.operation = operation

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        """Pool `x` to `target_shape`.

        Args:
            x: An input of shape `(channels, *spatial)`, each spatial size at least
                the target size.
            key: Ignored; accepted for a uniform layer interface.

        Returns:
            The output, shape `(channels, *target_shape)`.

        Raises:
            ValueError: If `x` has the wrong number of axes or a spatial axis smaller
                than its target.
        """
        _check_rank(self, x, len(self.target_shape))
        if any(size < t for size, t in zip(x.shape[1:], self.target_shape, strict=True)):
            raise ValueError(
                _MSG_TOO_SMALL.format(
                    layer=layer_name(self), target=self.target_shape, shape=x.shape
                )
            )
        for axis, target in enumerate(self.target_shape, start=1):
            x = _adaptive_axis(x, axis, target, self.operation)
        return x


# The per-dimension classes share one written-out `__init__` and declare
# `init=False` (as in nn/_conv.py).


class _AdaptivePoolOfFixedDimension(AdaptivePool):
    _num_spatial_dims: ClassVar[int]
    _averages: ClassVar[bool] = False

    def __init__(self, target_shape: int | Sequence[int]) -> None:
        super().__init__(
            target_shape=target_shape,
            num_spatial_dims=self._num_spatial_dims,
            operation=jnp.mean if self._averages else jnp.max,
        )


class AdaptiveAvgPool1d(_AdaptivePoolOfFixedDimension, init=False):
    """Mean-pools a `(channels, length)` input to `(channels, *target_shape)`:
    `AdaptivePool` with `num_spatial_dims=1`."""

    _num_spatial_dims = 1
    _averages = True


class AdaptiveAvgPool2d(_AdaptivePoolOfFixedDimension, init=False):
    """Mean-pools a `(channels, height, width)` input to `(channels, *target_shape)`:
    `AdaptivePool` with `num_spatial_dims=2`."""

    _num_spatial_dims = 2
    _averages = True


class AdaptiveAvgPool3d(_AdaptivePoolOfFixedDimension, init=False):
    """Mean-pools a `(channels, depth, height, width)` input to `(channels, *target_shape)`:
    `AdaptivePool` with `num_spatial_dims=3`."""

    _num_spatial_dims = 3
    _averages = True


class AdaptiveMaxPool1d(_AdaptivePoolOfFixedDimension, init=False):
    """Max-pools a `(channels, length)` input to `(channels, *target_shape)`:
    `AdaptivePool` with `num_spatial_dims=1`."""

    _num_spatial_dims = 1


class AdaptiveMaxPool2d(_AdaptivePoolOfFixedDimension, init=False):
    """Max-pools a `(channels, height, width)` input to `(channels, *target_shape)`:
    `AdaptivePool` with `num_spatial_dims=2`."""

    _num_spatial_dims = 2


class AdaptiveMaxPool3d(_AdaptivePoolOfFixedDimension, init=False):
    """Max-pools a `(channels, depth, height, width)` input to `(channels, *target_shape)`:
    `AdaptivePool` with `num_spatial_dims=3`."""

    _num_spatial_dims = 3
