"""`ConvTranspose` and its 1, 2 and 3-dimensional forms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import jax
import jax.numpy as jnp

from .._module import Module, field
from ._defaults_and_checks import layer_name
from ._spatial import check_input, ntuple, set_convolution_fields

_MSG_OUTPUT_PADDING = (
    "{layer}: output_padding {output_padding} must be smaller than stride {stride} "
    "in every dimension; it only chooses among the input shapes the forward convolution "
    "maps to the same output."
)
_MSG_MODE = (
    "{layer}: padding_mode={mode!r} is not supported; use 'ZEROS', or 'CIRCULAR' with "
    "padding='SAME' or 'SAME_LOWER' and output_padding=0."
)


def _transposed_padding(
    padding: str | tuple[tuple[int, int], ...],
    kernel_size: tuple[int, ...],
    stride: tuple[int, ...],
    output_padding: tuple[int, ...],
    dilation: tuple[int, ...],
) -> tuple[tuple[int, int], ...]:
    """The padding of the stride-1 convolution over the dilated input that undoes the
    forward convolution's connectivity (Dumoulin & Visin, arXiv:1603.07285, sec. 4)."""
    pairs = []
    for dim, (k, s, extra, d) in enumerate(
        zip(kernel_size, stride, output_padding, dilation, strict=True)
    ):
        span = d * (k - 1)
        if padding == "VALID":
            before = after = 0
        elif isinstance(padding, str):
            # The forward padding that keeps the size; output_padding is folded into it,
            # and only what a negative total cannot absorb is added at the end.
            total = span - s + extra + 1
            extra = max(0, -total)
            total = max(0, total)
            before = (total + (padding == "SAME_LOWER")) // 2
            after = total - before
        else:
            before, after = padding[dim]
        pairs.append((span - before, span - after + extra))
    return tuple(pairs)


class ConvTranspose(Module):
    """General N-dimensional transposed convolution, as `equinox.nn.ConvTranspose`.

    Maps the shape of a `Conv`'s output back to the shape of its input with the same
    connectivity: pass the forward convolution's `kernel_size`, `stride`, `padding`,
    `dilation` and `groups`, with the channel counts swapped.

    Args:
        num_spatial_dims: The number of spatial axes of the input.
        in_channels: The number of input channels (the input's first axis).
        out_channels: The number of output channels.
        kernel_size: The size of the kernel, an int or one per spatial axis.
        stride: The step between applications of the kernel, an int or one per
            spatial axis.
        padding: An int or one per axis (zeros on both sides), a pair `(before,
            after)` per axis, or `"SAME"`/`"SAME_LOWER"`/`"VALID"`. As for the forward convolution.
        output_padding: Extra size added to one side of each spatial axis of the
            output (an int or one per axis, each `< stride`): picks, among the
            input shapes a strided convolution maps to one output shape, the one
            to return.
        dilation: The spacing between kernel elements, an int or one per axis.
        groups: Split the channels into this many groups, convolved separately;
            it must divide `in_channels` and `out_channels`.
        use_bias: Whether to add a bias per output channel.
        padding_mode: `"ZEROS"` or `"CIRCULAR"` (with `"SAME"` padding): what the padding is filled
            with.
        dtype: The parameters' dtype (default float32, float64 under x64).
        key: A PRNG key for the initialisation.

    Raises:
        ValueError: If `groups` does not divide the channel counts, a per-axis
            argument has the wrong length, or `padding`, `padding_mode` or `output_padding` is not
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
    output_padding: tuple[int, ...] = field(static=True)
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
        output_padding: int | Sequence[int] = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None:
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
        self.output_padding = ntuple(
            self, "output_padding", output_padding, self.num_spatial_dims, minimum=0
        )
        if any(o >= s for o, s in zip(self.output_padding, self.stride, strict=True)):
            raise ValueError(
                _MSG_OUTPUT_PADDING.format(
                    layer=layer_name(self), output_padding=self.output_padding, stride=self.stride
                )
            )
        mode = padding_mode.upper() if isinstance(padding_mode, str) else padding_mode
        circular_ok = self.padding in ("SAME", "SAME_LOWER") and not any(self.output_padding)
        if mode != "ZEROS" and not (mode == "CIRCULAR" and circular_ok):
            raise ValueError(_MSG_MODE.format(layer=layer_name(self), mode=padding_mode))
        self.padding_mode = mode

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        """Transposed convolution of `x`.

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
        pads = _transposed_padding(
            self.padding, self.kernel_size, self.stride, self.output_padding, self.dilation
        )
        if self.padding_mode == "CIRCULAR":
            # Wrap whole input positions around; what is left, less than one stride,
            # stays zero padding of the dilated input.
            wraps = [(0, 0)] + [
                (lo // s, hi // s) for (lo, hi), s in zip(pads, self.stride, strict=True)
            ]
            x = jnp.pad(x, wraps, mode="wrap")
            pads = tuple((lo % s, hi % s) for (lo, hi), s in zip(pads, self.stride, strict=True))
        y = jax.lax.conv_general_dilated(
            lhs=x[None],
            rhs=self.weight,
            window_strides=(1,) * self.num_spatial_dims,
            padding=pads,
            lhs_dilation=self.stride,
            rhs_dilation=self.dilation,
            feature_group_count=self.groups,
        )[0]
        if self.bias is not None:
            y = y + self.bias
        return y


# The per-dimension classes share one written-out `__init__` (as in nn/_conv.py),
# with `output_padding` before `padding`, as in Equinox's per-dimension classes (its
# general class has them the other way round, as `ConvTranspose` does): calls
# passing both by position must mean the same.


class _ConvTransposeOfFixedDimension(ConvTranspose):
    _num_spatial_dims: ClassVar[int]

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        output_padding: int | Sequence[int] = 0,
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
            output_padding=output_padding,
            dilation=dilation,
            groups=groups,
            use_bias=use_bias,
            padding_mode=padding_mode,
            dtype=dtype,
            key=key,
        )


class ConvTranspose1d(_ConvTransposeOfFixedDimension, init=False):
    """`ConvTranspose` with `num_spatial_dims=1`, taking `output_padding` before
    `padding`: input `(in_channels, length)`."""

    _num_spatial_dims = 1


class ConvTranspose2d(_ConvTransposeOfFixedDimension, init=False):
    """`ConvTranspose` with `num_spatial_dims=2`, taking `output_padding` before
    `padding`: input `(in_channels, height, width)`."""

    _num_spatial_dims = 2


class ConvTranspose3d(_ConvTransposeOfFixedDimension, init=False):
    """`ConvTranspose` with `num_spatial_dims=3`, taking `output_padding` before
    `padding`: input `(in_channels, depth, height, width)`."""

    _num_spatial_dims = 3
