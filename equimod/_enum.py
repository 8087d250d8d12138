"""`Enumeration`: named outcomes that are JAX values, so code under `jit` can return them."""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import numpy.typing as npt

from ._errors import branched_error_if
from ._module import Module, field

_MSG_RESERVED = (
    "{cls} cannot have an item named {name!r}: Enumeration classes have a method of "
    "that name. Choose another name."
)
_MSG_NOT_MESSAGE = (
    "{cls}.{name} = {value!r}: the value of an Enumeration item is its message, a str."
)
_MSG_MIXED_BASES = (
    "{cls} subclasses an Enumeration and {other}, which is not one: an Enumeration "
    "may only inherit from Enumerations."
)
_MSG_CHANGED_MESSAGE = (
    "{cls}.{name} redefines the message of the item it inherits: using {message!r}."
)
_MSG_COMPARE = (
    "Cannot compare {left} with {right}: items are only comparable with items of the "
    "same Enumeration. Promote one with {left_enum}.promote(item) first."
)
_MSG_NOT_ITEM = "{cls}[...] takes an item of {cls}, got {item!r}."
_MSG_PROMOTE = (
    "{cls}.promote takes an item of an Enumeration that {cls} inherits from, got {item!r}."
)
_MSG_WHERE_PRED = (
    "{cls}.where needs a scalar boolean predicate, got shape {shape} and dtype {dtype}."
)
_MSG_WHERE_ITEMS = "{cls}.where(pred, a, b) takes two items of {cls}, got {a!r} and {b!r}."

_METHODS = frozenset({"promote", "where"})


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


class EnumerationItem(Module):
    """An item of an Enumeration: its index as an int32 array, and the Enumeration."""

    _value: Any
    _enumeration: Any = field(static=True)

    def __eq__(self, other: object) -> Any:
        return _compare(jnp.equal, self, self._comparable(other))

    def __ne__(self, other: object) -> Any:
        return _compare(jnp.not_equal, self, self._comparable(other))

    __hash__ = Module.__hash__

    def _comparable(self, other: object) -> EnumerationItem:
        if isinstance(other, EnumerationItem) and other._enumeration is self._enumeration:
            return other
        raise ValueError(
            _MSG_COMPARE.format(
                left=repr(self), right=repr(other), left_enum=self._enumeration.__qualname__
            )
        )

    def __repr__(self) -> str:
        enumeration = self._enumeration
        return f"{enumeration.__module__}.{enumeration.__qualname__}<{enumeration[self]}>"

    def error_if(self, token: Any, pred: Any) -> Any:
        """Return `token`, raising this item's message where `pred` holds (see `error_if`)."""
        return branched_error_if(token, pred, self._value, self._enumeration._messages)

    def is_traced(self) -> bool:
        """Whether the item is only known when the compiled code runs."""
        return isinstance(self._value, jax.core.Tracer)


def _compare(op: Any, a: EnumerationItem, b: EnumerationItem) -> Any:
    """`op` of two items' indices: known at once, even inside `jit`, unless one is traced.

    An index may also be None: a copy of an item with its arrays partitioned out
    (as a static part, which JAX compares as such) compares by `op` on the values.
    """
    if a._value is None or b._value is None:
        return op(np.asarray(a._value is None), np.asarray(b._value is None)).item()
    if a.is_traced() or b.is_traced():
        return op(a._value, b._value)
    with jax.ensure_compile_time_eval():
        return op(a._value, b._value)


class _EnumerationMeta(type):
    _items: dict[str, EnumerationItem]
    _messages: list[str]
    _offsets: dict[type, npt.NDArray[Any]]

    def __new__(
        mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]
    ) -> _EnumerationMeta:
        qualname = namespace.get("__qualname__", name)
        own = {k: v for k, v in namespace.items() if not _is_dunder(k)}
        is_root = not bases
        if not is_root:
            for item_name, message in own.items():
                if item_name in _METHODS:
                    raise ValueError(_MSG_RESERVED.format(cls=qualname, name=item_name))
                if not isinstance(message, str):
                    raise TypeError(
                        _MSG_NOT_MESSAGE.format(cls=qualname, name=item_name, value=message)
                    )
            own_items = own
            namespace = {k: v for k, v in namespace.items() if _is_dunder(k)}
        else:
            own_items = {}
        cls = super().__new__(mcs, name, bases, namespace)
        cls._items = {}
        cls._messages = []
        cls._offsets = {}
        for base in bases:
            for ancestor in base.__mro__:
                if ancestor is object or ancestor is Enumeration:
                    continue
                if not isinstance(ancestor, _EnumerationMeta):
                    raise TypeError(_MSG_MIXED_BASES.format(cls=qualname, other=ancestor))
                if ancestor in cls._offsets:
                    continue
                offsets = np.zeros(len(ancestor._messages), dtype=np.int32)
                for item_name, item in ancestor._items.items():
                    index = int(item._value)
                    offsets[index] = cls._store(item_name, ancestor._messages[index])
                cls._offsets[ancestor] = offsets
        for item_name, message in own_items.items():
            cls._store(item_name, message)
        if cls.__dict__.get("__doc__") is None and not is_root:
            lines = [f"An Enumeration with the items: {', '.join(cls._items)}."]
            cls.__doc__ = "\n".join(lines)
        return cls

    def _store(cls, name: str, message: str) -> int:
        existing = cls._items.get(name)
        if existing is None:
            index = len(cls._messages)
            cls._items[name] = EnumerationItem(np.array(index, dtype=np.int32), cls)
            cls._messages.append(message)
            return index
        index = int(existing._value)
        if cls._messages[index] != message:
            warnings.warn(
                _MSG_CHANGED_MESSAGE.format(cls=cls.__qualname__, name=name, message=message),
                stacklevel=4,
            )
            cls._messages[index] = message
        return index

    def __getattr__(cls, name: str) -> EnumerationItem:
        items = cls.__dict__.get("_items")
        if items is None or name not in items:
            raise AttributeError(f"type object {cls.__qualname__!r} has no attribute {name!r}")
        item: EnumerationItem = items[name]
        return item

    # `item: object`: anything else is refused with a clear ValueError, also under a
    # run-time type checker (the stubs say EnumerationItem).
    def __getitem__(cls, item: object) -> str:
        """The message of `item`: "traced" under `jit`, where its value is not known."""
        if not isinstance(item, EnumerationItem) or item._enumeration is not cls:
            raise ValueError(_MSG_NOT_ITEM.format(cls=cls.__qualname__, item=item))
        if isinstance(item._value, jax.core.Tracer):
            return "traced"
        return str(np.vectorize(lambda index: cls._messages[index])(np.asarray(item._value)))

    def __len__(cls) -> int:
        return len(cls._items)

    def __iter__(cls) -> Any:
        return iter(cls._items.values())

    def __instancecheck__(cls, value: Any) -> bool:
        return isinstance(value, EnumerationItem) and value._enumeration is cls


class Enumeration(metaclass=_EnumerationMeta):
    """Named outcomes that are JAX values: items can be returned from `jit`, compared, selected.

    ```python
    class RESULTS(equimod.Enumeration):
        successful = ""
        max_steps_reached = "The maximum number of steps was reached."

    result = RESULTS.where(steps < max_steps, RESULTS.successful, RESULTS.max_steps_reached)
    RESULTS[result]  # the message
    result == RESULTS.successful  # a boolean array
    ```

    Each class attribute is an item; its value is the item's message. An item is
    a Module holding its index as an int32 array, so it passes through JAX
    transforms. A subclass inherits its bases' items; `promote` converts an item
    of a base into the subclass. Items compare only with items of the same class.
    """

    @classmethod
    def promote(cls, item: EnumerationItem) -> EnumerationItem:
        """`item`, an item of an Enumeration this class inherits from, as an item of this class.

        Args:
            item: An item of a base Enumeration.

        Returns:
            The item of this class with the same name.

        Raises:
            ValueError: If `item` is not an item of a base of this class.
        """
        if not isinstance(item, EnumerationItem) or item._enumeration not in cls._offsets:
            raise ValueError(_MSG_PROMOTE.format(cls=cls.__qualname__, item=item))
        with jax.ensure_compile_time_eval():
            value = jnp.asarray(cls._offsets[item._enumeration])[item._value]
        return EnumerationItem(value, cls)

    @classmethod
    def where(cls, pred: Any, a: EnumerationItem, b: EnumerationItem) -> EnumerationItem:
        """`a` where the scalar boolean `pred` holds, else `b`, as `jnp.where` for items.

        Args:
            pred: A scalar boolean (array).
            a: An item of this class.
            b: An item of this class.

        Returns:
            An item of this class (traced under `jit`).

        Raises:
            ValueError: If `pred` is not a scalar boolean, or `a` or `b` is not an item
                of this class.
        """
        if jnp.shape(pred) != () or jnp.result_type(pred) != jnp.bool_:
            raise ValueError(
                _MSG_WHERE_PRED.format(
                    cls=cls.__qualname__, shape=jnp.shape(pred), dtype=jnp.result_type(pred)
                )
            )
        if not (isinstance(a, cls) and isinstance(b, cls)):
            raise ValueError(_MSG_WHERE_ITEMS.format(cls=cls.__qualname__, a=a, b=b))
        if a._value is b._value:
            return a
        with jax.ensure_compile_time_eval():
            value = jnp.where(pred, a._value, b._value)
        return EnumerationItem(value, cls)
