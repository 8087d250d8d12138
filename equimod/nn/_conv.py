"""`Conv`, `Conv1d`, `Conv2d`, `Conv3d`: N-dimensional convolutions over channel-first inputs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeGuard

import jax
import jax.numpy as jnp

from .._module import Module, field
from ._misc import check_size, default_floating_dtype, uniform_init

_PADDING_STRINGS = ("SAME", "SAME_LOWER", "VALID")
_PADDING_MODES = {"ZEROS": None, "REFLECT": "reflect", "REPLICATE": "edge", "CIRCULAR": "wrap"}
_MODE_NAMES = "'ZEROS', 'REFLECT', 'REPLICATE', 'CIRCULAR'"

_MSG_GROUPS = (
    "{layer}: in_channels (={in_channels}) and out_channels (={out_channels}) must both be "
    "divisible by groups (={groups})."
)
_MSG_TUPLE = (
    "{layer}: {name} must be an int >= {minimum} or a sequence of {n} such ints (one per "
    "spatial dimension), got {value!r}."
)
_MSG_PADDING = (
    "{layer}: padding must be 'SAME', 'SAME_LOWER', 'VALID', an int, a sequence of {n} ints, "
    "or a sequence of {n} (before, after) pairs; got {value!r}."
)
_MSG_PADDING_MODE = "{layer}: padding_mode must be one of {modes}; got {value!r}."
_MSG_RANK = (
    "{layer} ({n} spatial dimensions) expects an input of rank {rank}, shape (in_channels, *spatial), got shape "
    "{shape}. For a batch, use jax.vmap(conv)(x)."
)
_MSG_CHANNELS = "{layer}: the input has {got} channels (its first axis) but in_channels is {want}."


def ntuple(
    layer: str, name: str, value: int | Sequence[int], n: int, minimum: int = 1
) -> tuple[int, ...]:
    """`value` as one int per spatial dimension, each at least `minimum`."""
    if isinstance(value, int) and not isinstance(value, bool):
        values: tuple[Any, ...] = (value,) * n
    elif isinstance(value, Sequence) and len(value) == n:
        values = tuple(value)
    else:
        raise ValueError(
            _MSG_TUPLE.format(layer=layer, name=name, minimum=minimum, n=n, value=value)
        )
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            raise ValueError(
                _MSG_TUPLE.format(layer=layer, name=name, minimum=minimum, n=n, value=value)
            )
    return values


def parse_padding(
    layer: str, value: str | int | Sequence[int] | Sequence[tuple[int, int]], n: int
) -> str | tuple[tuple[int, int], ...]:
    """A padding string in upper case, or one `(before, after)` pair per spatial dimension."""
    error = ValueError(_MSG_PADDING.format(layer=layer, n=n, value=value))
    if isinstance(value, str):
        if value.upper() not in _PADDING_STRINGS:
            raise error
        return value.upper()
    pairs = padding_pairs(value, n)
    if pairs is None:
        raise error
    return pairs


def padding_pairs(value: object, n: int) -> tuple[tuple[int, int], ...] | None:
    """One `(before, after)` pair per dimension from a size, `n` sizes or `n` pairs;
    None for anything else."""
    if _is_size(value):
        return ((value, value),) * n
    if not isinstance(value, Sequence) or len(value) != n:
        return None
    pairs = []
    for item in value:
        if _is_size(item):
            pairs.append((item, item))
        elif isinstance(item, Sequence) and len(item) == 2 and all(map(_is_size, item)):
            pairs.append((int(item[0]), int(item[1])))
        else:
            return None
    return tuple(pairs)


def _is_size(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_channels(layer: str, in_channels: int, out_channels: int, groups: int) -> None:
    """Channel counts and groups a convolution can use."""
    check_size(layer, "in_channels", in_channels, allow_scalar=False)
    check_size(layer, "out_channels", out_channels, allow_scalar=False)
    check_size(layer, "groups", groups, allow_scalar=False)
    if in_channels % groups or out_channels % groups:
        raise ValueError(
            _MSG_GROUPS.format(
                layer=layer, in_channels=in_channels, out_channels=out_channels, groups=groups
            )
        )


def check_input(layer: Any, x: jax.Array) -> None:
    """`x` is one unbatched input of `layer`, a convolution: `(in_channels, *spatial)`."""
    n = layer.num_spatial_dims
    if x.ndim != n + 1:
        raise ValueError(
            _MSG_RANK.format(layer=type(layer).__name__, n=n, rank=n + 1, shape=x.shape)
        )
    if x.shape[0] != layer.in_channels:
        raise ValueError(
            _MSG_CHANNELS.format(layer=type(layer).__name__, got=x.shape[0], want=layer.in_channels)
        )


def init_weight_and_bias(
    key: jax.Array,
    in_channels: int,
    out_channels: int,
    groups: int,
    kernel_size: tuple[int, ...],
    use_bias: bool,
    dtype: Any,
) -> tuple[jax.Array, jax.Array | None]:
    """Equinox's initialisation of a (transposed) convolution: uniform in
    `±1/sqrt(in_channels // groups * prod(kernel_size))`."""
    dtype = default_floating_dtype() if dtype is None else dtype
    wkey, bkey = jax.random.split(key)
    group_in = in_channels // groups
    limit = 1 / math.sqrt(group_in * math.prod(kernel_size))
    weight = uniform_init(wkey, (out_channels, group_in, *kernel_size), dtype, limit)
    bias_shape = (out_channels,) + (1,) * len(kernel_size)
    bias = uniform_init(bkey, bias_shape, dtype, limit) if use_bias else None
    return weight, bias


class Conv(Module):
    """General N-dimensional convolution, as `equinox.nn.Conv`.

    Input shape `(in_channels, *spatial)`, output `(out_channels, *new_spatial)`;
    weights of shape `(out_channels, in_channels // groups, *kernel_size)`
    initialised uniformly in `±1/sqrt(in_channels // groups * prod(kernel_size))`.

    Args:
        num_spatial_dims: The number of spatial axes of the input.
        in_channels: The number of input channels (the input's first axis).
        out_channels: The number of output channels.
        kernel_size: The size of the kernel, an int or one per spatial axis.
        stride: The step between applications of the kernel, an int or one per
            spatial axis.
        padding: An int or one per axis (zeros on both sides), a pair `(before,
            after)` per axis, or `"SAME"`/`"SAME_LOWER"`/`"VALID"`.
        dilation: The spacing between kernel elements, an int or one per axis.
        groups: Split the channels into this many groups, convolved separately;
            it must divide `in_channels` and `out_channels`.
        use_bias: Whether to add a bias per output channel.
        padding_mode: `"ZEROS"`, `"REFLECT"`, `"REPLICATE"` or `"CIRCULAR"`: what the padding is filled
            with.
        dtype: The parameters' dtype (default float32, float64 under x64).
        key: A PRNG key for the initialisation.

    Raises:
        ValueError: If `groups` does not divide the channel counts, a per-axis
            argument has the wrong length, or `padding` or `padding_mode` is not
            valid.
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
        check_channels("Conv", in_channels, out_channels, groups)
        if not isinstance(padding_mode, str) or padding_mode.upper() not in _PADDING_MODES:
            raise ValueError(
                _MSG_PADDING_MODE.format(layer="Conv", modes=_MODE_NAMES, value=padding_mode)
            )
        n = num_spatial_dims
        self.num_spatial_dims = n
        self.kernel_size = ntuple("Conv", "kernel_size", kernel_size, n)
        self.stride = ntuple("Conv", "stride", stride, n)
        self.dilation = ntuple("Conv", "dilation", dilation, n)
        self.padding = parse_padding("Conv", padding, n)
        self.padding_mode = padding_mode.upper()
        self.weight, self.bias = init_weight_and_bias(
            key, in_channels, out_channels, groups, self.kernel_size, use_bias, dtype
        )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.groups = groups
        self.use_bias = use_bias

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        """Convolve `x`.

        Args:
            x: An input of shape `(in_channels, *spatial)`.
            key: Ignored; accepted for a uniform layer interface.

        Returns:
            The output, shape `(out_channels, *new_spatial)`.

        Raises:
            ValueError: If `x` does not have `num_spatial_dims + 1` axes or
                `in_channels` channels.
        """
        check_input(self, x)
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
    """`Conv` with one spatial dimension: input `(in_channels, length)`.

    Args:
        in_channels: The number of input channels (the input's first axis).
        out_channels: The number of output channels.
        kernel_size: The size of the kernel, an int or one per spatial axis.
        stride: The step between applications of the kernel, an int or one per
            spatial axis.
        padding: An int or one per axis (zeros on both sides), a pair `(before,
            after)` per axis, or `"SAME"`/`"SAME_LOWER"`/`"VALID"`.
        dilation: The spacing between kernel elements, an int or one per axis.
        groups: Split the channels into this many groups, convolved separately;
            it must divide `in_channels` and `out_channels`.
        use_bias: Whether to add a bias per output channel.
        padding_mode: `"ZEROS"`, `"REFLECT"`, `"REPLICATE"` or `"CIRCULAR"`: what the padding is filled
            with.
        dtype: The parameters' dtype (default float32, float64 under x64).
        key: A PRNG key for the initialisation.

    Raises:
        ValueError: If `groups` does not divide the channel counts, a per-axis
            argument has the wrong length, or `padding` or `padding_mode` is not
            valid.
    """

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
    """`Conv` with two spatial dimensions: input `(in_channels, height, width)`.

    Args:
        in_channels: The number of input channels (the input's first axis).
        out_channels: The number of output channels.
        kernel_size: The size of the kernel, an int or one per spatial axis.
        stride: The step between applications of the kernel, an int or one per
            spatial axis.
        padding: An int or one per axis (zeros on both sides), a pair `(before,
            after)` per axis, or `"SAME"`/`"SAME_LOWER"`/`"VALID"`.
        dilation: The spacing between kernel elements, an int or one per axis.
        groups: Split the channels into this many groups, convolved separately;
            it must divide `in_channels` and `out_channels`.
        use_bias: Whether to add a bias per output channel.
        padding_mode: `"ZEROS"`, `"REFLECT"`, `"REPLICATE"` or `"CIRCULAR"`: what the padding is filled
            with.
        dtype: The parameters' dtype (default float32, float64 under x64).
        key: A PRNG key for the initialisation.

    Raises:
        ValueError: If `groups` does not divide the channel counts, a per-axis
            argument has the wrong length, or `padding` or `padding_mode` is not
            valid.
    """

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


class Conv3d(Conv):
    """`Conv` with three spatial dimensions: input `(in_channels, depth, height, width)`.

    Args:
        in_channels: The number of input channels (the input's first axis).
        out_channels: The number of output channels.
        kernel_size: The size of the kernel, an int or one per spatial axis.
        stride: The step between applications of the kernel, an int or one per
            spatial axis.
        padding: An int or one per axis (zeros on both sides), a pair `(before,
            after)` per axis, or `"SAME"`/`"SAME_LOWER"`/`"VALID"`.
        dilation: The spacing between kernel elements, an int or one per axis.
        groups: Split the channels into this many groups, convolved separately;
            it must divide `in_channels` and `out_channels`.
        use_bias: Whether to add a bias per output channel.
        padding_mode: `"ZEROS"`, `"REFLECT"`, `"REPLICATE"` or `"CIRCULAR"`: what the padding is filled
            with.
        dtype: The parameters' dtype (default float32, float64 under x64).
        key: A PRNG key for the initialisation.

    Raises:
        ValueError: If `groups` does not divide the channel counts, a per-axis
            argument has the wrong length, or `padding` or `padding_mode` is not
            valid.
    """

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
            3, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
            use_bias, padding_mode, dtype, key=key,
        )  # fmt: skip
