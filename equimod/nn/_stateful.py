"""Layer state: `StateIndex`, `State`, `make_with_state`, `delete_init_state`, `StatefulLayer`.

A stateful layer holds a `StateIndex` (a key, with the initial value) and is called
as `layer(x, state) -> (y, new_state)`. `make_with_state` gives each index a stable
name, from its path in the model, and gathers the initial values into one `State`,
a pytree that flows through `jax.jit`, `jax.grad` and `jax.vmap` beside the model.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import jax.numpy as jnp
import jax.tree_util as jtu
from typing_extensions import ParamSpec

from .._filters import shape_struct
from .._module import AbstractClassVar, Module, field
from .._module._wrappers import require_callable
from .._tree import tree_at
from .._tree_equal import tree_equal
from ._defaults_and_checks import layer_name

# The default `state` of layers that may be called with or without one.
NO_STATE: Any = object()

_Value = TypeVar("_Value")
_P = ParamSpec("_P")
_T = TypeVar("_T")

_MSG_FUNCTION_INIT = (
    "{layer} takes the initial value of the state itself, not a function that makes "
    "it: write StateIndex(jnp.zeros(3)), not StateIndex(lambda: jnp.zeros(3))."
)
_MSG_INIT_DELETED = (
    "{layer}(model): the initial value of the state at {path} was deleted (by "
    "make_with_state or delete_init_state). Build model and state together with "
    "`model, state = equimod.nn.make_with_state(ModelClass)(...)`."
)
_MSG_SUPERSEDED = (
    "This State was superseded: state.set(...) and state.update(...) return a new State "
    "and retire the old one, so that an update cannot be lost. Use the returned State: "
    "`state = state.set(index, value)`."
)
_MSG_NOT_INDEX = "State.{method}: the key must be an equimod.nn.StateIndex, got {got!r}."
_MSG_UNKNOWN_INDEX = (
    "State.{method}: this State has no entry for {index!r}. The State was made for "
    "another model, or the index was not in the model given to make_with_state."
)
_MSG_CHANGED_STRUCTURE = (
    "State.set({marker}): the new value must have the structure, shapes and dtypes of "
    "the old one, which is {old}; got {new}. Cast or reshape the value first."
)
_MSG_NOT_STATE = "State.update takes a State (from state.substate(...)), got {got!r}."
_MSG_NOT_SUBSTATE = (
    "State.update: the State passed in has an entry for {marker!r} that this State lacks; "
    "pass a substate of this State (from state.substate(...))."
)


class _InitDeleted(Module):
    """What a `StateIndex` holds once its initial value lives in a `State` instead."""

    def __repr__(self) -> str:
        return "<deleted: the initial value is in the State>"


_INIT_DELETED = _InitDeleted()


class StateIndex(Module, Generic[_Value]):
    """A key into a `State`, holding the state's initial value (any pytree of arrays).

    As `equinox.nn.StateIndex`: store one as a field of a layer, build the model with
    `make_with_state`, and read or write the value with `state.get(index)` and
    `state.set(index, value)`.

    Args:
        init: The initial value, any pytree of arrays (not a function).

    Raises:
        ValueError: If `init` is a function.
    """

    # An object before make_with_state names it by its path in the model.
    marker: object = field(static=True)
    init: _Value | _InitDeleted

    def __init__(self, init: _Value) -> None:
        if isinstance(init, (types.FunctionType, types.LambdaType)):
            raise ValueError(_MSG_FUNCTION_INIT.format(layer=layer_name(self)))
        self.marker = object()
        self.init = init


def _is_index(node: object) -> bool:
    return isinstance(node, StateIndex)


def _structure(value: Any) -> Any:
    return jtu.tree_map(shape_struct, value)


class State:
    """The values of every `StateIndex` of a model, as one pytree.

    As `equinox.nn.State`. Immutable in effect: `set` and `update` return a new
    `State` and retire this one, so that using an outdated state is an error rather
    than a silently lost update. Get one from `make_with_state`.

    Args:
        model: A model holding `StateIndex`es (with their initial values); each
            gets an entry named by its path.

    Raises:
        ValueError: If an index's initial value was deleted (by
            `delete_init_state`).
    """

    __slots__ = ("_values",)

    _values: dict[object, Any] | None

    def __init__(self, model: Any) -> None:
        values: dict[object, Any] = {}
        paths_and_leaves = jtu.tree_flatten_with_path(model, is_leaf=_is_index)[0]
        for path, leaf in paths_and_leaves:
            if _is_index(leaf):
                if isinstance(leaf.init, _InitDeleted):
                    raise ValueError(
                        _MSG_INIT_DELETED.format(
                            layer=layer_name(self), path=jtu.keystr(path) or "<root>"
                        )
                    )
                values[leaf.marker] = jtu.tree_map(jnp.asarray, leaf.init)
        self._values = values

    @classmethod
    def _of(cls, values: dict[object, Any]) -> State:
        state = object.__new__(cls)
        state._values = values
        return state

    def _live(self) -> dict[object, Any]:
        if self._values is None:
            raise ValueError(_MSG_SUPERSEDED)
        return self._values

    def _entry(self, method: str, index: object) -> object:
        if type(index) is not StateIndex:
            raise ValueError(_MSG_NOT_INDEX.format(method=method, got=index))
        if index.marker not in self._live():
            raise ValueError(_MSG_UNKNOWN_INDEX.format(method=method, index=index.marker))
        return index.marker

    def get(self, item: StateIndex[_Value]) -> _Value:
        """The current value for `item`.

        Args:
            item: A `StateIndex` of the model.

        Returns:
            Its value.

        Raises:
            ValueError: If this State was retired by `set` or `update`, or `item` is
                not a `StateIndex` of it.
        """
        values: Any = self._live()[self._entry("get", item)]
        return values  # type: ignore[no-any-return]

    def set(self, item: StateIndex[_Value], value: _Value) -> State:
        """A new State with `value` for `item`; this one is retired.

        Args:
            item: A `StateIndex` of the model.
            value: The new value, of the old value's structure, shapes and dtypes.

        Returns:
            The new State.

        Raises:
            ValueError: If this State was retired, `item` is not one of its indices,
                or `value` does not match the old value's structure.
        """
        marker = self._entry("set", item)
        values = dict(self._live())
        value = jtu.tree_map(jnp.asarray, value)
        old, new = _structure(values[marker]), _structure(value)
        if tree_equal(old, new) is not True:
            raise ValueError(_MSG_CHANGED_STRUCTURE.format(marker=marker, old=old, new=new))
        values[marker] = value
        self._values = None
        return State._of(values)

    def substate(self, pytree: Any) -> State:
        """The part of this State that the `StateIndex`es in `pytree` use.

        Args:
            pytree: A part of the model, such as a sublayer.

        Returns:
            A State holding those entries only.
        """
        values = self._live()
        indices = [x for x in jtu.tree_leaves(pytree, is_leaf=_is_index) if _is_index(x)]
        return State._of(
            {index.marker: values[self._entry("substate", index)] for index in indices}
        )

    def update(self, substate: State) -> State:
        """A new State with the entries of `substate`; this one is retired.

        Args:
            substate: A State from `substate(...)`, typically updated since.

        Returns:
            The new State.

        Raises:
            ValueError: If `substate` is not a State, or holds an entry this State
                does not have.
        """
        if type(substate) is not State:
            raise ValueError(_MSG_NOT_STATE.format(got=substate))
        values = dict(self._live())
        for marker, value in substate._live().items():
            if marker not in values:
                raise ValueError(_MSG_NOT_SUBSTATE.format(marker=marker))
            values[marker] = value
        self._values = None
        return State._of(values)

    def __iter__(self) -> Iterator[object]:
        return iter(self._live())

    def __repr__(self) -> str:
        if self._values is None:
            return "State(<superseded>)"
        entries = ", ".join(f"{marker}: {value!r}" for marker, value in self._values.items())
        return f"State({entries})"


def _flatten_with_keys(state: State) -> tuple[list[tuple[Any, Any]], tuple[object, ...]]:
    values = state._live()
    markers = tuple(values)
    return [(jtu.DictKey(marker), values[marker]) for marker in markers], markers


def _flatten(state: State) -> tuple[list[Any], tuple[object, ...]]:
    values = state._live()
    return list(values.values()), tuple(values)


def _unflatten(markers: tuple[object, ...], leaves: Any) -> State:
    return State._of(dict(zip(markers, leaves, strict=True)))


jtu.register_pytree_with_keys(State, _flatten_with_keys, _unflatten, _flatten)


def delete_init_state(model: _T) -> _T:
    """`model` with the initial value of each `StateIndex` dropped.

    Saves memory once the values are in a `State` (`make_with_state` does this).

    Args:
        model: Any pytree holding `StateIndex`es.

    Returns:
        A copy of `model` whose indices hold no initial value.
    """

    def drop(node: Any) -> Any:
        if _is_index(node):
            return tree_at(lambda index: index.init, node, _INIT_DELETED)
        return node

    return jtu.tree_map(drop, model, is_leaf=_is_index)  # type: ignore[no-any-return]


def make_with_state(make_model: Callable[_P, _T]) -> Callable[_P, tuple[_T, State]]:
    """Wraps a model's constructor to return `(model, state)`, as `equinox.nn.make_with_state`.

    Each `StateIndex` is named by its path in the model, so two calls build models
    and states that fit each other (e.g. a checkpoint's state and a fresh model).
    The model's indices keep no initial value (see `delete_init_state`).

    Args:
        make_model: A function (or class) building the model.

    Returns:
        A function of the same arguments returning `(model, state)`.

    Raises:
        TypeError: If `make_model` is not callable.
    """
    require_callable(make_model, "make_with_state", "build the model")

    def make(*args: _P.args, **kwargs: _P.kwargs) -> tuple[_T, State]:
        model = make_model(*args, **kwargs)
        prefix = type(model).__name__
        paths_and_leaves, treedef = jtu.tree_flatten_with_path(model, is_leaf=_is_index)
        leaves = []
        for path, leaf in paths_and_leaves:
            if _is_index(leaf):
                leaf = StateIndex(leaf.init)
                # The marker is static: naming it changes the treedef, which is the point.
                object.__setattr__(leaf, "marker", prefix + jtu.keystr(path))
            leaves.append(leaf)
        model = jtu.tree_unflatten(treedef, leaves)
        state = State(model)
        return delete_init_state(model), state

    return make


class StatefulLayer(Module):
    """A layer that may be called as `layer(x, state, *, key) -> (y, state)`.

    `Sequential` passes its state to each such layer whose `is_stateful()` is true,
    and calls every other layer as `layer(x, key=key)`.
    """

    def is_stateful(self) -> bool:
        """Whether `Sequential` should pass the state to this layer.

        Returns:
            True, unless a subclass says otherwise.
        """
        return True

    if not TYPE_CHECKING:
        # A stateful layer without a __call__ cannot be instantiated. Hidden from type
        # checkers, to which an AbstractClassVar is not a method each subclass overrides.
        __call__: AbstractClassVar[Callable[..., Any]]
