# Type stubs for equimod.nn: constructor and call signatures as IDEs should show them.

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, Generic, Literal, TypeVar, overload

import jax
from typing_extensions import ParamSpec

from .. import Module

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AdaptivePool",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "BatchNorm",
    "Conv",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "delete_init_state",
    "Dropout",
    "Embedding",
    "GroupNorm",
    "GRUCell",
    "Identity",
    "inference_mode",
    "Lambda",
    "LayerNorm",
    "Linear",
    "LSTMCell",
    "make_with_state",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "MLP",
    "MultiheadAttention",
    "Pool",
    "PReLU",
    "RMSNorm",
    "RotaryPositionalEmbedding",
    "Sequential",
    "Shared",
    "SpectralNorm",
    "State",
    "StatefulLayer",
    "StateIndex",
    "WeightNorm",
]

class Linear(Module):
    weight: jax.Array
    bias: jax.Array | None
    in_features: int | Literal["scalar"]
    out_features: int | Literal["scalar"]
    use_bias: bool
    def __init__(
        self,
        in_features: int | Literal["scalar"],
        out_features: int | Literal["scalar"],
        use_bias: bool = True,
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...

class MLP(Module):
    layers: tuple[Linear, ...]
    activation: Callable[[jax.Array], jax.Array]
    final_activation: Callable[[jax.Array], jax.Array]
    use_bias: bool
    use_final_bias: bool
    in_size: int | Literal["scalar"]
    out_size: int | Literal["scalar"]
    width_size: int
    depth: int
    scan: bool
    def __init__(
        self,
        in_size: int | Literal["scalar"],
        out_size: int | Literal["scalar"],
        width_size: int,
        depth: int,
        activation: Callable[[jax.Array], jax.Array] = ...,
        final_activation: Callable[[jax.Array], jax.Array] = ...,
        use_bias: bool = True,
        use_final_bias: bool = True,
        dtype: Any = None,
        *,
        scan: bool = False,
        key: jax.Array,
    ) -> None: ...
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...

_T = TypeVar("_T")
_P = ParamSpec("_P")
_Value = TypeVar("_Value")
_Layer = TypeVar("_Layer")

class StateIndex(Module, Generic[_Value]):
    marker: object
    init: _Value
    def __init__(self, init: _Value) -> None: ...

class State:
    def __init__(self, model: Any) -> None: ...
    def get(self, item: StateIndex[_Value]) -> _Value: ...
    def set(self, item: StateIndex[_Value], value: _Value) -> State: ...
    def substate(self, pytree: Any) -> State: ...
    def update(self, substate: State) -> State: ...
    def __iter__(self) -> Iterator[object]: ...

def make_with_state(make_model: Callable[_P, _T]) -> Callable[_P, tuple[_T, State]]: ...
def delete_init_state(model: _T) -> _T: ...
def inference_mode(pytree: _T, value: bool = True) -> _T: ...

class StatefulLayer(Module):
    # No __call__ here: each stateful layer has its own, which a declared one would
    # constrain (mypy's override check); at run time a subclass without one is refused.
    def is_stateful(self) -> bool: ...

class Sequential(StatefulLayer):
    layers: tuple[Callable[..., Any], ...]
    def __init__(self, layers: Sequence[Callable[..., Any]]) -> None: ...
    @overload
    def __call__(self, x: Any, *, key: jax.Array | None = None) -> Any: ...
    @overload
    def __call__(
        self, x: Any, state: State, *, key: jax.Array | None = None
    ) -> tuple[Any, State]: ...
    @overload
    def __getitem__(self, index: int) -> Callable[..., Any]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequential: ...
    def __iter__(self) -> Iterator[Callable[..., Any]]: ...
    def __len__(self) -> int: ...

class Lambda(Module):
    fn: Callable[..., Any]
    def __init__(self, fn: Callable[..., Any]) -> None: ...
    def __call__(self, x: Any, *, key: jax.Array | None = None) -> Any: ...

class Identity(Module):
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...
    def __call__(self, x: Any, *, key: jax.Array | None = None) -> Any: ...

_Padding = str | int | Sequence[int] | Sequence[tuple[int, int]]

class Conv(Module):
    num_spatial_dims: int
    weight: jax.Array
    bias: jax.Array | None
    in_channels: int
    out_channels: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: str | tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    groups: int
    use_bias: bool
    padding_mode: str
    def __init__(
        self,
        num_spatial_dims: int,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _Padding = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...

class Conv1d(Conv):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _Padding = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...

class Conv2d(Conv):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _Padding = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...

class Conv3d(Conv):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _Padding = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...

class ConvTranspose(Module):
    num_spatial_dims: int
    weight: jax.Array
    bias: jax.Array | None
    in_channels: int
    out_channels: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: str | tuple[tuple[int, int], ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    use_bias: bool
    padding_mode: str
    def __init__(
        self,
        num_spatial_dims: int,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _Padding = 0,
        output_padding: int | Sequence[int] = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...

class ConvTranspose1d(ConvTranspose):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        output_padding: int | Sequence[int] = 0,
        padding: _Padding = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...

class ConvTranspose2d(ConvTranspose):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        output_padding: int | Sequence[int] = 0,
        padding: _Padding = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...

class ConvTranspose3d(ConvTranspose):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        output_padding: int | Sequence[int] = 0,
        padding: _Padding = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: str = "ZEROS",
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...

_PoolPadding = int | Sequence[int] | Sequence[tuple[int, int]]

class Pool(Module):
    init: int | float | jax.Array
    operation: Callable[[jax.Array, jax.Array], jax.Array]
    num_spatial_dims: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    use_ceil: bool
    def __init__(
        self,
        init: int | float | jax.Array,
        operation: Callable[[jax.Array, jax.Array], jax.Array],
        num_spatial_dims: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _PoolPadding = 0,
        use_ceil: bool = False,
    ) -> None: ...
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...

class AvgPool1d(Pool):
    def __init__(
        self,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _PoolPadding = 0,
        use_ceil: bool = False,
    ) -> None: ...

class AvgPool2d(Pool):
    def __init__(
        self,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _PoolPadding = 0,
        use_ceil: bool = False,
    ) -> None: ...

class AvgPool3d(Pool):
    def __init__(
        self,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _PoolPadding = 0,
        use_ceil: bool = False,
    ) -> None: ...

class MaxPool1d(Pool):
    def __init__(
        self,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _PoolPadding = 0,
        use_ceil: bool = False,
    ) -> None: ...

class MaxPool2d(Pool):
    def __init__(
        self,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _PoolPadding = 0,
        use_ceil: bool = False,
    ) -> None: ...

class MaxPool3d(Pool):
    def __init__(
        self,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: _PoolPadding = 0,
        use_ceil: bool = False,
    ) -> None: ...

class AdaptivePool(Module):
    target_shape: tuple[int, ...]
    operation: Callable[[jax.Array], jax.Array]
    def __init__(
        self,
        target_shape: int | Sequence[int],
        num_spatial_dims: int,
        operation: Callable[[jax.Array], jax.Array],
    ) -> None: ...
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...

class AdaptiveAvgPool1d(AdaptivePool):
    def __init__(self, target_shape: int | Sequence[int]) -> None: ...

class AdaptiveAvgPool2d(AdaptivePool):
    def __init__(self, target_shape: int | Sequence[int]) -> None: ...

class AdaptiveAvgPool3d(AdaptivePool):
    def __init__(self, target_shape: int | Sequence[int]) -> None: ...

class AdaptiveMaxPool1d(AdaptivePool):
    def __init__(self, target_shape: int | Sequence[int]) -> None: ...

class AdaptiveMaxPool2d(AdaptivePool):
    def __init__(self, target_shape: int | Sequence[int]) -> None: ...

class AdaptiveMaxPool3d(AdaptivePool):
    def __init__(self, target_shape: int | Sequence[int]) -> None: ...

class BatchNorm(StatefulLayer):
    weight: jax.Array | None
    bias: jax.Array | None
    ema_first_time_index: StateIndex[jax.Array] | None
    ema_state_index: StateIndex[tuple[jax.Array, jax.Array]] | None
    batch_counter: StateIndex[jax.Array] | None
    batch_state_index: StateIndex[tuple[jax.Array, jax.Array]] | None
    axis_name: Hashable | Sequence[Hashable]
    inference: bool
    input_size: int
    eps: float
    channelwise_affine: bool
    momentum: float
    mode: Literal["ema", "batch"]
    def __init__(
        self,
        input_size: int,
        axis_name: Hashable | Sequence[Hashable],
        eps: float = 1e-5,
        channelwise_affine: bool = True,
        momentum: float = 0.99,
        inference: bool = False,
        dtype: Any = None,
        mode: Literal["ema", "batch", "legacy"] = "legacy",
    ) -> None: ...
    def __call__(
        self,
        x: jax.Array,
        state: State,
        *,
        key: jax.Array | None = None,
        inference: bool | None = None,
    ) -> tuple[jax.Array, State]: ...

class SpectralNorm(StatefulLayer, Generic[_Layer]):
    layer: _Layer
    weight_name: str
    uv_index: StateIndex[tuple[jax.Array, jax.Array]]
    num_power_iterations: int
    eps: float
    inference: bool
    def __init__(
        self,
        layer: _Layer,
        weight_name: str,
        num_power_iterations: int = 1,
        eps: float = 1e-12,
        inference: bool = False,
        *,
        key: jax.Array,
    ) -> None: ...
    def __call__(
        self,
        x: jax.Array,
        state: State,
        *,
        key: jax.Array | None = None,
        inference: bool | None = None,
    ) -> tuple[Any, State]: ...

class WeightNorm(Module, Generic[_Layer]):
    layer: _Layer
    g: jax.Array
    weight_name: str
    axis: int | None
    def __init__(
        self, layer: _Layer, weight_name: str = "weight", axis: int | None = 0
    ) -> None: ...
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> Any: ...

class GRUCell(Module):
    weight_ih: jax.Array
    weight_hh: jax.Array
    bias: jax.Array | None
    bias_n: jax.Array | None
    input_size: int
    hidden_size: int
    use_bias: bool
    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        use_bias: bool = True,
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...
    def __call__(
        self, input: jax.Array, hidden: jax.Array, *, key: jax.Array | None = None
    ) -> jax.Array: ...

class LSTMCell(Module):
    weight_ih: jax.Array
    weight_hh: jax.Array
    bias: jax.Array | None
    input_size: int
    hidden_size: int
    use_bias: bool
    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        use_bias: bool = True,
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...
    def __call__(
        self,
        input: jax.Array,
        hidden: tuple[jax.Array, jax.Array],
        *,
        key: jax.Array | None = None,
    ) -> tuple[jax.Array, jax.Array]: ...

_ProcessHeads = Callable[[jax.Array, jax.Array, jax.Array], tuple[jax.Array, jax.Array, jax.Array]]

class MultiheadAttention(Module):
    query_proj: Linear
    key_proj: Linear
    value_proj: Linear
    output_proj: Linear
    dropout: Dropout
    num_heads: int
    query_size: int
    key_size: int
    value_size: int
    output_size: int
    qk_size: int
    vo_size: int
    use_query_bias: bool
    use_key_bias: bool
    use_value_bias: bool
    use_output_bias: bool
    def __init__(
        self,
        num_heads: int,
        query_size: int,
        key_size: int | None = None,
        value_size: int | None = None,
        output_size: int | None = None,
        qk_size: int | None = None,
        vo_size: int | None = None,
        use_query_bias: bool = False,
        use_key_bias: bool = False,
        use_value_bias: bool = False,
        use_output_bias: bool = False,
        dropout_p: float = 0.0,
        inference: bool = False,
        dtype: Any = None,
        *,
        key: jax.Array,
    ) -> None: ...
    def __call__(
        self,
        query: jax.Array,
        key_: jax.Array,
        value: jax.Array,
        mask: jax.Array | None = None,
        *,
        key: jax.Array | None = None,
        inference: bool | None = None,
        deterministic: bool | None = None,
        process_heads: _ProcessHeads | None = None,
    ) -> jax.Array: ...

class RotaryPositionalEmbedding(Module):
    embedding_size: int
    theta: float
    dtype: Any
    def __init__(self, embedding_size: int, theta: float = 10_000.0, dtype: Any = None) -> None: ...
    def __check_init__(self) -> None: ...
    @staticmethod
    def precompute_freqs_cis(
        embedding_size: int, end: int, theta: float, dtype: Any
    ) -> tuple[jax.Array, jax.Array]: ...
    @staticmethod
    def rotate_half(x: jax.Array) -> jax.Array: ...
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...

class Shared(Module):
    pytree: Any
    where: Callable[..., Any]
    get: Callable[..., Any]
    def __init__(self, pytree: Any, where: Callable[..., Any], get: Callable[..., Any]) -> None: ...
    def __call__(self) -> Any: ...

class LayerNorm(Module):
    shape: tuple[int, ...]
    eps: float
    use_weight: bool
    use_bias: bool
    weight: jax.Array | None
    bias: jax.Array | None
    def __init__(
        self,
        shape: int | Sequence[int],
        eps: float = 1e-5,
        use_weight: bool = True,
        use_bias: bool = True,
        dtype: Any = None,
    ) -> None: ...
    @overload
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...
    @overload
    def __call__(
        self, x: jax.Array, state: Any, *, key: jax.Array | None = None
    ) -> tuple[jax.Array, Any]: ...

class RMSNorm(Module):
    shape: tuple[int, ...]
    eps: float
    use_weight: bool
    use_bias: bool
    weight: jax.Array | None
    bias: jax.Array | None
    def __init__(
        self,
        shape: int | Sequence[int],
        eps: float = 1e-5,
        use_weight: bool = True,
        use_bias: bool = True,
        dtype: Any = None,
    ) -> None: ...
    @overload
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...
    @overload
    def __call__(
        self, x: jax.Array, state: Any, *, key: jax.Array | None = None
    ) -> tuple[jax.Array, Any]: ...

class GroupNorm(Module):
    groups: int
    channels: int | None
    eps: float
    channelwise_affine: bool
    weight: jax.Array | None
    bias: jax.Array | None
    def __init__(
        self,
        groups: int,
        channels: int | None = None,
        eps: float = 1e-5,
        channelwise_affine: bool = True,
        dtype: Any = None,
    ) -> None: ...
    @overload
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...
    @overload
    def __call__(
        self, x: jax.Array, state: Any, *, key: jax.Array | None = None
    ) -> tuple[jax.Array, Any]: ...

class PReLU(Module):
    negative_slope: jax.Array
    def __init__(self, init_alpha: float | jax.Array | None = 0.25) -> None: ...
    def __call__(self, x: jax.Array) -> jax.Array: ...

class Dropout(Module):
    p: float
    inference: bool
    def __init__(
        self, p: float = 0.5, inference: bool = False, *, deterministic: bool | None = None
    ) -> None: ...
    @property
    def deterministic(self) -> bool: ...
    def __call__(
        self,
        x: jax.Array,
        *,
        key: jax.Array | None = None,
        inference: bool | None = None,
        deterministic: bool | None = None,
    ) -> jax.Array: ...

class Embedding(Module):
    num_embeddings: int
    embedding_size: int
    weight: jax.Array
    def __init__(
        self,
        num_embeddings: int | None = None,
        embedding_size: int | None = None,
        weight: jax.Array | None = None,
        dtype: Any = None,
        *,
        key: jax.Array | None = None,
    ) -> None: ...
    def __call__(self, x: Any, *, key: jax.Array | None = None) -> jax.Array: ...
