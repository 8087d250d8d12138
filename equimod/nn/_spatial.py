"""What the layers over spatial axes share (convolutions, transposed convolutions,
pools): per-axis arguments, padding, channel checks and the initialisation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeGuard

import jax

from ._defaults_and_checks import check_size, default_floating_dtype, layer_name, uniform_init

_PADDING_STRINGS = ("SAME", "SAME_LOWER", "VALID")

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
_MSG_RANK = (
    "{layer} ({n} spatial dimensions) expects an input of rank {rank}, shape (in_channels, *spatial), got shape "
    "{shape}. For a batch, use jax.vmap(conv)(x)."
)
_MSG_CHANNELS = "{layer}: the input has {got} channels (its first axis) but in_channels is {want}."


def ntuple(
    layer: object, name: str, value: int | Sequence[int], n: int, minimum: int = 1
) -> tuple[int, ...]:
    """`value` as one int per spatial dimension, each at least `minimum`."""
    if isinstance(value, int) and not isinstance(value, bool):
        values: tuple[Any, ...] = (value,) * n
    elif isinstance(value, Sequence) and len(value) == n:
        values = tuple(value)
    else:
        raise ValueError(
            _MSG_TUPLE.format(layer=layer_name(layer), name=name, minimum=minimum, n=n, value=value)
        )
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            raise ValueError(
                _MSG_TUPLE.format(
                    layer=layer_name(layer), name=name, minimum=minimum, n=n, value=value
                )
            )
    return values


def parse_padding(
    layer: object, value: str | int | Sequence[int] | Sequence[tuple[int, int]], n: int
) -> str | tuple[tuple[int, int], ...]:
    """A padding string in upper case, or one `(before, after)` pair per spatial dimension."""
    error = ValueError(_MSG_PADDING.format(layer=layer_name(layer), n=n, value=value))
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


def check_channels(layer: object, in_channels: int, out_channels: int, groups: int) -> None:
    """Channel counts and groups a convolution can use."""
    check_size(layer, "in_channels", in_channels, allow_scalar=False)
    check_size(layer, "out_channels", out_channels, allow_scalar=False)
    check_size(layer, "groups", groups, allow_scalar=False)
    if in_channels % groups or out_channels % groups:
        raise ValueError(
            _MSG_GROUPS.format(
                layer=layer_name(layer),
                in_channels=in_channels,
                out_channels=out_channels,
                groups=groups,
            )
        )


def check_input(layer: Any, x: jax.Array) -> None:
    """`x` is one unbatched input of `layer`, a convolution: `(in_channels, *spatial)`."""
    n = layer.num_spatial_dims
    if x.ndim != n + 1:
        raise ValueError(_MSG_RANK.format(layer=layer_name(layer), n=n, rank=n + 1, shape=x.shape))
    if x.shape[0] != layer.in_channels:
        raise ValueError(
            _MSG_CHANNELS.format(layer=layer_name(layer), got=x.shape[0], want=layer.in_channels)
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


def set_convolution_fields(
    layer: Any,
    num_spatial_dims: int,
    in_channels: int,
    out_channels: int,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int],
    padding: str | int | Sequence[int] | Sequence[tuple[int, int]],
    dilation: int | Sequence[int],
    groups: int,
    use_bias: bool,
    dtype: Any,
    key: jax.Array,
) -> None:
    """Check and set, from inside its `__init__`, the fields that a convolution and a
    transposed convolution share, and initialise its weight and bias."""
    n = check_size(layer, "num_spatial_dims", num_spatial_dims, allow_scalar=False)
    check_channels(layer, in_channels, out_channels, groups)
    layer.num_spatial_dims = n
    layer.kernel_size = ntuple(layer, "kernel_size", kernel_size, n)
    layer.stride = ntuple(layer, "stride", stride, n)
    layer.dilation = ntuple(layer, "dilation", dilation, n)
    layer.padding = parse_padding(layer, padding, n)
    layer.weight, layer.bias = init_weight_and_bias(
        key, in_channels, out_channels, groups, layer.kernel_size, use_bias, dtype
    )
    layer.in_channels = in_channels
    layer.out_channels = out_channels
    layer.groups = groups
    layer.use_bias = use_bias
