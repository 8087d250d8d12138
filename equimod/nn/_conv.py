"""`Conv`, `Conv1d`, `Conv2d`, `Conv3d`: N-dimensional convolutions over channel-first inputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import jax
import jax.numpy as jnp

from .._module import Module, field
from ._defaults_and_checks import layer_name
from ._spatial import check_input, set_convolution_fields

_PADDING_MODES = {"ZEROS": None, "REFLECT": "reflect", "REPLICATE": "edge", "CIRCULAR": "wrap"}
_MODE_NAMES = ", ".join(repr(mode) for mode in _PADDING_MODES)
_MSG_PADDING_MODE = "{layer}: padding_mode must be one of {modes}; got {value!r}."


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
        if not isinstance(padding_mode, str) or padding_mode.upper() not in _PADDING_MODES:
            raise ValueError(
                _MSG_PADDING_MODE.format(
                    layer=layer_name(self), modes=_MODE_NAMES, value=padding_mode
                )
            )
        set_convolution_fields(
            self,
            num_spatial_dims,
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            use_bias,
            dtype,
            key,
        )
        self.padding_mode = padding_mode.upper()

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
                # (Untyped in JAX 0.4.38, the oldest supported.)
                pads = jax.lax.padtype_to_pads(  # type: ignore[no-untyped-call,unused-ignore]
                    x.shape[1:], dilated, self.stride, padding
                )
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


# The per-dimension classes share one written-out `__init__` and declare
# `init=False`, which tells checkers that apply dataclass rules to keep it, not to
# synthesise one from the fields (see docs/design.md, "Where checkers read the types").


class _ConvOfFixedDimension(Conv):
    _num_spatial_dims: ClassVar[int]

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
            num_spatial_dims=self._num_spatial_dims,
            in_channels=in_channels,
            out_channels=out_channels,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            use_bias=use_bias,
            padding_mode=padding_mode,
            dtype=dtype,
            key=key,
        )


class Conv1d(_ConvOfFixedDimension, init=False):
    """`Conv` with `num_spatial_dims=1`: input `(in_channels, length)`."""

    _num_spatial_dims = 1


class Conv2d(_ConvOfFixedDimension, init=False):
    """`Conv` with `num_spatial_dims=2`: input `(in_channels, height, width)`."""

    _num_spatial_dims = 2


class Conv3d(_ConvOfFixedDimension, init=False):
    """`Conv` with `num_spatial_dims=3`: input `(in_channels, depth, height, width)`."""

    _num_spatial_dims = 3
