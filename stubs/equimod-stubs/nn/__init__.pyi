# Type stubs for equimod.nn: constructor and call signatures as IDEs should show them.

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, overload

import jax

from .. import Module

__all__ = [
    "Conv",
    "Conv1d",
    "Conv2d",
    "Dropout",
    "Embedding",
    "GroupNorm",
    "Identity",
    "Lambda",
    "LayerNorm",
    "Linear",
    "MLP",
    "PReLU",
    "RMSNorm",
    "Sequential",
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
        key: jax.Array,
    ) -> None: ...
    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array: ...

class Sequential(Module):
    layers: tuple[Callable[..., Any], ...]
    def __init__(self, layers: Sequence[Callable[..., Any]]) -> None: ...
    def __call__(self, x: Any, *, key: jax.Array | None = None) -> Any: ...
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
    def __init__(self, p: float = 0.5, inference: bool = False) -> None: ...
    def __call__(
        self, x: jax.Array, *, key: jax.Array | None = None, inference: bool | None = None
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
