"""What constructing an instance of a Module class needs, and the steps after its `__init__`."""

from __future__ import annotations

import dataclasses
import operator
import types
import warnings
from collections.abc import Callable
from typing import Any, NoReturn

import jax.tree_util as jtu

from .._filters import is_array
from ._abstract import unimplemented_abstract
from ._field import converter_of, is_static
from ._jax_transformed import may_hold_transformed

_MSG_MISSING_FIELDS = (
    "Field {first} was not initialized: {cls}.__init__ returned without setting the "
    "field(s) {names}. Assign each one in __init__ (self.name = value) or give it a "
    "default at class level."
)
_MSG_CONVERTER_FAILED = (
    "{cls}.{name}: its converter {converter} failed on the value {value} ({error}). Pass "
    "a value the converter accepts, or make the converter accept this one."
)
_MSG_ARRAY_IN_STATIC = (
    "A JAX array is being set as static! It is stored in the static field {cls}.{name}. "
    "Static fields are part of the pytree structure, so JAX treats the array as a compile-time constant and "
    "compares it by identity. Declare the field without static=True."
)


class ClassInfo:
    """What construction needs to know about a Module class, computed once at class creation."""

    __slots__ = (
        "abstract_missing",
        "checks",
        "converters",
        "default_new",
        "factories",
        "field_names",
        "has_after_init_steps",
        "may_hold_transformed",
        "maybe_unset",
        "read_maybe_unset",
        "replaceable",
        "static_names",
        "unguarded",
        "user_init",
    )

    def __init__(self, cls: type, user_init: bool) -> None:
        fields = dataclasses.fields(cls)
        self.abstract_missing = unimplemented_abstract(cls)
        self.field_names = frozenset(f.name for f in fields)
        # What `dataclasses.replace` can set: the parameters of a generated __init__.
        self.replaceable = frozenset(() if user_init else (f.name for f in fields if f.init))
        # A generated __init__ sets every field it takes and every default factory;
        # a hand-written one may leave any field unset.
        self.maybe_unset = tuple(
            f.name
            for f in fields
            if user_init
            or (
                not f.init
                and f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING
            )
        )
        # One C-level call that raises AttributeError if any of them is unset.
        self.read_maybe_unset = operator.attrgetter(*self.maybe_unset) if self.maybe_unset else None
        self.factories: dict[str, Callable[[], Any]] = {
            f.name: f.default_factory
            for f in fields
            if f.default_factory is not dataclasses.MISSING
        }
        self.converters = tuple(
            (f.name, conv) for f in fields if (conv := converter_of(f)) is not None
        )
        self.checks: tuple[Callable[[Any], object], ...] = tuple(
            k.__dict__["__check_init__"] for k in cls.__mro__ if "__check_init__" in k.__dict__
        )
        self.static_names = tuple(f.name for f in fields if is_static(f))
        # A generated __init__ assigns without __setattr__, which warns of a
        # JAX-transformed callable: the fields that may hold one are looked at after it.
        self.may_hold_transformed = (
            () if user_init else tuple(f.name for f in fields if may_hold_transformed(f.type))
        )
        self.has_after_init_steps = bool(self.converters or self.static_names or self.checks)
        self.user_init = user_init
        self.default_new: bool = cls.__new__ is object.__new__  # type: ignore[comparison-overlap]
        # Construction needs no guard, completion or check: see __call__.
        self.unguarded = (
            not user_init
            and self.default_new
            and not hasattr(cls, "__post_init__")
            and not self.abstract_missing
            and not self.maybe_unset
            and not self.converters
            and not self.static_names
            and not self.checks
        )


object_setattr = object.__setattr__


def complete(cls: type, info: ClassInfo, self: Any) -> None:
    """Fill default factories an __init__ left unassigned, then require every field.

    A plain default needs no filling: the class attribute holding it answers reads.
    """
    missing = []
    for name in info.maybe_unset:
        if hasattr(self, name):
            continue
        factory = info.factories.get(name)
        if factory is None:
            missing.append(name)
        else:
            object_setattr(self, name, factory())
    if missing:
        raise TypeError(
            _MSG_MISSING_FIELDS.format(
                cls=cls.__qualname__, first=repr(missing[0]), names=", ".join(map(repr, missing))
            )
        )


def convert_and_check(cls: type, info: ClassInfo, self: Any) -> None:
    for name, converter in info.converters:
        value = getattr(self, name)
        try:
            converted = converter(value)
        except Exception as error:
            _raise_converter_failure(cls, name, converter, value, error)
        object_setattr(self, name, converted)
    if info.static_names:
        _warn_arrays_in_static_fields(cls, info, self)
    for check in info.checks:
        check(self)


def _raise_converter_failure(
    cls: type, name: str, converter: Any, value: Any, error: Exception
) -> NoReturn:
    """Re-raise `error` as its own type, with a message that names the class and field."""
    text = repr(value)
    message = _MSG_CONVERTER_FAILED.format(
        cls=cls.__qualname__,
        name=name,
        converter=getattr(converter, "__qualname__", repr(converter)),
        value=text if len(text) <= 80 else text[:77] + "...",
        error=f"{type(error).__name__}: {error}",
    )
    try:
        wrapped = type(error)(message)
    except Exception:
        # An exception type that cannot be built from a message: keep it as it is.
        raise error from None
    raise wrapped from error


_PLAIN_STATIC_TYPES = frozenset(
    {int, float, bool, str, complex, type(None), type, types.FunctionType}
)


def _warn_arrays_in_static_fields(cls: type, info: ClassInfo, self: Any) -> None:
    for name in info.static_names:
        value = getattr(self, name)
        if type(value) in _PLAIN_STATIC_TYPES:
            continue
        if any(is_array(leaf) for leaf in jtu.tree_leaves(value)):
            warnings.warn(
                _MSG_ARRAY_IN_STATIC.format(cls=cls.__qualname__, name=name), stacklevel=4
            )
