"""`Conv`, `Conv1d`, `Conv2d`: N-dimensional convolutions over channel-first inputs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from .._module import Module, field
from ._misc import check_size, default_floating_dtype, uniform_init

_PADDING_STRINGS = ("SAME", "SAME_LOWER", "VALID")
_PADDING_MODES = {"ZEROS": None, "REFLECT": "reflect", "REPLICATE": "edge", "CIRCULAR": "wrap"}

_MSG_GROUPS = "Conv: in_channels (={in_channels}) must be divisible by groups (={groups})."
_MSG_TUPLE = (
    "Conv: {name} must be an int or a sequence of {n} ints (one per spatial dimension), "
    "got {value!r}."
)
_MSG_PADDING = (
    "Conv: padding must be 'SAME', 'SAME_LOWER', 'VALID', an int, a sequence of {n} ints, "
    "or a sequence of {n} (before, after) pairs; got {value!r}."
)
_MSG_PADDING_MODE = (
    "Conv: padding_mode must be one of 'ZEROS', 'REFLECT', 'REPLICATE', 'CIRCULAR'; got {value!r}."
)
_MSG_RANK = (
    "Conv{n}d expects an input of rank {rank}, shape (in_channels, *spatial), got shape "
    "{shape}. For a batch, use jax.vmap(conv)(x)."
)
_MSG_CHANNELS = "Conv: the input has {got} channels (its first axis) but in_channels is {want}."


def _ntuple(name: str, value: int | Sequence[int], n: int) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        values: tuple[Any, ...] = (value,) * n
    elif isinstance(value, Sequence) and len(value) == n:
        values = tuple(value)
    else:
        raise ValueError(_MSG_TUPLE.format(name=name, n=n, value=value))
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ValueError(_MSG_TUPLE.format(name=name, n=n, value=value))
    return values


def _padding(
    value: str | int | Sequence[int] | Sequence[tuple[int, int]], n: int
) -> str | tuple[tuple[int, int], ...]:
    if isinstance(value, str):
        if value.upper() not in _PADDING_STRINGS:
            raise ValueError(_MSG_PADDING.format(n=n, value=value))
        return value.upper()
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return ((value, value),) * n
    if isinstance(value, Sequence) and len(value) == n:
        pairs = []
        for item in value:
            if isinstance(item, int) and not isinstance(item, bool) and item >= 0:
                pairs.append((item, item))
            elif (
                isinstance(item, Sequence)
                and len(item) == 2
                and all(isinstance(p, int) and p >= 0 for p in item)
            ):
                pairs.append((int(item[0]), int(item[1])))
            else:
                raise ValueError(_MSG_PADDING.format(n=n, value=value))
        return tuple(pairs)
    raise ValueError(_MSG_PADDING.format(n=n, value=value))


class Conv(Module):
    """General N-dimensional convolution, as `equinox.nn.Conv`.

    Input shape `(in_channels, *spatial)`, output `(out_channels, *new_spatial)`;
    weights of shape `(out_channels, in_channels // groups, *kernel_size)`
    initialised uniformly in `±1/sqrt(in_channels // groups * prod(kernel_size))`.
    """

    num_spatial_dims: int = field(static=True)
    weight: jax.Array
    bias: jax.Array | None
    in_channels: int = field(static=True)
    out_channels: int = field(static=True)
    kernel_size: tuple[int, ...] = field(static=True)
    stride: tuple[int, ...] = field(static=True)
    padding: str | tuple[tuple[int, int], ...] = field(static=True)
    dilation: tuple[int, ...] = field(static=True)
    groups: int = field(static=True)
    use_bias: bool = field(static=True)
    padding_mode: str = field(static=True)

    def __init__(
        self,
        num_spatial_dims: int,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: str | int | Sequence[int] | Sequence[tuple[int, int]] = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None:
        check_size("Conv", "num_spatial_dims", num_spatial_dims, allow_scalar=False)
        check_size("Conv", "in_channels", in_channels, allow_scalar=False)
        check_size("Conv", "out_channels", out_channels, allow_scalar=False)
        check_size("Conv", "groups", groups, allow_scalar=False)
        if in_channels % groups != 0:
            raise ValueError(_MSG_GROUPS.format(in_channels=in_channels, groups=groups))
        if not isinstance(padding_mode, str) or padding_mode.upper() not in _PADDING_MODES:
            raise ValueError(_MSG_PADDING_MODE.format(value=padding_mode))
        n = num_spatial_dims
        self.num_spatial_dims = n
        self.kernel_size = _ntuple("kernel_size", kernel_size, n)
        self.stride = _ntuple("stride", stride, n)
        self.dilation = _ntuple("dilation", dilation, n)
        self.padding = _padding(padding, n)
        self.padding_mode = padding_mode.upper()
        dtype = default_floating_dtype() if dtype is None else dtype
        wkey, bkey = jax.random.split(key)
        group_in = in_channels // groups
        limit = 1 / math.sqrt(group_in * math.prod(self.kernel_size))
        self.weight = uniform_init(wkey, (out_channels, group_in, *self.kernel_size), dtype, limit)
        self.bias = (
            uniform_init(bkey, (out_channels,) + (1,) * n, dtype, limit) if use_bias else None
        )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.groups = groups
        self.use_bias = use_bias

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        """Convolve `x` of shape `(in_channels, *spatial)`; `key` is ignored."""
        n = self.num_spatial_dims
        if x.ndim != n + 1:
            raise ValueError(_MSG_RANK.format(n=n, rank=n + 1, shape=x.shape))
        if x.shape[0] != self.in_channels:
            raise ValueError(_MSG_CHANNELS.format(got=x.shape[0], want=self.in_channels))
        padding = self.padding
        mode = _PADDING_MODES[self.padding_mode]
        if mode is not None:
            if isinstance(padding, str):
                dilated = tuple(
                    d * (k - 1) + 1 for k, d in zip(self.kernel_size, self.dilation, strict=True)
                )
                pads = jax.lax.padtype_to_pads(x.shape[1:], dilated, self.stride, padding)
            else:
                pads = list(padding)
            x = jnp.pad(x, [(0, 0), *pads], mode=mode)
            padding = "VALID"
        y = jax.lax.conv_general_dilated(
            lhs=x[None],
            rhs=self.weight,
            window_strides=self.stride,
            padding=padding,
            rhs_dilation=self.dilation,
            feature_group_count=self.groups,
        )[0]
        if self.bias is not None:
            y = y + self.bias
        return y


class Conv1d(Conv):
    """`Conv` with one spatial dimension: input `(in_channels, length)`."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: str | int | Sequence[int] | Sequence[tuple[int, int]] = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None:
        super().__init__(
            1, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
            use_bias, padding_mode, dtype, key=key,
        )  # fmt: skip


class Conv2d(Conv):
    """`Conv` with two spatial dimensions: input `(in_channels, height, width)`."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: str | int | Sequence[int] | Sequence[tuple[int, int]] = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None:
        super().__init__(
            2, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
            use_bias, padding_mode, dtype, key=key,
        )  # fmt: skip
