"""`filter_make_jaxpr` and `filter_closure_convert`: functions of pytrees as jaxprs."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, ClassVar, ParamSpec, TypeVar

import jax
import jax.tree_util as jtu

from ._eval_shape import filter_eval_shape
from ._filters import combine, is_array, is_shaped, partition, shape_struct
from ._module import Module, field
from ._module._wrappers import module_update_wrapper, require_callable
from ._static import Held, Static, static_equal
from ._transformed import Transformed, callable_name

_T = TypeVar("_T")
_P = ParamSpec("_P")

_MSG_STATIC_MISMATCH = (
    "The function that filter_closure_convert made from {name} was called with arguments "
    "whose non-array part differs from the example arguments it was traced at. Only "
    "arrays may change between calls: trace it again with the new arguments."
)
_MSG_STRUCTURE_MISMATCH = (
    "The function that filter_closure_convert made from {name} was traced at arrays of "
    "shapes and dtypes {expected}, and called with {got}. Call it with arrays like the "
    "example arguments, or trace it again."
)


class _MakeJaxpr(Transformed):
    transform_name: ClassVar[str] = "filter_make_jaxpr"

    def __call__(self, /, *args: Any, **kwargs: Any) -> tuple[Any, Any, Any]:
        dynamic, static = partition((args, kwargs), is_shaped)
        dynamic_leaves, dynamic_treedef = jtu.tree_flatten(dynamic)

        def run(*leaves: Any) -> tuple[Any, Static]:
            call_args, call_kwargs = combine(jtu.tree_unflatten(dynamic_treedef, leaves), static)
            out_dynamic, out_static = partition(self.fun(*call_args, **call_kwargs), is_array)
            return out_dynamic, Static(out_static)

        closed_jaxpr, (out_struct, out_static) = jax.make_jaxpr(run, return_shape=True)(
            *dynamic_leaves
        )
        return closed_jaxpr, out_struct, out_static.value


def filter_make_jaxpr(fun: Callable[..., Any]) -> Callable[..., tuple[Any, Any, Any]]:
    """Like `jax.make_jaxpr`, for functions whose arguments and output are any pytrees.

    Args:
        fun: The function to trace. Arrays and `jax.ShapeDtypeStruct`s in its
            arguments are traced; every other leaf (Python numbers included) is
            static.

    Returns:
        A function that, called with example arguments, returns a triple: the
        `ClosedJaxpr` of `fun` at those arguments, the output's arrays as a pytree
        of `jax.ShapeDtypeStruct` (None at other leaves), and the output's other
        leaves (None at array leaves).
    """
    require_callable(fun, "filter_make_jaxpr", "trace")
    return module_update_wrapper(_MakeJaxpr(fun))


class _ConvertedInputs(Module):
    """What a closure-converted function accepts: arguments like its example ones."""

    name: str = field(static=True)
    in_struct_leaves: tuple[jax.ShapeDtypeStruct, ...] = field(static=True)
    # Pytrees in static fields are held as `Held`: JAX compares static fields, and
    # a Module inside one would compare as its `__eq__` does (see _static.py).
    held_in_static: Held = field(static=True)

    def _checked_leaves(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        dynamic, static = partition((args, kwargs), is_array)
        if not static_equal(static, self.held_in_static.value):
            raise ValueError(_MSG_STATIC_MISMATCH.format(name=self.name))
        leaves = jtu.tree_leaves(dynamic)
        got = tuple(shape_struct(x) for x in leaves)
        if got != self.in_struct_leaves:
            raise ValueError(
                _MSG_STRUCTURE_MISMATCH.format(
                    name=self.name, expected=list(self.in_struct_leaves), got=list(got)
                )
            )
        return leaves


class _TrivialClosureConvert(_ConvertedInputs):
    """A function that closes over nothing, so holds no arrays: kept as it is, not traced.
    (Named as Equinox names its own.)"""

    fn: Callable[..., Any] = field(static=True)
    # The example arguments, flattened (a treedef and a tuple hash; a dict does not).
    example_treedef: Any = field(static=True)
    example_leaves: tuple[Any, ...] = field(static=True)

    @property
    def out_struct(self) -> Any:
        """The output's shapes and dtypes for the example arguments."""
        args, kwargs = jtu.tree_unflatten(self.example_treedef, self.example_leaves)
        return filter_eval_shape(self.fn, *args, **kwargs)

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        self._checked_leaves(args, kwargs)
        return self.fn(*args, **kwargs)


class _ClosureConvert(_ConvertedInputs):
    """A function as a jaxpr and the arrays it closed over, which are this Module's leaves."""

    # A leaf, not a static field, so that JAX code walking the leaves of this
    # Module (a primitive's parameters, for one) sees the jaxpr.
    jaxpr: Any
    consts: list[Any]
    held_out_struct: Held = field(static=True)
    held_out_static: Held = field(static=True)

    @property
    def out_struct(self) -> Any:
        """The output's arrays as `jax.ShapeDtypeStruct`s (None at its other leaves)."""
        return self.held_out_struct.value

    @property
    def out_static(self) -> Any:
        """The output's other leaves (None at its arrays)."""
        return self.held_out_static.value

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        leaves = self._checked_leaves(args, kwargs)
        out_leaves = jax.core.eval_jaxpr(self.jaxpr, self.consts, *leaves)
        out_dynamic = jtu.tree_unflatten(jtu.tree_structure(self.out_struct), out_leaves)
        return combine(out_dynamic, self.out_static)


def filter_closure_convert(fn: Callable[_P, _T], *args: Any, **kwargs: Any) -> Callable[_P, _T]:
    """Trace `fn` at example arguments into a Module that holds what it closes over.

    Like `jax.closure_convert`, for functions of any pytrees, and hoisting every
    closed-over array (not only floating-point ones). The arrays `fn` closes over
    (tracers of an enclosing transform included) become the result's leaves, so
    they cross an API boundary such as a custom derivative rule explicitly.

    Args:
        fn: The function to convert; it is traced, not run.
        *args: Example positional arguments: arrays or `jax.ShapeDtypeStruct`s,
            and any other leaves.
        **kwargs: Example keyword arguments, as `args`.

    Returns:
        A function computing `fn(*args, **kwargs)` for any arguments of the same
        structure, array shapes and dtypes, and non-array leaves.
    """
    require_callable(fn, "filter_closure_convert", "convert")
    if isinstance(fn, _ConvertedInputs):
        return fn
    dynamic, static = partition((args, kwargs), is_shaped)
    in_struct_leaves = tuple(shape_struct(x) for x in jtu.tree_leaves(dynamic))
    name = callable_name(fn)
    if isinstance(fn, types.FunctionType) and fn.__closure__ is None:
        # It can close over no tracer: tracing it would find no arrays to hoist.
        leaves, treedef = jtu.tree_flatten((args, kwargs))
        example = tuple(shape_struct(x) if is_shaped(x) else x for x in leaves)
        return _TrivialClosureConvert(name, in_struct_leaves, Held(static), fn, treedef, example)
    closed_jaxpr, out_struct, out_static = filter_make_jaxpr(fn)(*args, **kwargs)
    return _ClosureConvert(
        name,
        in_struct_leaves,
        Held(static),
        closed_jaxpr.jaxpr,
        list(closed_jaxpr.consts),
        Held(out_struct),
        Held(out_static),
    )
