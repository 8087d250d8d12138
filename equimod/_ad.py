"""Differentiation of functions of any pytree: gradients, JVPs, VJPs, Jacobians.

Derivatives are taken with respect to the inexact (floating-point or complex)
arrays of the arguments; every other leaf is held constant. The wrappers that
`filter_grad` and `filter_value_and_grad` return are Modules, so a layer
stored behind one keeps its arrays as leaves of the model that holds it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, ParamSpec, TypeVar, cast

import jax
import jax.tree_util as jtu

from ._filters import combine, is_array, is_inexact_array, partition
from ._module import field
from ._module._wrappers import module_update_wrapper, require_callable
from ._static import Static
from ._transformed import Transformed, callable_name, transform

_T = TypeVar("_T")
_P = ParamSpec("_P")

_MSG_NO_ARGUMENT = (
    "{transform}({name}) was called without a positional argument. Functions wrapped with "
    "{transform} are differentiated with respect to their first positional argument: "
    "pass it by position, not as a keyword."
)
_MSG_AUX_NOT_PAIR = (
    "{transform}({name}, has_aux=True): {name} must return a pair (value, aux), but it "
    "returned {kind}. Return both, or drop has_aux=True."
)
_MSG_TANGENT_STRUCTURE = (
    "filter_jvp({name}): `tangents` must have the structure of `primals`, with None where "
    "a primal is not differentiated; {error}"
)
_MSG_TANGENT_NOT_NONE = (
    "filter_jvp({name}): the tangent of a leaf of type {type} must be None: only inexact "
    "arrays (and Python floats and complex numbers) have tangents."
)
_MSG_PRIMALS_NOT_SEQUENCE = (
    "filter_jvp({name}): `primals` and `tangents` are sequences of positional arguments "
    "(a tuple or list), got {type}."
)


def _value_and_grad(wrapper: _ValueAndGradWrapper, *args: Any, **kwargs: Any) -> Any:
    fun, has_aux = wrapper.fun, wrapper.has_aux
    name = callable_name(fun)
    if not args:
        raise TypeError(_MSG_NO_ARGUMENT.format(name=name, transform=wrapper.transform_name))
    first, *rest = args

    def differentiable(diff: Any, nondiff: Any, *args: Any, **kwargs: Any) -> Any:
        out = fun(combine(diff, nondiff), *args, **kwargs)
        if has_aux and not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError(
                _MSG_AUX_NOT_PAIR.format(
                    transform=wrapper.transform_name, name=name, kind=type(out).__name__
                )
            )
        return out

    diff, nondiff = partition(first, is_inexact_array)
    differentiated = jax.value_and_grad(
        differentiable,
        has_aux=has_aux,
        holomorphic=wrapper.holomorphic,
        allow_int=wrapper.allow_int,
    )
    return differentiated(diff, nondiff, *rest, **kwargs)


class _ValueAndGradWrapper(Transformed):
    transform_name: ClassVar[str] = "filter_value_and_grad"
    has_aux: bool = field(static=True)
    holomorphic: bool = field(static=True, default=False)
    allow_int: bool = field(static=True, default=False)

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        return _value_and_grad(self, *args, **kwargs)


class _GradWrapper(_ValueAndGradWrapper):
    """`filter_value_and_grad` that returns only the gradient (and the aux)."""

    transform_name: ClassVar[str] = "filter_grad"

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        value, grads = _value_and_grad(self, *args, **kwargs)
        if self.has_aux:
            _, aux = value
            return grads, aux
        return grads


@transform("filter_value_and_grad", "differentiate")
def filter_value_and_grad(
    fun: Any = None, *, has_aux: bool = False, holomorphic: bool = False, allow_int: bool = False
) -> Any:
    """Like `jax.value_and_grad`, differentiating with respect to the first argument's inexact arrays.

    The first argument may be any pytree (typically a Module); gradients are
    taken with respect to its floating-point array leaves, and every other leaf
    gets `None` in the gradient, which has the first argument's structure.
    Usable as `@filter_value_and_grad` and `@filter_value_and_grad(has_aux=True)`.
    Its arguments, and the errors it raises, are those of `filter_grad`.

    Returns:
        A function of the same arguments returning `(value, grads)`, or
        `((value, aux), grads)` with `has_aux=True`. The function is a Module:
        stored in a model, `fun`'s own arrays stay leaves of the model.
    """
    return module_update_wrapper(_ValueAndGradWrapper(fun, has_aux, holomorphic, allow_int))


@transform("filter_grad", "differentiate")
def filter_grad(
    fun: Any = None, *, has_aux: bool = False, holomorphic: bool = False, allow_int: bool = False
) -> Any:
    """Like `jax.grad`, differentiating with respect to the first argument's inexact arrays.

    Args:
        fun: The function to differentiate, returning a scalar (with
            `has_aux=True`, a pair `(scalar, aux)`). Omit it to get a decorator.
        has_aux: Whether `fun` returns auxiliary data beside its value.
        holomorphic: As in `jax.grad`: `fun` is holomorphic in complex inputs,
            and its complex output is differentiated as such.
        allow_int: As in `jax.grad`; integer arrays are never differentiated
            here (they get `None`), so this only passes JAX's option on.

    Returns:
        A function of the same arguments returning the gradient: a pytree of the
        first argument's structure, with `None` at the leaves that are not
        floating-point arrays; with `has_aux=True`, `(grads, aux)`.

    Raises:
        TypeError: If `fun` is not callable; if the function is called without a
            first argument; with `has_aux=True`, if `fun` does not return a pair.
    """
    return module_update_wrapper(_GradWrapper(fun, has_aux, holomorphic, allow_int))


def _depends_on(leaf: Any, traces: frozenset[int]) -> bool:
    # Whether an output array was computed from the differentiated inputs: those
    # are tracers of the transform's own trace, and so is anything made from them.
    trace = getattr(leaf, "_trace", None)
    return trace is not None and id(trace) in traces


def _traces_of(leaves: Sequence[Any]) -> frozenset[int]:
    return frozenset(id(t) for leaf in leaves if (t := getattr(leaf, "_trace", None)) is not None)


# The primal output is exactly what `fn` returns; the tangents have its
# structure with None at undifferentiated leaves.
def filter_jvp(
    fn: Callable[..., _T], primals: Sequence[Any], tangents: Sequence[Any], **kwargs: Any
) -> tuple[_T, Any]:
    """Jacobian-vector product of `fn(*primals, **kwargs)` along `tangents`, for any pytrees.

    Args:
        fn: The function to differentiate.
        primals: The positional arguments of `fn`, as a tuple or list.
        tangents: The structure of `primals`, with an array (or Python
            float/complex) of the primal's shape where the primal is differentiated
            and `None` (a zero tangent) elsewhere; leaves that are not inexact must
            have `None`.
        **kwargs: Keyword arguments of `fn`, not differentiated.

    Returns:
        `(fn(*primals, **kwargs), tangents_out)`, where `tangents_out` has the
        output's structure, with `None` at every leaf that is not an array
        depending on a differentiated input.

    Raises:
        TypeError: If `primals` or `tangents` is not a sequence, or `tangents`
            gives a tangent to a leaf that is not inexact (as in Equinox).
        ValueError: If `tangents` does not have the structure of `primals`.
    """
    require_callable(fn, "filter_jvp", "differentiate")
    name = callable_name(fn)
    if not isinstance(primals, (tuple, list)):
        raise TypeError(_MSG_PRIMALS_NOT_SEQUENCE.format(name=name, type=type(primals).__name__))
    primal_leaves, treedef = jtu.tree_flatten(primals)
    treedef = cast(Any, treedef)
    try:
        tangent_leaves = treedef.flatten_up_to(tangents)
    except (ValueError, TypeError) as error:
        raise ValueError(_MSG_TANGENT_STRUCTURE.format(name=name, error=error)) from None
    perturbed = []
    for primal, tangent in zip(primal_leaves, tangent_leaves, strict=True):
        if tangent is None:
            perturbed.append(False)
        elif is_inexact_array(primal) or isinstance(primal, (float, complex)):
            perturbed.append(True)
        else:
            raise TypeError(_MSG_TANGENT_NOT_NONE.format(name=name, type=type(primal).__name__))
    dynamic = [p for p, d in zip(primal_leaves, perturbed, strict=True) if d]
    dynamic_tangents = [t for t, d in zip(tangent_leaves, perturbed, strict=True) if d]

    def run(*dynamic_in: Any) -> tuple[list[Any], list[Any], Static]:
        values = iter(dynamic_in)
        leaves = [next(values) if d else p for p, d in zip(primal_leaves, perturbed, strict=True)]
        out = fn(*jtu.tree_unflatten(treedef, leaves), **kwargs)
        out_leaves, out_treedef = jtu.tree_flatten(out)
        traces = _traces_of(dynamic_in)
        kinds = [
            "traced" if _depends_on(x, traces) else "array" if is_array(x) else "static"
            for x in out_leaves
        ]
        traced = [x for x, k in zip(out_leaves, kinds, strict=True) if k == "traced"]
        arrays = [x for x, k in zip(out_leaves, kinds, strict=True) if k == "array"]
        others = [x if k == "static" else None for x, k in zip(out_leaves, kinds, strict=True)]
        return traced, arrays, Static((out_treedef, kinds, others))

    (traced, arrays, static), (traced_tangents, _, _) = jax.jvp(run, dynamic, dynamic_tangents)
    out_treedef, kinds, others = static.value
    pieces = {"traced": iter(traced), "array": iter(arrays)}
    tangent_pieces = iter(traced_tangents)
    out_leaves = [
        next(pieces[k]) if k != "static" else x for k, x in zip(kinds, others, strict=True)
    ]
    out_tangents = [next(tangent_pieces) if k == "traced" else None for k in kinds]
    return (
        jtu.tree_unflatten(out_treedef, out_leaves),
        jtu.tree_unflatten(out_treedef, out_tangents),
    )


def filter_vjp(fun: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """Vector-Jacobian product of `fun(*primals)`, for any pytrees.

    Differentiates with respect to the inexact arrays of `primals`.

    Args:
        fun: The function to differentiate.
        *primals: Its positional arguments, any pytrees.
        has_aux: Whether `fun` returns `(out, aux)`.

    Returns:
        `(out, vjp_fn)`, or `(out, vjp_fn, aux)` with `has_aux=True`.
        `vjp_fn(cotangent)` takes a cotangent with the structure of `out`'s arrays
        (`None` at its other leaves) and returns a tuple of cotangents with the
        structure of `primals`, `None` at every leaf that is not an inexact array.
    """
    require_callable(fun, "filter_vjp", "differentiate")
    diff, nondiff = partition(primals, is_inexact_array)

    def run(diff: Any) -> tuple[Any, tuple[Any, Static]]:
        out = fun(*combine(diff, nondiff))
        aux = None
        if has_aux:
            out, aux = out
        out_dynamic, out_static = partition(out, is_array)
        aux_dynamic, aux_static = partition(aux, is_array)
        return out_dynamic, (aux_dynamic, Static((out_static, aux_static)))

    out_dynamic, vjp_fn, (aux_dynamic, static) = jax.vjp(run, diff, has_aux=True)
    out_static, aux_static = static.value
    out = combine(out_dynamic, out_static)

    def cotangent_fn(cotangent: Any) -> Any:
        cotangent_dynamic, _ = partition(cotangent, is_array)
        (grads,) = vjp_fn(cotangent_dynamic)
        return grads

    if has_aux:
        return out, cotangent_fn, combine(aux_dynamic, aux_static)
    return out, cotangent_fn


class _JacobianWrapper(Transformed):
    has_aux: bool = field(static=True)
    forward: ClassVar[bool]

    def __call__(self, x: Any, /, *args: Any, **kwargs: Any) -> Any:
        diff, nondiff = partition(x, is_inexact_array)

        def differentiable(diff: Any, *args: Any, **kwargs: Any) -> Any:
            out = self.fun(combine(diff, nondiff), *args, **kwargs)
            if not self.has_aux:
                return out
            # Non-array aux leaves cross the transform in the treedef.
            out, aux = out
            aux_dynamic, aux_static = partition(aux, is_array)
            return out, (aux_dynamic, Static(aux_static))

        transform = jax.jacfwd if self.forward else jax.jacrev
        result = transform(differentiable, has_aux=self.has_aux)(diff, *args, **kwargs)
        if not self.has_aux:
            return result
        jacobian, (aux_dynamic, aux_static) = result
        return jacobian, combine(aux_dynamic, aux_static.value)


class _JacfwdWrapper(_JacobianWrapper):
    transform_name: ClassVar[str] = "filter_jacfwd"
    forward = True


class _JacrevWrapper(_JacobianWrapper):
    transform_name: ClassVar[str] = "filter_jacrev"
    forward = False


def filter_jacfwd(fun: Callable[_P, Any], has_aux: bool = False) -> Callable[_P, Any]:
    """Like `jax.jacfwd`: the Jacobian in forward mode, with respect to the first argument's inexact arrays.

    The first argument may be any pytree; its leaves that are not inexact arrays
    are held constant and get `None` in the Jacobian.

    Args:
        fun: The function to differentiate. Its output must be a pytree of arrays
            (with `has_aux=True`, `(output, aux)`).
        has_aux: Whether `fun` returns auxiliary data beside its output.

    Returns:
        A function of the same arguments returning the Jacobian (with
        `has_aux=True`, `(jacobian, aux)`), structured as JAX's: the output's
        structure, each leaf holding the first argument's structure.
    """
    require_callable(fun, "filter_jacfwd", "differentiate")
    # Its call takes the first argument by position, as `jax.jacfwd`'s does.
    return cast("Callable[_P, Any]", module_update_wrapper(_JacfwdWrapper(fun, has_aux)))


def filter_jacrev(fun: Callable[_P, Any], has_aux: bool = False) -> Callable[_P, Any]:
    """Like `jax.jacrev`: the Jacobian in reverse mode, as `filter_jacfwd` computes it.

    Its arguments are those of `filter_jacfwd`.

    Returns:
        A function of the same arguments returning the Jacobian (with
        `has_aux=True`, `(jacobian, aux)`).
    """
    require_callable(fun, "filter_jacrev", "differentiate")
    return cast("Callable[_P, Any]", module_update_wrapper(_JacrevWrapper(fun, has_aux)))


def filter_hessian(fun: Callable[_P, Any], has_aux: bool = False) -> Callable[_P, Any]:
    """Like `jax.hessian`: the second derivative with respect to the first argument's inexact arrays.

    Args:
        fun: The function to differentiate, returning a scalar (with
            `has_aux=True`, `(scalar, aux)`).
        has_aux: Whether `fun` returns auxiliary data beside its value.

    Returns:
        A function of the same arguments returning the Hessian (with
        `has_aux=True`, `(hessian, aux)`).
    """
    require_callable(fun, "filter_hessian", "differentiate")
    return filter_jacfwd(filter_jacrev(fun, has_aux=has_aux), has_aux=has_aux)
