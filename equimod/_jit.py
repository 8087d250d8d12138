"""`filter_jit`: `jax.jit` where arrays are traced and every other leaf is static."""

from __future__ import annotations

import abc
import functools
import operator
import types
import warnings
from collections.abc import Callable, Hashable, Sequence
from typing import (
    Any,
    ClassVar,
    Literal,
    get_args,
)

import jax
import jax.tree_util as jtu
import numpy as np

from ._caches import register_cache
from ._errors import reraise_from_jax
from ._filters import ARRAY_TYPES
from ._module import field
from ._module._wrappers import module_update_wrapper
from ._static import Static
from ._transformed import Transformed, callable_name, transform

Donate = Literal["none", "all", "all-except-first", "warn", "warn-except-first"]
_DONATE_OPTIONS = get_args(Donate)
# The jitted function's argument numbers each option donates: 0 holds the wrapped
# callable's own arrays (a Module's), 1 the first argument's, 2 the other arguments'.
# As in Equinox, the callable's go with the other arguments'.
_DONATED_ARGNUMS = {
    "all": (0, 1, 2),
    "warn": (0, 1, 2),
    "all-except-first": (0, 2),
    "warn-except-first": (0, 2),
}
# The same for the direct path, whose arguments 0-2 mean the same and 3 holds the
# keyword arguments, donated with the other arguments'.
_DIRECT_DONATED_ARGNUMS = {option: (*argnums, 3) for option, argnums in _DONATED_ARGNUMS.items()}
_EXCEPT_FIRST = frozenset({"all-except-first", "warn-except-first"})
# JAX warns when it cannot reuse a donated buffer: the "all" options silence that
# warning, the "warn" ones keep it (as in Equinox).
_SILENT_DONATE = frozenset({"all", "all-except-first"})
_UNUSABLE_DONATION_WARNING = "Some donated buffers were not usable"

_MSG_BAD_DONATE = "filter_jit(donate=...) must be one of {options}, got {donate!r}."
_MSG_UNHASHABLE_STATIC = (
    "filter_jit({name}) was called with an argument leaf of type {type} that is not an "
    "array and not hashable, so it can be neither traced nor used as a compile-time "
    "constant. Pass it as an array, make it hashable (e.g. a tuple instead of a list "
    "leaf), or close over it."
)


class _Traced:
    """Stands in a static leaf list for a leaf that is traced."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<traced>"


TRACED = _Traced()


# Concrete leaf types known to be arrays: checking the set of types of all
# leaves at once is much cheaper than an isinstance test per leaf.
_KNOWNARRAY_TYPES: set[type] = set()
register_cache(_KNOWNARRAY_TYPES.clear)


def split_leaves(leaves: list[Any]) -> tuple[list[Any], tuple[Any, ...] | None]:
    """The traced leaves, and the static leaves with `TRACED` in the others' places.

    The static part is None when every leaf is traced (the common case).
    """
    types = set(map(type, leaves))
    if not types <= _KNOWNARRAY_TYPES:
        _KNOWNARRAY_TYPES.update(t for t in types if issubclass(t, ARRAY_TYPES))
        if not types <= _KNOWNARRAY_TYPES:
            # (A tracer is an array by `isinstance`, which its type alone does not tell.)
            dynamic = []
            static = []
            for leaf in leaves:
                if isinstance(leaf, ARRAY_TYPES):
                    dynamic.append(leaf)
                    static.append(TRACED)
                else:
                    static.append(leaf)
            if len(dynamic) < len(leaves):
                return dynamic, tuple(static)
    return leaves, None


def merge_leaves(dynamic: list[Any], static: tuple[Any, ...] | None) -> list[Any]:
    if static is None:
        return dynamic
    values = iter(dynamic)
    return [next(values) if leaf is TRACED else leaf for leaf in static]


class StaticKey:
    """The static part of a call, hashed once: jax.jit hashes and compares it per call.

    `layout` says how the traced leaves are passed: under `filter_jit`, how many
    are the first argument's; under `filter_pmap`, the axis of each.

    `fun_treedef` is None when the wrapped callable is a plain function, which is
    then `fun_static` itself; otherwise the callable is a pytree (a Module, a
    `Partial`) whose arrays are traced like the arguments'.
    """

    __slots__ = ("_hash", "fun_static", "fun_treedef", "layout", "static_leaves", "treedef")

    def __init__(
        self,
        treedef: Any,
        static_leaves: tuple[Any, ...] | None,
        layout: Hashable,
        fun_treedef: Any,
        fun_static: Any,
    ) -> None:
        self.treedef = treedef
        self.static_leaves = static_leaves
        self.layout = layout
        self.fun_treedef = fun_treedef
        self.fun_static = fun_static
        self._hash = hash((treedef, static_leaves, layout, fun_treedef, fun_static))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if other is self:
            # As `jax.jit` finds a layout's key, each call: no need to compare its parts.
            return True
        return (
            isinstance(other, StaticKey)
            and self._hash == other._hash
            and self.layout == other.layout
            and self.fun_treedef == other.fun_treedef
            and self.fun_static == other.fun_static
            and self.treedef == other.treedef
            and self.static_leaves == other.static_leaves
        )

    def function(self, fun_dynamic: list[Any]) -> Callable[..., Any]:
        if self.fun_treedef is None:
            return self.fun_static  # type: ignore[no-any-return]
        return jtu.tree_unflatten(self.fun_treedef, merge_leaves(fun_dynamic, self.fun_static))  # type: ignore[no-any-return]


class _DirectPathRefusedError(Exception):
    """Raised while tracing the direct path for a call it must not take (see `_Route`)."""


# Set on an exception the wrapped callable raised while the direct path traced it,
# which is the user's to see, unlike JAX's refusal of an argument before tracing.
_RAISED_BY_THE_CALLABLE = "_equimod_raised_by_the_callable"


def _as_a_python_scalar_would_be(shape: tuple[int, ...], dtype: Any, weak_type: bool) -> bool:
    """Whether an array of this kind is what a Python scalar or bool also becomes:
    a weakly typed scalar, or a bool scalar. The direct path takes no such array,
    since `filter_jit` keeps a Python scalar static."""
    return shape == () and (weak_type or dtype == np.bool_)


def _passed_on_unchanged(aval: Any) -> bool:
    """Whether an argument leaf of this abstract value can only have been an array."""
    return type(aval) is jax.core.ShapedArray and not _as_a_python_scalar_would_be(
        aval.shape, aval.dtype, aval.weak_type
    )


def _plain_array(leaf: Any) -> bool:
    """Whether the array `leaf` is one the direct path takes (as `_passed_on_unchanged`)."""
    if leaf.shape != ():
        return True  # the common case, decided without a call
    # A tracer (the call is inside another transform) tells only through its aval.
    weak = getattr(getattr(leaf, "aval", None), "weak_type", False)
    return not _as_a_python_scalar_would_be((), leaf.dtype, weak)


def _call_direct(
    fun_dynamic: Any,
    first: tuple[Any, ...],
    rest: tuple[Any, ...],
    kwargs: dict[str, Any],
    fun_static: Any,
) -> Any:
    """What the direct path compiles: the call, its arguments as `jax.jit` traced them.

    Refuses (before the callable runs) arguments that may have held a static leaf;
    returns the output as it is when its leaves are all arrays, else split.
    """
    if not all(
        _passed_on_unchanged(leaf.aval)
        for leaf in jtu.tree_leaves((fun_dynamic, first, rest, kwargs))
    ):
        raise _DirectPathRefusedError
    fun = fun_static if fun_dynamic is None else fun_dynamic
    try:
        out = fun(*first, *rest, **kwargs)
    except Exception as error:
        setattr(error, _RAISED_BY_THE_CALLABLE, True)
        raise
    return _leaving(out)


def _leaving(out: Any) -> Any:
    """An output as it leaves a compiled function: as it is when its leaves are all
    arrays (JAX rebuilds it), else split into its arrays and a `Static` of the rest."""
    out_leaves, out_treedef = jtu.tree_flatten(out)
    out_dynamic, out_static = split_leaves(out_leaves)
    if out_static is None:
        return out
    return _SplitOutput(out_dynamic, Static((out_treedef, out_static)))


def _arrived(out: Any) -> Any:
    """The call's result, from what `_leaving` made of it inside the compiled function."""
    if type(out) is _SplitOutput:
        return rebuild_output(out.dynamic, out.static)
    return out


class _SplitOutput:
    """An output with leaves that are not arrays, as it leaves a compiled function."""

    __slots__ = ("dynamic", "static")

    def __init__(self, dynamic: list[Any], static: Static) -> None:
        self.dynamic = dynamic
        self.static = static


jtu.register_pytree_node(
    _SplitOutput,
    lambda out: ((out.dynamic, out.static), None),
    lambda _, children: _SplitOutput(*children),
)


def _call_traced(fun_dynamic: list[Any], first: list[Any], rest: list[Any], key: StaticKey) -> Any:
    args, kwargs = jtu.tree_unflatten(key.treedef, merge_leaves(first + rest, key.static_leaves))
    return _leaving(key.function(fun_dynamic)(*args, **kwargs))


@functools.cache
def _compile(donate: str, options: tuple[tuple[str, Any], ...], direct: bool = False) -> Any:
    """The compiled function of every `filter_jit` with this `donate`: its cache is keyed
    on the wrapped callable too, so a wrapper made again for the same function (as in
    `filter_jit(filter_grad(f))(x)`) finds what an earlier one compiled.

    `direct` asks for the function the direct path calls (`_call_direct`, taking the
    arguments as they are), rather than the one taking their leaves (`_call_traced`).
    """
    donate_argnums = (_DIRECT_DONATED_ARGNUMS if direct else _DONATED_ARGNUMS).get(donate, ())
    keywords = dict(options)
    if "compiler_options" in keywords:
        keywords["compiler_options"] = dict(keywords["compiler_options"])
    function, static = (_call_direct, 4) if direct else (_call_traced, 3)
    jitted = jax.jit(function, static_argnums=(static,), donate_argnums=donate_argnums, **keywords)
    return silenced_where_asked(donate, jitted)


register_cache(_compile.cache_clear)


def silenced_where_asked(donate: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, calling which shows no warning about unusable donated buffers
    where `donate` asks for silence; `function` itself otherwise (no extra call)."""
    if donate not in _SILENT_DONATE:
        return function
    return functools.partial(_call_silenced, function)


def _call_silenced(function: Callable[..., Any], *args: Any) -> Any:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_UNUSABLE_DONATION_WARNING)
        return function(*args)


class Compiling(Transformed):
    """A transform's wrapper that compiles: called, or lowered ahead of time.

    `_prepare` gives the compiled function's arguments for a call (the static
    key last), `_compiled` the compiled function for a key, and `_finish` the
    call's result from what the compiled function returned.
    """

    @abc.abstractmethod
    def _prepare(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]: ...

    @abc.abstractmethod
    def _compiled(self, key: StaticKey) -> Any: ...

    @abc.abstractmethod
    def _finish(self, out: Any) -> Any: ...

    def lower(self, /, *args: Any, **kwargs: Any) -> Lowered:
        """Lower the function for these arguments, ahead of time, as JAX's `lower`.

        Args:
            *args: The arguments, as in a call.
            **kwargs: The keyword arguments, as in a call.

        Returns:
            The lowered function: `as_text()` shows it, `compile()` compiles it into
            a function taking arguments of the same shapes, dtypes and non-array
            values.
        """
        call = self._prepare(args, kwargs)
        key = call[-1]
        return Lowered(unsilenced(self._compiled(key)).lower(*call), self, key)


class _Route:
    """Which way a `filter_jit` wrapper's calls go, learnt from the calls it has had.

    The direct path hands the arguments to `jax.jit` as they are, which is as fast
    as a call of `jax.jit` itself, but is right only for a call whose every leaf
    is an array: JAX would trace a Python number that `filter_jit` keeps static.
    So a wrapper checks each call's leaves (the checked path) until one passes;
    from then on its calls take the direct path unchecked, whose tracing refuses
    an argument that might not have been an array (and JAX one that is no array),
    and after the first refusal the wrapper checks every call again, for good.
    Either way a call whose leaves are all arrays runs the direct path's compiled
    function, so changing route never compiles a call again. A checked call
    with static leaves made twice in a row leaves its `_Layout`, which the next
    such call tries first.

    Shared by the copies JAX rebuilds of the wrapper (a static field), and equal
    to every other, so that the wrapper's tree structure does not depend on it.
    """

    __slots__ = ("checked_key", "direct", "layout")

    def __init__(self) -> None:
        # None: not known yet; True: unchecked; False: checked from now on.
        self.direct: bool | None = None
        # Where the static leaves stood in a call made twice (see `_Layout`), and
        # the static key of the last call that did without one.
        self.layout: _Layout | None = None
        self.checked_key: StaticKey | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Route)

    def __hash__(self) -> int:
        return hash(_Route)


def _picker(positions: list[int]) -> Callable[[list[Any]], Sequence[Any]]:
    """A C-level function taking the leaves at `positions` (at least one) from a list:
    a tuple of them, or a list when there is one."""
    if len(positions) >= 2:
        return operator.itemgetter(*positions)
    return operator.itemgetter(slice(positions[0], positions[0] + 1))


class _Layout:
    """Where a plain function's call had static leaves, and which they were.

    A later call of the same tree structure, with leaves of the same types at
    each place (arrays where this call's were traced) and static leaves equal to
    these, is the call this one's `StaticKey` stands for: it passes that very key
    to `jax.jit` (whose cache then finds it by identity) without splitting its
    leaves one by one or hashing its static part again. The arrays' shapes and
    dtypes are `jax.jit`'s to compare, as on every call.
    """

    __slots__ = ("key", "leaf_types", "n_first", "static_backwards", "static_of", "static_values")

    def __init__(self, key: StaticKey, leaf_types: tuple[type, ...]) -> None:
        static_leaves = key.static_leaves
        assert static_leaves is not None
        static = [i for i, leaf in enumerate(static_leaves) if leaf is not TRACED]
        self.key = key
        self.leaf_types = leaf_types
        self.n_first: int = key.layout  # type: ignore[assignment]
        self.static_of = _picker(static)
        # Picked from a list, as a call's leaves are: the same kind of sequence back.
        self.static_values = self.static_of(list(static_leaves))
        # Deleting the few static leaves from a call's own list of leaves leaves
        # its arrays in order, which is cheaper than picking every array.
        self.static_backwards = static[::-1]

    @staticmethod
    def for_call(key: StaticKey, dynamic: list[Any]) -> _Layout | None:
        """The layout of a call with these static key and traced leaves, or None if a
        traced leaf's type alone does not say it is an array (a tracer's, say)."""
        traced_types = tuple(map(type, dynamic))
        if not _KNOWNARRAY_TYPES.issuperset(traced_types):
            return None
        types = iter(traced_types)
        static_leaves = key.static_leaves or ()
        return _Layout(key, tuple(next(types) if x is TRACED else type(x) for x in static_leaves))

    def serves(self, wrapper: _JitWrapper) -> bool:
        # A copy of the wrapper made by JAX shares its route, and may hold another function.
        return self.key.fun_static is wrapper.fun

    def call(self, leaves: list[Any], treedef: Any) -> tuple[Any, ...] | None:
        """The compiled function's arguments for a call of these leaves (whose list it
        takes the static leaves out of), or None if the call is not one this layout
        stands for (its leaves then untouched)."""
        key = self.key
        if tuple(map(type, leaves)) != self.leaf_types or treedef != key.treedef:
            return None
        if self.static_of(leaves) != self.static_values:
            return None
        for position in self.static_backwards:
            del leaves[position]
        n_first = self.n_first
        if n_first == len(leaves):
            return [], leaves, [], key
        return [], leaves[:n_first], leaves[n_first:], key


@functools.cache
def _jax_rejects_array_likes() -> bool:
    """Whether JAX refuses, rather than traces, an argument leaf that only has
    `__jax_array__`, as newer releases do: one it traced would be taken for an
    array on the unchecked direct path, where `filter_jit` keeps it static."""

    class ArrayLike:
        def __jax_array__(self) -> Any:
            return np.zeros(())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            jax.eval_shape(lambda x: x, ArrayLike())
        except (TypeError, ValueError):
            return True
    return False


class _JitWrapper(Compiling):
    """What `filter_jit` returns: a Module, so the wrapped callable's arrays are leaves.

    A layer wrapped in `filter_jit` and stored in a model is trained like any
    other: its arrays are leaves of the model, and traced (not baked in) at each call.
    """

    transform_name: ClassVar[str] = "filter_jit"
    donate: str = field(static=True)
    jitted: Any = field(static=True)
    direct: Any = field(static=True)
    route: _Route = field(static=True)

    def __init__(
        self, fun: Callable[..., Any], donate: str, options: tuple[tuple[str, Any], ...]
    ) -> None:
        self.fun = fun
        self.donate = donate
        self.jitted = _compile(donate, options)
        self.direct = _compile(donate, options, direct=True)
        self.route = _Route()

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        route = self.route
        try:
            if route.direct:
                try:
                    return _pass_on(self, args, kwargs)
                except _DirectPathRefusedError:
                    route.direct = False
                except (TypeError, ValueError, OverflowError) as error:
                    if getattr(error, _RAISED_BY_THE_CALLABLE, False):
                        raise
                    route.direct = False  # JAX refused an argument that is no array
            return _check_then_call(self, args, kwargs)
        except Exception as error:
            # JAX's error for a failed `error_if` check, whose type varies across
            # releases, carries the check's message: raise it as equimod's error.
            reraise_from_jax(error)
            raise

    def _compiled(self, key: StaticKey) -> Any:
        return self.jitted

    def trace(self, /, *args: Any, **kwargs: Any) -> Any:
        """Trace the function for these arguments, as `jax.jit`'s `trace`: the result
        has the `jaxpr` and can be lowered (`.lower()`, then as `lower` returns).

        Args:
            *args: The arguments, as in a call.
            **kwargs: The keyword arguments, as in a call.

        Returns:
            JAX's traced stage of the compiled function.
        """
        call = self._prepare(args, kwargs)
        return unsilenced(self.jitted).trace(*call)

    def _prepare(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        flat: tuple[list[Any], Any] | None = None,
    ) -> tuple[list[Any], list[Any], list[Any], StaticKey]:
        """The compiled function's arguments for a call: the traced leaves of the
        wrapped callable, of the first argument and of the others, and the static key.

        `flat` is `(args, kwargs)` flattened already, if it is."""
        fun = self.fun
        if type(fun) is types.FunctionType:
            fun_dynamic: list[Any] = []
            fun_treedef: Any = None
            fun_static: Any = fun
        else:
            fun_leaves, fun_treedef = jtu.tree_flatten(fun)
            fun_dynamic, fun_static = split_leaves(fun_leaves)
        leaves, treedef = jtu.tree_flatten((args, kwargs)) if flat is None else flat
        dynamic, static_leaves = split_leaves(leaves)
        if self.donate in _EXCEPT_FIRST and args:
            n_first = len([x for x in jtu.tree_leaves(args[0]) if isinstance(x, ARRAY_TYPES)])
            first, rest = dynamic[:n_first], dynamic[n_first:]
        else:
            n_first = len(dynamic)
            first, rest = dynamic, []  # no copy of the leaves on the common path
        try:
            key = StaticKey(treedef, static_leaves, n_first, fun_treedef, fun_static)
        except TypeError:
            fun_static_leaves = (fun_static,) if fun_treedef is None else (fun_static or ())
            self._raise_unhashable((*(static_leaves or ()), *fun_static_leaves))
            raise
        return fun_dynamic, first, rest, key

    @staticmethod
    def _finish(out: Any) -> Any:
        """The call's result, from what the compiled function returned."""
        return _arrived(out)

    def _raise_unhashable(self, static_leaves: tuple[Any, ...]) -> None:
        for leaf in static_leaves:
            if not isinstance(leaf, Hashable) or _unhashable(leaf):
                raise TypeError(
                    _MSG_UNHASHABLE_STATIC.format(
                        name=callable_name(self.fun),
                        type=type(leaf).__name__,
                    )
                )

    def __repr__(self) -> str:
        return f"<filter_jit {getattr(self.fun, '__qualname__', self.fun)!r}>"


# Functions, not methods: a Module's methods are read through a descriptor (one that
# binds the instance as a pytree), a cost paid on every call otherwise.


def _pass_on(wrapper: _JitWrapper, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The call, on the direct path: its arguments passed to `jax.jit` as they are."""
    fun = wrapper.fun
    fun_dynamic, fun_static = (None, fun) if type(fun) is types.FunctionType else (fun, None)
    if wrapper.donate in _EXCEPT_FIRST:
        first, rest = args[:1], args[1:]
    else:
        first, rest = args, ()
    return _arrived(wrapper.direct(fun_dynamic, first, rest, kwargs, fun_static))


def _check_then_call(wrapper: _JitWrapper, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The call, on the checked path: on the direct path if its leaves are all arrays
    (after which the wrapper's calls go there unchecked), else on the general one,
    with the last such call's layout if it stands for this call."""
    route = wrapper.route
    layout = route.layout
    flat = None
    if layout is not None and layout.serves(wrapper):
        flat = jtu.tree_flatten((args, kwargs))
        known = layout.call(*flat)
        if known is not None:
            return _arrived(wrapper.jitted(*known))
    call = _JitWrapper._prepare(wrapper, args, kwargs, flat)
    fun_dynamic, first, rest, key = call
    if (
        key.static_leaves is None
        and (key.fun_treedef is None or key.fun_static is None)
        and all(map(_plain_array, first))
        and all(map(_plain_array, rest))
        and all(map(_plain_array, fun_dynamic))
    ):
        if route.direct is None and _jax_rejects_array_likes():
            route.direct = True
        return _pass_on(wrapper, args, kwargs)
    out = _JitWrapper._finish(wrapper.jitted(*call))
    if key.static_leaves is not None and key.fun_treedef is None:
        # Only once the call has compiled and run: a layout stands for a good call.
        # And only for a call made twice in a row: calls that alternate (between
        # static values, say) would each pay for a layout and never use it.
        # The earlier call's key: the one `jax.jit` keeps, if that call compiled.
        checked_key = route.checked_key
        if checked_key is not None and key == checked_key:
            route.layout = _Layout.for_call(checked_key, [*first, *rest])
        route.checked_key = key
    return out


def rebuild_output(out_dynamic: list[Any], out_static: Static) -> Any:
    """An output that left a compiled function as its arrays and a `Static` of the rest."""
    out_treedef, out_static_leaves = out_static.value
    return jtu.tree_unflatten(out_treedef, merge_leaves(out_dynamic, out_static_leaves))


def unsilenced(jitted: Callable[..., Any]) -> Any:
    """The `jax.jit` function behind `_compile`'s result."""
    return jitted.args[0] if isinstance(jitted, functools.partial) else jitted


_MSG_OTHER_STATIC = (
    "This function was compiled ahead of time by {transform}({name}).lower(...) for other "
    "non-array arguments, tree structure or array count than this call's: a compiled "
    "function runs only the values it was lowered with. Lower it again for these arguments."
)


class Lowered:
    """What `filter_jit(f).lower(...)` and `filter_pmap(f).lower(...)` return: JAX's
    lowered stage, taking and returning the pytrees `f` does."""

    def __init__(self, lowered: Any, wrapper: Compiling, key: StaticKey) -> None:
        self.lowered = lowered
        self._wrapper = wrapper
        self._key = key

    def as_text(self, *args: Any, **kwargs: Any) -> str:
        """The lowered program as text, as `jax.stages.Lowered.as_text`.

        Args:
            *args: Passed on to JAX's `as_text`.
            **kwargs: Passed on to JAX's `as_text`.

        Returns:
            The text.
        """
        return str(self.lowered.as_text(*args, **kwargs))

    def compile(self, compiler_options: dict[str, Any] | None = None) -> Compiled:
        """Compile the lowered function.

        Args:
            compiler_options: XLA options, as in `jax.stages.Lowered.compile`.

        Returns:
            The compiled function: call it as the wrapped function, with arguments
            like the ones it was lowered with.
        """
        options = {} if compiler_options is None else {"compiler_options": compiler_options}
        return Compiled(self.lowered.compile(**options), self._wrapper, self._key)


class Compiled:
    """What `Lowered.compile()` returns: call it as the function it was lowered from."""

    def __init__(self, compiled: Any, wrapper: Compiling, key: StaticKey) -> None:
        self.compiled = compiled
        self._wrapper = wrapper
        self._key = key

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        *dynamic, key = self._wrapper._prepare(args, kwargs)
        if key != self._key:
            raise TypeError(
                _MSG_OTHER_STATIC.format(
                    transform=self._wrapper.transform_name, name=callable_name(self._wrapper.fun)
                )
            )
        return self._wrapper._finish(self.compiled(*dynamic))


def _unhashable(leaf: Any) -> bool:
    try:
        hash(leaf)
    except TypeError:
        return True
    return False


@transform("filter_jit", "compile")
def filter_jit(
    fun: Any = None,
    *,
    donate: Donate = "none",
    keep_unused: bool = False,
    inline: bool = False,
    compiler_options: dict[str, Any] | None = None,
) -> Any:
    """Compile `fun` with `jax.jit`, tracing array leaves and treating the rest as static.

    Every argument may be any pytree: its JAX and NumPy arrays are traced, and
    all other leaves (Python numbers, strings, functions, ...) are compile-time
    constants, so `fun` recompiles only when they, the tree structure, or the
    array shapes and dtypes change. The output may hold non-array leaves too.
    Usable as `@filter_jit`, `@filter_jit(donate="all")`, and on methods.

    Args:
        fun: The function to compile. Omit it to get a decorator.
        donate: `"none"`; `"all"`, to donate every input array buffer to the
            output (those of `fun` too, where it is a Module: call the copy it
            returns, not `fun`, afterwards); `"all-except-first"`, to donate all
            but the first argument's;
            or `"warn"`/`"warn-except-first"`, the same but keeping JAX's warning
            when a donated buffer cannot be reused (the `"all"` options silence it).
        keep_unused: As in `jax.jit`: keep arguments the function does not use
            (by default XLA may drop them).
        inline: As in `jax.jit`: inline the function into an enclosing jit.
        compiler_options: As in `jax.jit`: XLA compiler options.

    Returns:
        A function with `fun`'s signature (a Module wrapping `fun`, whose arrays
        are leaves).

    Raises:
        TypeError: If `fun` is not callable; when called, if a leaf that is not an
            array is not hashable either.
        ValueError: If `donate` is not one of the options.
        EquimodRuntimeError: When called, if an `error_if` check inside fails.
    """
    if donate not in _DONATE_OPTIONS:
        raise ValueError(_MSG_BAD_DONATE.format(options=_DONATE_OPTIONS, donate=donate))
    options: dict[str, Any] = {"keep_unused": keep_unused, "inline": inline}
    if compiler_options:
        options["compiler_options"] = tuple(sorted(compiler_options.items()))
    return module_update_wrapper(_JitWrapper(fun, donate, tuple(options.items())))
