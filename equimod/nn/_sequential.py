"""`Sequential`, `Lambda` and `Identity`: composing layers and wrapping functions."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

import jax

from .._module import Module
from ._defaults_and_checks import layer_name
from ._stateful import NO_STATE, State, StatefulLayer

_MSG_NOT_CALLABLE = "{layer}: {what} must be callable, got {value!r}."
_MSG_NEEDS_STATE = (
    "{wrapper}: the layer {layer} is stateful, so the Sequential must be called with "
    "the state: `y, state = model(x, state)` (state from equimod.nn.make_with_state)."
)


class Sequential(StatefulLayer):
    """Calls each layer in turn on the output of the previous one, as `equinox.nn.Sequential`.

    A `key` passed to the call is split, one key per layer. Called with a `state`, it
    passes the state through every `StatefulLayer` whose `is_stateful()` is true and
    returns `(output, state)`.

    Args:
        layers: The layers, any callables (Modules, or functions wrapped in
            `Lambda` to accept `key`).

    Raises:
        TypeError: If a layer is not callable.
    """

    layers: tuple[Callable[..., Any], ...]

    def __init__(self, layers: Sequence[Callable[..., Any]]) -> None:
        for layer in layers:
            if not callable(layer):
                raise TypeError(
                    _MSG_NOT_CALLABLE.format(layer=layer_name(self), what="each layer", value=layer)
                )
        self.layers = tuple(layers)

    def is_stateful(self) -> bool:
        """Whether any of the layers is stateful.

        Returns:
            True when a layer is a `StatefulLayer` whose `is_stateful()` is true.
        """
        return any(
            isinstance(layer, StatefulLayer) and layer.is_stateful() for layer in self.layers
        )

    @overload
    def __call__(self, x: Any, *, key: jax.Array | None = None) -> Any: ...

    @overload
    def __call__(
        self, x: Any, state: State, *, key: jax.Array | None = None
    ) -> tuple[Any, State]: ...

    def __call__(self, x: Any, state: State = NO_STATE, *, key: jax.Array | None = None) -> Any:
        """Apply the layers in turn.

        Args:
            x: The input of the first layer.
            state: The model's `State`, needed when a layer is stateful.
            key: A PRNG key, split into one per layer.

        Returns:
            The last layer's output; `(output, state)` when a state is given.

        Raises:
            ValueError: If a layer is stateful and no state is given.
        """
        keys: Sequence[jax.Array | None]
        if key is None:
            keys = [None] * len(self.layers)
        else:
            keys = list(jax.random.split(key, len(self.layers)))
        for layer, layer_key in zip(self.layers, keys, strict=True):
            if isinstance(layer, StatefulLayer) and layer.is_stateful():
                if state is NO_STATE:
                    raise ValueError(
                        _MSG_NEEDS_STATE.format(
                            wrapper=layer_name(self), layer=type(layer).__qualname__
                        )
                    )
                x, state = layer(x, state=state, key=layer_key)
            else:
                x = layer(x, key=layer_key)
        return x if state is NO_STATE else (x, state)

    @overload
    def __getitem__(self, index: int) -> Callable[..., Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Callable[..., Any] | Sequential:
        if isinstance(index, slice):
            return Sequential(self.layers[index])
        return self.layers[index]

    def __iter__(self) -> Iterator[Callable[..., Any]]:
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)


class Lambda(Module):
    """Wraps a function `fn(x)` as a layer (accepting and ignoring `key`), for `Sequential`.

    Args:
        fn: The function; it is a field, so a Module or a `Partial` keeps its
            arrays as leaves.

    Raises:
        TypeError: If `fn` is not callable.
    """

    fn: Callable[..., Any]

    def __init__(self, fn: Callable[..., Any]) -> None:
        if not callable(fn):
            raise TypeError(_MSG_NOT_CALLABLE.format(layer=layer_name(self), what="fn", value=fn))
        self.fn = fn

    def __call__(self, x: Any, *, key: jax.Array | None = None) -> Any:
        """Call `fn(x)`.

        Args:
            x: The input.
            key: Ignored.

        Returns:
            `fn(x)`.
        """
        return self.fn(x)


class Identity(Module):
    """Returns its input unchanged.

    Args:
        *args: Ignored, so that it can stand in for any layer's constructor.
        **kwargs: Ignored.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        del args, kwargs

    def __call__(self, x: Any, *, key: jax.Array | None = None) -> Any:
        """Return `x`.

        Args:
            x: The input.
            key: Ignored.

        Returns:
            `x` itself.
        """
        return x
