"""`MultiheadAttention` and `RotaryPositionalEmbedding`."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from .._caches import register_cache
from .._module import Module, field
from ._defaults_and_checks import at_least_float32, check_size, default_floating_dtype, layer_name
from ._dropout import Dropout
from ._linear import Linear

ProcessHeads = Callable[[jax.Array, jax.Array, jax.Array], tuple[jax.Array, jax.Array, jax.Array]]

# Typed here: jnp.finfo (which knows bfloat16, unlike numpy's) is untyped in some jax releases.
_finfo: Callable[[Any], Any] = jnp.finfo

_MSG_MASK = (
    "{layer}: mask must have shape (query_seq_length, kv_seq_length) = {want} "
    "or (num_heads, query_seq_length, kv_seq_length) = {heads}, got {got}."
)
_MSG_KV_LENGTH = (
    "{layer}: key_ and value must be sequences of the same length, got lengths {keys} and {values}."
)
_MSG_RANK = (
    "{layer}: {name} must have shape (seq_length, {size_name}) = (_, {size}), "
    "got {shape}. For a batch, use jax.vmap(attention)(...)."
)
_MSG_PROCESS_HEADS = (
    "{layer}: process_heads must return the heads with the shapes it was "
    "given, {before}; it returned {after}."
)
_MSG_DETERMINISTIC = (
    "{layer}(...)(deterministic=...) is deprecated, as in Equinox: pass inference=... instead."
)
_MSG_ROPE_SIZE = "{layer}: embedding_size must be a non-negative even int, got {size!r}."
_MSG_ROPE_INPUT = (
    "{layer}(embedding_size={size}) expects inputs of shape "
    "(seq_length, {size}), got {shape}. For a batch, use jax.vmap(embedding)(x)."
)


def dot_product_attention_weights(
    query: jax.Array, keys: jax.Array, mask: jax.Array | None = None
) -> jax.Array:
    """The attention weights of one head: softmax of the scaled dot products.

    Named as in Equinox's `nn._attention`.

    Args:
        query: `(q_seq, qk_size)`.
        keys: `(kv_seq, qk_size)`.
        mask: Optional `(q_seq, kv_seq)` bools: False hides a key from a query.

    Returns:
        `(q_seq, kv_seq)` weights, each row summing to one, in the inputs' dtype
        (the softmax runs in at least single precision).
    """
    logits = (query / math.sqrt(query.shape[-1])) @ keys.T
    if mask is not None:
        logits = jnp.where(mask, logits, _finfo(logits.dtype).min)
    softmax_dtype = at_least_float32(logits.dtype)
    return jax.nn.softmax(logits.astype(softmax_dtype)).astype(logits.dtype)


def dot_product_attention(
    query: jax.Array,
    key_: jax.Array,
    value: jax.Array,
    mask: jax.Array | None = None,
    dropout: Dropout | None = None,
    *,
    key: jax.Array | None = None,
    inference: bool | None = None,
) -> jax.Array:
    """Scaled dot-product attention of one head. Named as in Equinox's `nn._attention`.

    Args:
        query: `(q_seq, qk_size)`.
        key_: The keys, `(kv_seq, qk_size)`.
        value: `(kv_seq, vo_size)`.
        mask: Optional `(q_seq, kv_seq)` bools: False hides a key from a query.
        dropout: Applied to the weights, if given.
        key: The dropout's random key.
        inference: Passed to the dropout.

    Returns:
        `(q_seq, vo_size)`.
    """
    weights = dot_product_attention_weights(query, key_, mask)
    if dropout is not None:
        weights = dropout(weights, key=key, inference=inference)
    return weights @ value


class MultiheadAttention(Module):
    """Multi-head scaled dot-product attention, as `equinox.nn.MultiheadAttention`
    (Vaswani et al., 2017), on unbatched sequences.

    Queries `(q_seq, query_size)`, keys `(kv_seq, key_size)` and values
    `(kv_seq, value_size)` are projected to `num_heads` heads, attended, joined and
    projected to `(q_seq, output_size)`. `mask` (`True` where attention is allowed)
    is `(q_seq, kv_seq)` or one per head; `process_heads` may transform the projected
    heads (e.g. with rotary embeddings) before attention.

    Args:
        num_heads: The number of heads.
        query_size: The size of each query.
        key_size: The size of each key (default `query_size`).
        value_size: The size of each value (default `query_size`).
        output_size: The size of each output (default `query_size`).
        qk_size: The size of each head's queries and keys (default
            `query_size // num_heads`).
        vo_size: The size of each head's values and outputs (default
            `query_size // num_heads`).
        use_query_bias: Whether the query projection has a bias.
        use_key_bias: Whether the key projection has a bias.
        use_value_bias: Whether the value projection has a bias.
        use_output_bias: Whether the output projection has a bias.
        dropout_p: The dropout probability on the attention weights.
        inference: Turn attention dropout off.
        dtype: The parameters' dtype (default float32, float64 under x64).
        key: A PRNG key for the initialisation.
    """

    query_proj: Linear
    key_proj: Linear
    value_proj: Linear
    output_proj: Linear
    dropout: Dropout
    num_heads: int = field(static=True)
    query_size: int = field(static=True)
    key_size: int = field(static=True)
    value_size: int = field(static=True)
    output_size: int = field(static=True)
    qk_size: int = field(static=True)
    vo_size: int = field(static=True)
    use_query_bias: bool = field(static=True)
    use_key_bias: bool = field(static=True)
    use_value_bias: bool = field(static=True)
    use_output_bias: bool = field(static=True)

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
    ) -> None:
        check_size(self, "num_heads", num_heads, allow_scalar=False)
        check_size(self, "query_size", query_size, allow_scalar=False)
        key_size = query_size if key_size is None else key_size
        value_size = query_size if value_size is None else value_size
        output_size = query_size if output_size is None else output_size
        # Equinox's default head size rounds down: query_size // num_heads.
        qk_size = query_size // num_heads if qk_size is None else qk_size
        vo_size = query_size // num_heads if vo_size is None else vo_size
        for name, size in (("qk_size", qk_size), ("vo_size", vo_size)):
            check_size(self, name, size, allow_scalar=False)
        dtype = default_floating_dtype() if dtype is None else dtype
        qkey, kkey, vkey, okey = jax.random.split(key, 4)
        heads_qk, heads_vo = num_heads * qk_size, num_heads * vo_size
        self.query_proj = Linear(query_size, heads_qk, use_query_bias, dtype, key=qkey)
        self.key_proj = Linear(key_size, heads_qk, use_key_bias, dtype, key=kkey)
        self.value_proj = Linear(value_size, heads_vo, use_value_bias, dtype, key=vkey)
        self.output_proj = Linear(heads_vo, output_size, use_output_bias, dtype, key=okey)
        self.dropout = Dropout(dropout_p, inference=inference)
        self.num_heads = num_heads
        self.query_size = query_size
        self.key_size = key_size
        self.value_size = value_size
        self.output_size = output_size
        self.qk_size = qk_size
        self.vo_size = vo_size
        self.use_query_bias = use_query_bias
        self.use_key_bias = use_key_bias
        self.use_value_bias = use_value_bias
        self.use_output_bias = use_output_bias

    def _heads(self, projection: Linear, x: jax.Array, name: str, size: int) -> jax.Array:
        if x.ndim != 2 or x.shape[1] != size:
            raise ValueError(
                _MSG_RANK.format(
                    layer=layer_name(self),
                    name=name,
                    size_name=f"{name}_size",
                    size=size,
                    shape=x.shape,
                )
            )
        return jax.vmap(projection)(x).reshape(x.shape[0], self.num_heads, -1)

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
        process_heads: ProcessHeads | None = None,
    ) -> jax.Array:
        """Attend from `query` to `key_`/`value`.

        Args:
            query: Shape `(q_seq, query_size)`.
            key_: Shape `(kv_seq, key_size)`.
            value: Shape `(kv_seq, value_size)`.
            mask: `True` where attention is allowed: `(q_seq, kv_seq)`, or
                `(num_heads, q_seq, kv_seq)` for one per head.
            key: A PRNG key for attention dropout; needed when dropout is on.
            inference: Overrides the layer's `inference` flag for this call.
            deterministic: Deprecated (as in Equinox): use `inference`.
            process_heads: Called on the projected heads `(q, k, v)`, each
                `(seq, num_heads, size)`, before attention (e.g. to apply rotary
                embeddings); it must keep their shapes.

        Returns:
            The output, shape `(q_seq, output_size)`.

        Raises:
            ValueError: If an input has the wrong shape, `key_` and `value` have
                different lengths, the mask has the wrong shape, or `process_heads`
                changes a shape.

        Warns:
            DeprecationWarning: If `deterministic` is given.
        """
        if deterministic is not None:
            warnings.warn(
                _MSG_DETERMINISTIC.format(layer=layer_name(self)), DeprecationWarning, stacklevel=2
            )
            inference = deterministic
        if key_.shape[:1] != value.shape[:1]:
            raise ValueError(
                _MSG_KV_LENGTH.format(
                    layer=layer_name(self), keys=key_.shape[0], values=value.shape[0]
                )
            )
        query_heads = self._heads(self.query_proj, query, "query", self.query_size)
        key_heads = self._heads(self.key_proj, key_, "key", self.key_size)
        value_heads = self._heads(self.value_proj, value, "value", self.value_size)
        if process_heads is not None:
            before = (query_heads.shape, key_heads.shape, value_heads.shape)
            query_heads, key_heads, value_heads = process_heads(query_heads, key_heads, value_heads)
            after = (query_heads.shape, key_heads.shape, value_heads.shape)
            if after != before:
                raise ValueError(
                    _MSG_PROCESS_HEADS.format(layer=layer_name(self), before=before, after=after)
                )
        q_len, kv_len = query.shape[0], key_.shape[0]
        mask_axis: int | None = None
        if mask is not None:
            if mask.shape == (self.num_heads, q_len, kv_len):
                mask_axis = 0
            elif mask.shape != (q_len, kv_len):
                raise ValueError(
                    _MSG_MASK.format(
                        layer=layer_name(self),
                        want=(q_len, kv_len),
                        heads=(self.num_heads, q_len, kv_len),
                        got=mask.shape,
                    )
                )
        head_keys = None if key is None else jax.random.split(key, self.num_heads)

        def one_head(
            q: jax.Array, k: jax.Array, v: jax.Array, m: jax.Array | None, rng: jax.Array | None
        ) -> jax.Array:
            return dot_product_attention(q, k, v, m, self.dropout, key=rng, inference=inference)

        per_head = jax.vmap(
            one_head,
            in_axes=(1, 1, 1, mask_axis, None if head_keys is None else 0),
            out_axes=1,
        )
        attention = per_head(query_heads, key_heads, value_heads, mask, head_keys)
        return jax.vmap(self.output_proj)(attention.reshape(q_len, -1))


@functools.lru_cache(maxsize=64)
def _rotation_tables(size: int, length: int, theta: float, dtype: Any) -> tuple[Any, Any]:
    """cos and sin of each position times each frequency, `(length, size)`, tiled twice."""
    with jax.ensure_compile_time_eval():
        frequencies = 1.0 / (theta ** (jnp.arange(0.0, size, 2)[None, :] / size))
        angles = jnp.outer(jnp.arange(float(length)), frequencies)
        # Cast last, so that the angles keep the precision of the computation.
        cos, sin = jnp.cos(angles).astype(dtype), jnp.sin(angles).astype(dtype)
        return jnp.tile(cos, (1, 2)), jnp.tile(sin, (1, 2))


register_cache(_rotation_tables.cache_clear)


class RotaryPositionalEmbedding(Module):
    """Rotary positional embedding (RoPE, Su et al., 2021), as `equinox.nn.RotaryPositionalEmbedding`.

    Rotates pairs of features of a `(seq_length, embedding_size)` input by angles
    that grow with the position. Typically applied to queries and keys through
    `MultiheadAttention`'s `process_heads`.
    """

    embedding_size: int = field(static=True)
    theta: float = field(static=True)
    dtype: Any = field(static=True)

    def __init__(self, embedding_size: int, theta: float = 10_000.0, dtype: Any = None) -> None:
        """
        Args:
            embedding_size: The number of features, an even int.
            theta: The base of the rotation frequencies.
            dtype: The dtype of the rotation tables (default float32, float64
                under x64).

        Raises:
            ValueError: If `embedding_size` is not a non-negative even int.
        """
        self.embedding_size = embedding_size
        self.theta = theta
        self.dtype = default_floating_dtype() if dtype is None else dtype

    def __check_init__(self) -> None:
        size = self.embedding_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 0 or size % 2:
            raise ValueError(_MSG_ROPE_SIZE.format(layer=layer_name(self), size=size))

    @staticmethod
    def precompute_freqs_cis(
        embedding_size: int, end: int, theta: float, dtype: Any
    ) -> tuple[jax.Array, jax.Array]:
        """The rotation tables for positions `0..end-1`.

        Args:
            embedding_size: The number of features (even).
            end: The number of positions.
            theta: The base of the rotation frequencies.
            dtype: The tables' dtype.

        Returns:
            `(cos, sin)` of each position times each of the `embedding_size // 2`
            frequencies, each of shape `(end, embedding_size // 2)`.
        """
        cos, sin = _rotation_tables(embedding_size, end, theta, dtype)
        half = embedding_size // 2
        return cos[:, :half], sin[:, :half]

    @staticmethod
    def rotate_half(x: jax.Array) -> jax.Array:
        """`[-second half, first half]` along the last axis.

        Args:
            x: Any array with an even last axis.

        Returns:
            The rotated array, of `x`'s shape.
        """
        half = x.shape[-1] // 2
        return jnp.concatenate([-x[..., half:], x[..., :half]], axis=-1)

    def __call__(self, x: jax.Array, *, key: jax.Array | None = None) -> jax.Array:
        """Rotate `x`.

        Args:
            x: An input of shape `(seq_length, embedding_size)`.
            key: Ignored; accepted for a uniform layer interface.

        Returns:
            The rotated input, of `x`'s shape and dtype.

        Raises:
            ValueError: If `x` does not have shape `(seq_length, embedding_size)`.
        """
        if x.ndim != 2 or x.shape[1] != self.embedding_size:
            raise ValueError(
                _MSG_ROPE_INPUT.format(
                    layer=layer_name(self), size=self.embedding_size, shape=x.shape
                )
            )
        cos, sin = _rotation_tables(self.embedding_size, x.shape[0], self.theta, self.dtype)
        rotated: jax.Array = (x * cos + self.rotate_half(x) * sin).astype(x.dtype)
        return rotated
