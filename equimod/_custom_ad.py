"""Custom derivative rules and rematerialisation for functions of any pytrees."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, ClassVar, Generic, ParamSpec, TypeVar

import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np

from ._filters import combine, is_array, is_inexact_array, is_inexact_array_like, is_none, partition
from ._module import Module, field
from ._module._wrappers import module_update_wrapper, require_callable, wrapped_attribute
from ._static import Static
from ._transformed import Transformed, callable_name, transform

_P = ParamSpec("_P")
_R = TypeVar("_R")

_MSG_NO_JVP_RULE = (
    "{name} is a filter_custom_jvp function with no rule: define one with "
    "`@{name}.def_jvp` before differentiating it."
)
_MSG_KEYWORD_TANGENT = (
    "filter_custom_jvp({name}): a keyword argument, or an array of the wrapped function "
    "itself, was differentiated, but only positional arguments have a derivative rule. "
    "Pass the value positionally."
)
_MSG_NO_VJP_RULE = (
    "{name} is a filter_custom_vjp function without {missing}: define it with "
    "`@{name}.{decorator}` before differentiating it."
)
_MSG_HELD_PERTURBED = (
    "filter_custom_vjp({name}) is differentiated with respect to an argument other than "
    "its first, but only the first positional argument has a derivative rule. Move "
    "what is differentiated into the first argument (a tuple of several values works)."
)
_MSG_DEFVJP = (
    "filter_custom_vjp.defvjp(fn_fwd, fn_bwd) is Equinox's old way, deprecated there: "
    "use the def_fwd and def_bwd decorators, whose rules also take `perturbed` "
    "(fn_fwd(perturbed, *args) and fn_bwd(residuals, grad_obj, perturbed, *args))."
)


class HeldArgumentDifferentiatedError(ValueError, RuntimeError):
    """A `filter_custom_vjp` differentiated in an argument it holds constant: a
    `ValueError`, and the `RuntimeError` Equinox raises here."""


_MSG_NO_VJP_ARG = (
    "filter_custom_vjp({name}) was called without arguments: the first positional "
    "argument is the one differentiated, so pass one."
)


def _zero_tangent(primal: Any) -> Any:
    # JAX's tangent of a leaf with no derivative: zeros, of dtype float0 where the
    # primal is not inexact.
    if is_inexact_array(primal):
        return jnp.zeros_like(primal)
    return np.zeros(np.shape(primal), dtype=jax.dtypes.float0)


def _symbolic_zero_to_none(tangent: Any) -> Any:
    return None if isinstance(tangent, jax.custom_derivatives.SymbolicZero) else tangent


def _none_to_zero(tangent: Any, primal: Any) -> Any:
    # A None in the output has no leaf, so no tangent either: it stays None.
    if tangent is None and primal is not None:
        return _zero_tangent(primal)
    return tangent


class _JvpRules:
    """The `jax.custom_jvp` behind a `filter_custom_jvp`, and the rule given to it.

    A static field of the Module: hashed by identity, shared by every copy JAX
    rebuilds, and the one place `def_jvp` records the rule.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.jvp: Callable[..., tuple[Any, Any]] | None = None
        # Called as (static, dynamic), the split of (fn, args, kwargs).
        self.custom = jax.custom_jvp(_call_split, nondiff_argnums=(0,))
        self.custom.defjvp(self._rule, symbolic_zeros=True)

    def _rule(self, static: Any, primals: tuple[Any], tangents: tuple[Any]) -> tuple[Any, Any]:
        assert self.jvp is not None
        (dynamic,) = primals
        (dynamic_tangents,) = tangents
        fn_tangents, arg_tangents, kwarg_tangents = jtu.tree_map(
            # A primal may reach the rule as a Python float (JAX keeps scalars).
            lambda t, p: None if not is_inexact_array_like(p) else _symbolic_zero_to_none(t),
            dynamic_tangents,
            dynamic,
            is_leaf=is_none,
        )
        if jtu.tree_leaves((fn_tangents, kwarg_tangents)):
            raise ValueError(_MSG_KEYWORD_TANGENT.format(name=self.name))
        _, args, kwargs = combine(dynamic, static)
        out, out_tangents = self.jvp(args, arg_tangents, **kwargs)
        return out, jtu.tree_map(_none_to_zero, out_tangents, out, is_leaf=is_none)


class _CustomDerivative(Module, Generic[_P, _R]):
    """What the two custom derivatives share: the function `fn` they wrap, whose name
    and attributes they show."""

    fn: Callable[_P, _R]

    @property
    def __wrapped__(self) -> Callable[_P, _R]:
        return self.fn

    def __getattr__(self, name: str) -> Any:
        return wrapped_attribute(self, "fn", name)


def _call_split(static: Any, dynamic: Any) -> Any:
    fn, args, kwargs = combine(dynamic, static)
    return fn(*args, **kwargs)


class filter_custom_jvp(_CustomDerivative[_P, _R]):  # noqa: N801 - named as in Equinox
    """`jax.custom_jvp` for functions of any pytrees; no `nondiff_argnums` needed.

    Array leaves of the positional arguments may be differentiated; everything
    else, every keyword argument and the arrays of `fn` itself (it may be a
    Module) are not. Define the rule with `def_jvp`:

    ```python
    @equimod.filter_custom_jvp
    def clip_grad(x, limit):
        return x

    @clip_grad.def_jvp
    def clip_grad_jvp(primals, tangents):
        x, limit = primals
        tx, _ = tangents  # None: `limit` is not differentiated
        return clip_grad(x, limit), jnp.clip(tx, -limit, limit)
    ```

    The rule gets `(primals, tangents, **kwargs)`, where `tangents` has the
    structure of `primals` with `None` for every leaf that has no tangent (not
    an inexact array, or a symbolic zero), and returns `(out, tangents_out)`;
    a `None` output tangent is a zero. The output must be a pytree of arrays.

    Args:
        fn: The function whose derivative the rule defines. It may be a Module:
            its arrays are not differentiated.
    """

    rules: _JvpRules = field(static=True)

    def __init__(self, fn: Callable[_P, _R]) -> None:
        require_callable(fn, "filter_custom_jvp", "give a derivative rule")
        self.fn = fn
        self.rules = _JvpRules(callable_name(fn))

    def def_jvp(self, fn_jvp: Callable[..., tuple[Any, Any]]) -> Callable[..., tuple[Any, Any]]:
        """Register the derivative rule.

        Args:
            fn_jvp: `fn_jvp(primals, tangents, **kwargs) -> (out, tangents_out)`.

        Returns:
            `fn_jvp`, so that this can be used as a decorator.
        """
        self.rules.jvp = fn_jvp
        return fn_jvp

    def __call__(self, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """Call the function; under differentiation, the rule gives its derivative.

        Args:
            *args: Positional arguments of the function, any pytrees; their inexact
                arrays may be differentiated.
            **kwargs: Keyword arguments, never differentiated.

        Returns:
            What the function returns.

        Raises:
            TypeError: If no rule was registered with `def_jvp`.
        """
        if self.rules.jvp is None:
            raise TypeError(_MSG_NO_JVP_RULE.format(name=self.rules.name))
        dynamic, static = partition((self.fn, args, kwargs), is_array)
        return self.rules.custom(static, dynamic)  # type: ignore[no-any-return]


def _perturbed(primal: Any) -> Any:
    return primal.perturbed if isinstance(primal, jax.custom_derivatives.CustomVJPPrimal) else False


def _value(primal: Any) -> Any:
    return primal.value if isinstance(primal, jax.custom_derivatives.CustomVJPPrimal) else primal


def _is_vjp_primal(x: Any) -> bool:
    return isinstance(x, jax.custom_derivatives.CustomVJPPrimal)


class _VjpRules:
    """The `jax.custom_vjp` behind a `filter_custom_vjp`, and the rules given to it.

    The custom function is called as `(static, diff, arrays)`: `diff` holds the
    inexact arrays of `vjp_arg`, `arrays` every other array (held constant: of
    `vjp_arg`, then of `(fn, args, kwargs)`), and `static` the rest of each.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.fwd: Callable[..., tuple[Any, Any]] | None = None
        self.bwd: Callable[..., Any] | None = None
        self.custom = jax.custom_vjp(self._call, nondiff_argnums=(0,))
        self.custom.defvjp(self._forward, self._backward, symbolic_zeros=True)

    @staticmethod
    def _arguments(static: Any, diff: Any, arrays: Any) -> tuple[Any, Any, tuple[Any, ...], Any]:
        vjp_arg = combine(diff, arrays[0], static[0])
        fn, rest, kwargs = combine(arrays[1], static[1])
        return fn, vjp_arg, rest, kwargs

    def _call(self, static: Any, diff: Any, arrays: Any) -> Any:
        fn, vjp_arg, rest, kwargs = self._arguments(static, diff, arrays)
        return fn(vjp_arg, *rest, **kwargs)

    def _forward(self, static: Any, diff: Any, arrays: Any) -> tuple[Any, Any]:
        assert self.fwd is not None
        perturbed_diff = jtu.tree_map(_perturbed, diff, is_leaf=_is_vjp_primal)
        if any(jtu.tree_leaves(jtu.tree_map(_perturbed, arrays, is_leaf=_is_vjp_primal))):
            raise HeldArgumentDifferentiatedError(_MSG_HELD_PERTURBED.format(name=self.name))
        diff = jtu.tree_map(_value, diff, is_leaf=_is_vjp_primal)
        arrays = jtu.tree_map(_value, arrays, is_leaf=_is_vjp_primal)
        _, vjp_arg, rest, kwargs = self._arguments(static, diff, arrays)
        held = jtu.tree_map(lambda _: False, combine(arrays[0], static[0]))
        perturbed = combine(perturbed_diff, held)
        out, residuals = self.fwd(perturbed, vjp_arg, *rest, **kwargs)
        # JAX keeps only arrays between the rules: the rest goes in a `Static`.
        residual_arrays, residual_static = partition(residuals, is_array)
        return out, (residual_arrays, Static(residual_static), diff, arrays, perturbed)

    def _backward(self, static: Any, saved: Any, grad_obj: Any) -> tuple[Any, Any]:
        assert self.bwd is not None
        residual_arrays, residual_static, diff, arrays, perturbed = saved
        residuals = combine(residual_arrays, residual_static.value)
        _, vjp_arg, rest, kwargs = self._arguments(static, diff, arrays)
        grad_obj = jtu.tree_map(_symbolic_zero_to_none, grad_obj)
        grads = self.bwd(residuals, grad_obj, perturbed, vjp_arg, *rest, **kwargs)
        # Which leaves of `vjp_arg` are differentiated, from where they came from:
        # residuals come back as JAX chose to store them, not always as arrays.
        is_diff = combine(
            jtu.tree_map(lambda _: True, diff),
            jtu.tree_map(lambda _: False, combine(arrays[0], static[0])),
        )
        vjp_leaves, treedef = jtu.tree_flatten(vjp_arg)
        vjp_treedef: Any = treedef
        diff_grads = [
            jnp.zeros_like(leaf) if grad is None else grad
            for leaf, grad, differentiated in zip(
                vjp_leaves,
                vjp_treedef.flatten_up_to(grads),
                jtu.tree_leaves(is_diff),
                strict=True,
            )
            if differentiated
        ]
        return (
            jtu.tree_unflatten(jtu.tree_structure(diff), diff_grads),
            jtu.tree_map(_zero_tangent, arrays),
        )


class filter_custom_vjp(_CustomDerivative[_P, _R]):  # noqa: N801 - named as in Equinox
    """`jax.custom_vjp` for functions of any pytrees, differentiated in their first argument.

    The function is called as `fn(vjp_arg, *args, **kwargs)`. Only the inexact
    arrays of `vjp_arg` are differentiated: every other argument, and `fn`'s
    own arrays, are held constant, and differentiating with respect to them is
    an error. Define the rule with `def_fwd` and `def_bwd`:

    - `fn_fwd(perturbed, vjp_arg, *args, **kwargs) -> (out, residuals)`, where
      `perturbed` has `vjp_arg`'s structure with a bool at each leaf: whether
      that leaf is being differentiated;
    - `fn_bwd(residuals, grad_obj, perturbed, vjp_arg, *args, **kwargs)`,
      returning the cotangent of `vjp_arg` (with `None` for a zero); `grad_obj`
      is the output's cotangent, `None` where it is a symbolic zero.

    The output must be a pytree of arrays.

    Args:
        fn: The function whose derivative the rules define. It may be a Module:
            its arrays are held constant.
    """

    rules: _VjpRules = field(static=True)

    def __init__(self, fn: Callable[_P, _R]) -> None:
        require_callable(fn, "filter_custom_vjp", "give derivative rules")
        self.fn = fn
        self.rules = _VjpRules(callable_name(fn))

    def def_fwd(self, fn_fwd: Callable[..., tuple[Any, Any]]) -> Callable[..., tuple[Any, Any]]:
        """Register the forward rule.

        Args:
            fn_fwd: `fn_fwd(perturbed, vjp_arg, *args, **kwargs) -> (out, residuals)`.

        Returns:
            `fn_fwd`, so that this can be used as a decorator.
        """
        self.rules.fwd = fn_fwd
        return fn_fwd

    def def_bwd(self, fn_bwd: Callable[..., Any]) -> Callable[..., Any]:
        """Register the backward rule.

        Args:
            fn_bwd: `fn_bwd(residuals, grad_obj, perturbed, vjp_arg, *args, **kwargs)`,
                returning the cotangent of `vjp_arg`.

        Returns:
            `fn_bwd`, so that this can be used as a decorator.
        """
        self.rules.bwd = fn_bwd
        return fn_bwd

    def defvjp(self, fn_fwd: Callable[..., tuple[Any, Any]], fn_bwd: Callable[..., Any]) -> None:
        """Register both rules the old way, without `perturbed` (deprecated in Equinox,
        kept for ported code; it warns).

        Args:
            fn_fwd: `fn_fwd(vjp_arg, *args, **kwargs) -> (out, residuals)`.
            fn_bwd: `fn_bwd(residuals, grad_obj, vjp_arg, *args, **kwargs)`,
                returning the cotangent of `vjp_arg`.
        """
        warnings.warn(_MSG_DEFVJP, DeprecationWarning, stacklevel=2)
        self.def_fwd(lambda perturbed, *args, **kwargs: fn_fwd(*args, **kwargs))
        self.def_bwd(
            lambda residuals, grad_obj, perturbed, *args, **kwargs: fn_bwd(
                residuals, grad_obj, *args, **kwargs
            )
        )

    def __call__(self, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """Call the function; under differentiation, the rules give its derivative.

        Args:
            *args: The positional arguments: the first, `vjp_arg`, is differentiated
                (its inexact arrays); the others are held constant.
            **kwargs: Keyword arguments, held constant.

        Returns:
            What the function returns.

        Raises:
            TypeError: If called without a first argument, or before both `def_fwd`
                and `def_bwd` registered their rules.
            ValueError: When differentiated with respect to an argument other than
                `vjp_arg` (raised while tracing the forward rule; a `RuntimeError`
                too, as in Equinox).
        """
        name = self.rules.name
        if not args:
            raise TypeError(_MSG_NO_VJP_ARG.format(name=name))
        if self.rules.fwd is None:
            raise TypeError(
                _MSG_NO_VJP_RULE.format(name=name, missing="a forward rule", decorator="def_fwd")
            )
        if self.rules.bwd is None:
            raise TypeError(
                _MSG_NO_VJP_RULE.format(name=name, missing="a backward rule", decorator="def_bwd")
            )
        vjp_arg, *rest = args
        diff, vjp_rest = partition(vjp_arg, is_inexact_array)
        vjp_arrays, vjp_static = partition(vjp_rest, is_array)
        rest_arrays, rest_static = partition((self.fn, tuple(rest), kwargs), is_array)
        return self.rules.custom(  # type: ignore[no-any-return]
            (vjp_static, rest_static), diff, (vjp_arrays, rest_arrays)
        )


# (Not an explicit export of JAX 0.4.38, the oldest supported, to mypy.)
_checkpoint = jax.checkpoint  # type: ignore[attr-defined,unused-ignore]


class _CheckpointWrapper(Transformed):
    transform_name: ClassVar[str] = "filter_checkpoint"
    prevent_cse: bool = field(static=True)
    policy: Callable[..., bool] | None = field(static=True)

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        dynamic, static = partition((self.fun, args, kwargs), is_array)

        @functools.partial(_checkpoint, prevent_cse=self.prevent_cse, policy=self.policy)
        def run(dynamic: Any) -> tuple[Any, Static]:
            fun, args, kwargs = combine(dynamic, static)
            out_dynamic, out_static = partition(fun(*args, **kwargs), is_array)
            return out_dynamic, Static(out_static)

        out_dynamic, out_static = run(dynamic)
        return combine(out_dynamic, out_static.value)


@transform("filter_checkpoint", "checkpoint")
def filter_checkpoint(
    fun: Any = None, *, prevent_cse: bool = True, policy: Callable[..., bool] | None = None
) -> Any:
    """Like `jax.checkpoint`: recompute `fun`'s intermediates in the backward pass, not store them.

    Arguments and output may be any pytrees; arrays are traced, everything else
    is static. Usable as `@filter_checkpoint` and `@filter_checkpoint(policy=...)`.

    Args:
        fun: The function to checkpoint. Omit it to get a decorator.
        prevent_cse: As in `jax.checkpoint`: keep XLA from merging the recomputation
            with the forward pass.
        policy: As in `jax.checkpoint`: which intermediates may be saved after all
            (one of `jax.checkpoint_policies`).

    Returns:
        A function with `fun`'s signature (a Module wrapping `fun`).
    """
    return module_update_wrapper(_CheckpointWrapper(fun, prevent_cse, policy))
