"""Run-time checks inside traced code: `error_if` and `branched_error_if`."""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Sequence
from typing import Any, Literal, TypeVar, get_args

import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np
from jax.typing import ArrayLike

from ._filters import combine, is_array, is_inexact_array, partition, shape_struct

_T = TypeVar("_T")

OnError = Literal["default", "raise", "breakpoint", "nan", "off"]
# What "default" may stand for: every other option.
_ON_ERROR_OPTIONS = tuple(option for option in get_args(OnError) if option != "default")
# The default for `on_error="default"`, read once at import, as Equinox reads EQX_ON_ERROR.
ON_ERROR_VARIABLE = "EQUIMOD_ON_ERROR"

_MSG_BAD_ON_ERROR = f"on_error must be one of {get_args(OnError)}, got {{value!r}}."
_MSG_BAD_VARIABLE = "The environment variable {variable}={value!r} must be one of {options}."
_MSG_NO_ARRAYS = (
    "error_if needs an array in `x` to attach the check to, so that the check runs "
    "whenever `x` is used; `x` has none. Pass an array (or a pytree holding one)."
)
_MSG_BAD_INDEX = "branched_error_if: index {index} is out of range for {count} messages."
_MSG_NAN_AT_TRACE_TIME = (
    "error_if: the check fails already (its predicate is known, not traced), so "
    "on_error='nan' gives NaNs at once: {message}"
)


class EquimodRuntimeError(RuntimeError):
    """Raised by `error_if` and `branched_error_if` when their condition holds.

    Outside `filter_jit`, a check that fails inside compiled code surfaces as
    JAX's own runtime error, whose message contains this one; `filter_jit`
    raises it as this type.
    """


class EquimodTracetimeError(RuntimeError):
    """Raised by `error_if` and `branched_error_if` when their condition is a Python bool that is true.

    Such a condition is known while JAX traces, so the error is raised then,
    whether or not the code is compiled.
    """


# The names Equinox gives them, so that `except eqx.EquinoxRuntimeError` ports unchanged.
EquinoxRuntimeError = EquimodRuntimeError
EquinoxTracetimeError = EquimodTracetimeError

_MARKER = "EquimodRuntimeError: "
_IN_JAX_ERROR = re.compile(re.escape(_MARKER) + r"(.*?)(?:\n|$)")


def _default_on_error() -> str:
    value = os.environ.get(ON_ERROR_VARIABLE, "raise")
    if value not in _ON_ERROR_OPTIONS:
        raise ValueError(
            _MSG_BAD_VARIABLE.format(
                variable=ON_ERROR_VARIABLE, value=value, options=_ON_ERROR_OPTIONS
            )
        )
    return value


_DEFAULT_ON_ERROR = _default_on_error()


# The message of the last check that failed inside a callback: JAX's error shows
# it, but in text that may run over several lines, so it is kept here as well.
_last_failure: list[str] = []


def reraise_from_jax(error: BaseException) -> None:
    """Raise the `EquimodRuntimeError` that a JAX runtime error carries, if it carries one."""
    text = str(error)
    match = _IN_JAX_ERROR.search(text)
    if match is not None:
        message = match.group(1)
        # The whole message, where the one kept is the one this error shows.
        if _last_failure and _last_failure[0].split("\n", 1)[0] == message:
            message = _last_failure[0]
        raise EquimodRuntimeError(message) from None


def error_if(x: _T, pred: ArrayLike, msg: str, *, on_error: OnError = "default") -> _T:
    """Return `x`, raising `EquimodRuntimeError(msg)` where `pred` holds, even under `jax.jit`.

    Use the returned value in place of `x`: the check runs when it is computed.
    With concrete values it is made at once.

    Args:
        x: Any pytree holding at least one array (when `pred` is traced); it is
            returned unchanged.
        pred: A bool or an array of bools; the error is raised if any is true
            (under `vmap`, for any batch element).
        msg: The error's message.
        on_error: What a failed check does: `"raise"`; `"nan"` returns `x` with its
            inexact arrays set to NaN (and warns at once if `pred` is not traced
            and true); `"breakpoint"` opens `jax.debug.breakpoint`;
            `"off"` returns `x` unchecked. `"default"` reads the `EQUIMOD_ON_ERROR`
            environment variable, else `"raise"`.

    Returns:
        `x`, tied to the check.

    Raises:
        EquimodRuntimeError: If `pred` holds: at once for a concrete array, or when
            the compiled code runs (through `filter_jit`; under `jax.jit`, JAX's own
            runtime error, with this message in it).
        EquimodTracetimeError: If `pred` is a Python or NumPy bool that is true.
        ValueError: If `on_error` is not one of the options, or `pred` is traced
            and `x` holds no array to tie the check to.
    """
    return _checked_if(x, pred, 0, [msg], on_error)


def branched_error_if(
    x: _T, pred: ArrayLike, index: ArrayLike, msgs: Sequence[str], *, on_error: OnError = "default"
) -> _T:
    """As `error_if`, raising `msgs[index]`: the message is chosen at run time by `index`.

    Args:
        x: Any pytree holding at least one array (when `pred` is traced); it is
            returned unchanged.
        pred: A bool or an array of bools; the error is raised if any is true.
        index: An integer (or integer array) selecting the message.
        msgs: The possible messages.
        on_error: As in `error_if`.

    Returns:
        `x`, tied to the check.

    Raises:
        EquimodRuntimeError: As in `error_if`, with the message `msgs[index]`.
        EquimodTracetimeError: If `pred` is a Python or NumPy bool that is true.
        IndexError: If a concrete `index` is out of range for `msgs`.
        ValueError: As in `error_if`.
    """
    return _checked_if(x, pred, index, msgs, on_error)


def _checked_if(
    x: _T, pred: ArrayLike, index: ArrayLike, msgs: Sequence[str], on_error: OnError
) -> _T:
    """`branched_error_if`, called by it and by `error_if` alike, so that a warning
    it gives names the line that called either (two frames up)."""
    if on_error == "default":
        on_error = _DEFAULT_ON_ERROR  # type: ignore[assignment]
    elif on_error not in _ON_ERROR_OPTIONS:
        raise ValueError(_MSG_BAD_ON_ERROR.format(value=on_error))
    if on_error == "off":
        return x
    messages = tuple(msgs)
    if not isinstance(pred, jax.core.Tracer) and not isinstance(index, jax.core.Tracer):
        if np.any(np.asarray(pred)):
            position = int(np.asarray(index))
            if not 0 <= position < len(messages):
                raise IndexError(_MSG_BAD_INDEX.format(index=position, count=len(messages)))
            if on_error == "raise":
                if isinstance(pred, (bool, np.bool_)):
                    raise EquimodTracetimeError(messages[position])
                raise EquimodRuntimeError(messages[position])
            if on_error == "nan":
                # Said now, as Equinox does: the NaNs would otherwise come with no word of why.
                warnings.warn(
                    _MSG_NAN_AT_TRACE_TIME.format(message=messages[position]), stacklevel=3
                )
        else:
            return x
    dynamic, static = partition(x, is_array)
    if not jtu.tree_leaves(dynamic):
        raise ValueError(_MSG_NO_ARRAYS)
    pred = jnp.any(jnp.asarray(pred))
    index = jnp.asarray(index, dtype=jnp.int32)
    checked = _checked(messages, on_error, dynamic, pred, index)
    return combine(checked, static)  # type: ignore[no-any-return]


_MSG_BATCH_FAILURE = "Batch index {index} had error:\n{message}"


def _raise_if(messages: tuple[str, ...], pred: Any, index: Any, *arrays: Any) -> tuple[Any, ...]:
    pred, index = np.asarray(pred), np.asarray(index)

    def message(position: Any) -> str:
        position = int(position)
        return messages[position] if 0 <= position < len(messages) else messages[-1]

    if pred.ndim == 0:
        if pred:
            _fail(message(index))
        return arrays
    # Under `vmap`: every failing element of the batch, by its index, as in Equinox.
    failures = [
        _MSG_BATCH_FAILURE.format(index=tuple(int(i) for i in where), message=message(index[where]))
        for where in zip(*np.nonzero(pred), strict=True)
    ]
    if failures:
        _fail("\n\n".join(failures))
    return arrays


class _HideCheckFailures(logging.Filter):
    """JAX logs every exception a callback raises, with its traceback. A failed
    `error_if` check is raised to the caller anyway: do not log it twice."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, EquimodRuntimeError)


logging.getLogger("jax._src.callback").addFilter(_HideCheckFailures())


def _fail(message: str) -> None:
    _last_failure[:] = [message]
    raise EquimodRuntimeError(message)


def _nan_like(x: Any) -> Any:
    return jnp.full_like(x, jnp.nan) if is_inexact_array(x) else x


def _check(messages: tuple[str, ...], on_error: str, dynamic: Any, pred: Any, index: Any) -> Any:
    leaves, treedef = jtu.tree_flatten(dynamic)
    structs = tuple(shape_struct(x) for x in leaves)

    def failed(leaves: list[Any]) -> list[Any]:
        if on_error == "nan":
            return [_nan_like(x) for x in leaves]
        if on_error == "breakpoint":
            jax.debug.breakpoint()
            return leaves
        # The callback checks `pred` itself: under `vmap` this branch runs for
        # every batch element.
        return list(
            jax.pure_callback(
                lambda p, i, *a: _raise_if(messages, p, i, *a),
                structs,
                pred,
                index,
                *leaves,
                # One call for the whole batch, which can name every element that failed.
                vmap_method="broadcast_all",
            )
        )

    out = jax.lax.cond(pred, failed, lambda leaves: leaves, leaves)
    return jtu.tree_unflatten(treedef, out)


# Differentiated as the identity on `dynamic`: the check passes values, and
# so their tangents, through unchanged. The messages and mode are static.
_checked_impl = jax.custom_jvp(
    lambda key, dynamic, pred, index: _check(key[0], key[1], dynamic, pred, index),
    nondiff_argnums=(0,),
)


@_checked_impl.defjvp
def _checked_jvp(key: Any, primals: Any, tangents: Any) -> tuple[Any, Any]:
    dynamic, pred, index = primals
    dynamic_tangents, _, _ = tangents
    return _checked_impl(key, dynamic, pred, index), dynamic_tangents


def _checked(messages: tuple[str, ...], on_error: str, dynamic: Any, pred: Any, index: Any) -> Any:
    return _checked_impl((messages, on_error), dynamic, pred, index)
