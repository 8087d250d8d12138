"""`Module`: a frozen dataclass that is also a JAX pytree."""

from __future__ import annotations

import abc
import dataclasses
import inspect
import operator
import types
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

import jax.tree_util as jtu
from typing_extensions import dataclass_transform

from .._filters import is_array
from .._pretty_print import tree_pformat
from .._tree_equal import tree_equal
from ._abstract import (
    ABSTRACT_CLASS_VAR,
    ABSTRACT_VAR,
    take_abstract_declarations,
    unimplemented_abstract,
    unimplemented_message,
)
from ._field import converter_of, field, is_static
from ._flatten import UNFLATTEN_TOKEN, UNFLATTEN_TOKEN_NAME, register_module

# Set on an instance only while its `__init__` runs, to the names it may assign:
# init state lives on the instance, so construction is thread-safe and a failed
# `__init__` leaves nothing behind. The class-level default is None.
_ASSIGNABLE = "_equimod_assignable"

_DATACLASS_OPTIONS = ("kw_only", "match_args")

_MSG_SLOTS = (
    "{cls} defines __slots__, which Modules do not support: a field stored in a slot "
    "would be invisible to JAX. Remove __slots__ and declare each field at class "
    "level, as `name: type`."
)
_MSG_OWN_SETATTR = (
    "{cls} defines {method}, which Modules do not allow: a Module is frozen after "
    "__init__. Assign fields in __init__, or make modified copies with "
    "dataclasses.replace or equimod.tree_at."
)
_MSG_POST_INIT_IGNORED = (
    "{cls} has both a hand-written __init__ and __post_init__; __post_init__ only runs "
    "after a generated __init__, so it will not run. Call it from __init__, or use "
    "__check_init__ to validate the instance."
)
_MSG_NOT_A_FIELD = (
    "Cannot assign {name!r} in {cls}.__init__: {cls} has no field {name!r}. Declare it "
    "at class level, as `{name}: SomeType`, to make it a field."
)
_MSG_BOUND_METHOD = (
    "Cannot assign {name!r} in {cls}.__init__: the value is a method bound to the instance "
    "being built. It would hold the half-built instance, not the finished one, and make "
    "the instance contain itself. Store the function instead (for example "
    "`type(self).method`) and pass the instance when calling it, or define a method or "
    "property that calls it."
)
_MSG_FROZEN = (
    "Cannot assign to field {name!r} of {cls}: a Module is immutable once __init__ has "
    "returned. Make a modified copy with dataclasses.replace(module, {name}=...) or "
    "equimod.tree_at(lambda m: m.{name}, module, new_value)."
)
_MSG_FROZEN_NOT_FIELD = (
    "Cannot assign attribute {name!r} of {cls}: a Module is immutable once __init__ has "
    "returned, and {name!r} is not one of its fields."
)
_MSG_FROZEN_DELETE = (
    "Cannot delete attribute {name!r} of {cls}: a Module is immutable once __init__ has returned."
)
_MSG_MISSING_FIELDS = (
    "{cls}.__init__ returned without setting the field(s) {names}. Assign each one in "
    "__init__ (self.name = value) or give it a default at class level."
)
_MSG_ARRAY_IN_STATIC = (
    "A JAX array is stored in the static field {cls}.{name}. Static fields are part of "
    "the pytree structure, so JAX treats the array as a compile-time constant and "
    "compares it by identity. Declare the field without static=True."
)


class _ClassInfo:
    """What construction needs to know about a Module class, computed once at class creation."""

    __slots__ = (
        "abstract_missing",
        "checks",
        "converters",
        "default_new",
        "factories",
        "field_names",
        "has_after_init_steps",
        "maybe_unset",
        "read_maybe_unset",
        "static_names",
        "unguarded",
        "user_init",
    )

    def __init__(self, cls: type, user_init: bool) -> None:
        fields = dataclasses.fields(cls)
        self.abstract_missing = unimplemented_abstract(cls)
        self.field_names = frozenset(f.name for f in fields)
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


def _hide_overridden_fields(bases: tuple[type, ...], namespace: dict[str, Any]) -> list[str]:
    """Inherited fields that the class body replaces by a plain attribute, hidden from dataclasses.

    A property, method or value given, without annotation, the name of an
    inherited field replaces that field: the subclass reads the attribute, so
    the field is neither an `__init__` parameter nor a leaf of it. Annotating
    the name as a ClassVar while dataclasses reads the class says so; the
    annotation is removed again afterwards.
    """
    inherited = {
        f.name for base in bases if dataclasses.is_dataclass(base) for f in dataclasses.fields(base)
    }
    annotations = namespace.get("__annotations__", {})
    overriding = [
        name
        for name, value in namespace.items()
        if name in inherited
        and name not in annotations
        and not isinstance(value, dataclasses.Field)
    ]
    if overriding:
        namespace["__annotations__"] = {
            **annotations,
            **dict.fromkeys(overriding, ClassVar[Any]),
        }
    return overriding


def _nearest_init_is_user_written(cls: type) -> bool:
    for base in cls.__mro__[1:]:
        if "__init__" not in base.__dict__:
            continue
        if base is object:
            return False
        info = base.__dict__.get("_equimod_info")
        if info is None:
            return True  # a non-Module base with its own __init__
        return bool(info.user_init)
    return False


class _ModuleMeta(abc.ABCMeta):
    def __new__(
        mcs,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        /,
        **kwargs: Any,
    ) -> _ModuleMeta:
        qualname = namespace.get("__qualname__", name)
        if "__slots__" in namespace:
            raise TypeError(_MSG_SLOTS.format(cls=qualname))
        for method in ("__setattr__", "__delattr__"):
            if method in namespace:
                raise TypeError(_MSG_OWN_SETATTR.format(cls=qualname, method=method))
        options = {k: kwargs.pop(k) for k in _DATACLASS_OPTIONS if k in kwargs}
        declared_abstract = take_abstract_declarations(qualname, namespace)
        overriding = _hide_overridden_fields(bases, namespace)
        own_init = "__init__" in namespace
        cls: Any = super().__new__(mcs, name, bases, namespace, **kwargs)
        cls._equimod_abstract_declared = declared_abstract

        user_init = own_init or _nearest_init_is_user_written(cls)
        if (
            user_init
            and hasattr(cls, "__post_init__")
            and (own_init or "__post_init__" in namespace)
        ):
            warnings.warn(_MSG_POST_INIT_IGNORED.format(cls=qualname), stacklevel=2)
        dataclasses.dataclass(init=not user_init, repr=False, eq=False, frozen=True, **options)(cls)
        for field_name in overriding:
            del cls.__annotations__[field_name]
        if bases:
            # The frozen dataclass installs its own __setattr__/__delattr__; inherit
            # Module's, which allow assignment during __init__.
            del cls.__setattr__
            del cls.__delattr__
        else:
            cls.__setattr__ = _module_setattr
            cls.__delattr__ = _module_delattr

        info = _ClassInfo(cls, user_init=user_init)
        cls._equimod_info = info
        cls.__abstractvars__ = frozenset(
            n for n, kind, _ in info.abstract_missing if kind == ABSTRACT_VAR
        )
        cls.__abstractclassvars__ = frozenset(
            n for n, kind, _ in info.abstract_missing if kind == ABSTRACT_CLASS_VAR
        )
        fields = dataclasses.fields(cls)
        register_module(
            cls,
            [f.name for f in fields if not is_static(f)],
            [f.name for f in fields if is_static(f)],
        )
        if not user_init:
            _annotate_converter_inputs(cls, fields)
        if bases:
            from ._methods import wrap_methods

            wrap_methods(cls, info.field_names)
        return cls  # type: ignore[no-any-return]

    def __init__(
        cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], /, **kwargs: Any
    ) -> None:
        for option in _DATACLASS_OPTIONS:
            kwargs.pop(option, None)
        super().__init__(name, bases, namespace, **kwargs)

    def __call__(cls: Any, *args: Any, **kwargs: Any) -> Any:
        if UNFLATTEN_TOKEN_NAME in kwargs:
            # JAX rebuilding an instance from its leaves: no __init__, converters or checks.
            del kwargs[UNFLATTEN_TOKEN_NAME]
            self = new_instance(cls)
            set_instance_dict(self, kwargs)
            return self
        info: _ClassInfo = cls._equimod_info
        if info.unguarded:
            # A generated __init__ assigns with object.__setattr__ and sets every
            # field, and nothing runs after it: nothing to guard or check.
            self = new_instance(cls)
            cls.__init__(self, *args, **kwargs)
            return self
        if info.abstract_missing:
            raise TypeError(unimplemented_message(cls, info.abstract_missing))
        self = new_instance(cls) if info.default_new else cls.__new__(cls, *args, **kwargs)
        # Instance state is only ever touched through (object.)__setattr__, never
        # through `self.__dict__`: materialising the dict would make every later
        # attribute read slower.
        _object_setattr(self, _ASSIGNABLE, info.field_names)
        try:
            cls.__init__(self, *args, **kwargs)
        finally:
            _object_delattr(self, _ASSIGNABLE)
        read_maybe_unset = info.read_maybe_unset
        if read_maybe_unset is not None:
            try:
                read_maybe_unset(self)
            except AttributeError:
                _complete(cls, info, self)
        if info.has_after_init_steps:
            _convert_and_check(cls, info, self)
        return self

    @property
    def __signature__(cls) -> inspect.Signature:
        # The metaclass overrides __call__, so inspect needs telling what calling a
        # Module class takes: its __init__ without `self`.
        signature = inspect.signature(cls.__init__)  # type: ignore[misc]
        return signature.replace(parameters=list(signature.parameters.values())[1:])


new_instance = object.__new__
_object_setattr = object.__setattr__
_object_delattr = object.__delattr__


def _complete(cls: type, info: _ClassInfo, self: Any) -> None:
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
            _object_setattr(self, name, factory())
    if missing:
        raise TypeError(
            _MSG_MISSING_FIELDS.format(cls=cls.__qualname__, names=", ".join(map(repr, missing)))
        )


def _convert_and_check(cls: type, info: _ClassInfo, self: Any) -> None:
    for name, converter in info.converters:
        _object_setattr(self, name, converter(getattr(self, name)))
    if info.static_names:
        _warn_arrays_in_static_fields(cls, info, self)
    for check in info.checks:
        check(self)


_PLAIN_STATIC_TYPES = frozenset(
    {int, float, bool, str, complex, type(None), type, types.FunctionType}
)


def _warn_arrays_in_static_fields(cls: type, info: _ClassInfo, self: Any) -> None:
    for name in info.static_names:
        value = getattr(self, name)
        if type(value) in _PLAIN_STATIC_TYPES:
            continue
        if any(is_array(leaf) for leaf in jtu.tree_leaves(value)):
            warnings.warn(
                _MSG_ARRAY_IN_STATIC.format(cls=cls.__qualname__, name=name), stacklevel=4
            )


def _annotate_converter_inputs(cls: Any, fields: tuple[dataclasses.Field[Any], ...]) -> None:
    # Runtime introspection (help(), inspect.signature) shows what __init__ accepts:
    # for a converter field, the converter's input type.
    annotations = cls.__init__.__annotations__
    for f in fields:
        converter = converter_of(f)
        if converter is None or f.name not in annotations:
            continue
        try:
            parameters = list(inspect.signature(converter).parameters.values())
        except (TypeError, ValueError):
            annotations[f.name] = Any
            continue
        if parameters and parameters[0].annotation is not inspect.Parameter.empty:
            annotations[f.name] = parameters[0].annotation
        else:
            annotations[f.name] = Any


# The types of bound methods; `_methods.py` adds Module methods' own.
BOUND_METHOD_TYPES: set[type] = {types.MethodType}


def _module_setattr(self: Module, name: str, value: Any) -> None:
    assignable = self._equimod_assignable
    if assignable is not None and name in assignable:
        if type(value) in BOUND_METHOD_TYPES and value.__self__ is self:
            raise ValueError(_MSG_BOUND_METHOD.format(cls=type(self).__qualname__, name=name))
        _object_setattr(self, name, value)
        return
    if name == "__orig_class__":
        # Set by `typing` on an instance of a generic Module made as `A[int]()`.
        _object_setattr(self, name, value)
        return
    cls_name = type(self).__qualname__
    if assignable is not None:
        raise AttributeError(_MSG_NOT_A_FIELD.format(cls=cls_name, name=name))
    if name in type(self)._equimod_info.field_names:
        raise dataclasses.FrozenInstanceError(_MSG_FROZEN.format(cls=cls_name, name=name))
    raise dataclasses.FrozenInstanceError(_MSG_FROZEN_NOT_FIELD.format(cls=cls_name, name=name))


def _module_delattr(self: Module, name: str) -> None:
    assignable = self._equimod_assignable
    if assignable is not None and name in assignable:
        _object_delattr(self, name)
        return
    raise dataclasses.FrozenInstanceError(
        _MSG_FROZEN_DELETE.format(cls=type(self).__qualname__, name=name)
    )


# Type checkers reading this source (rather than the stubs) see generated
# __init__s too; frozenness is left to the mypy plugin, see DESIGN.md.
@dataclass_transform(eq_default=False, field_specifiers=(field,))
class Module(metaclass=_ModuleMeta):
    """Base class of every equimod model: a frozen dataclass that is a JAX pytree.

    Declare fields at class level; write an `__init__` that assigns them, or let
    one be generated. The instance is immutable once `__init__` returns, and its
    non-static fields are its pytree children, so a Module passes through
    `jax.jit`, `jax.grad` and `jax.vmap` like any pytree.

    ```python
    class Affine(equimod.Module):
        weight: jax.Array
        bias: jax.Array

        def __call__(self, x):
            return self.weight @ x + self.bias
    ```
    """

    _equimod_info: ClassVar[_ClassInfo]
    # The abstract attributes a class leaves unimplemented (empty on a concrete class).
    __abstractvars__: ClassVar[frozenset[str]] = frozenset()
    __abstractclassvars__: ClassVar[frozenset[str]] = frozenset()
    # Set on an instance only while its __init__ runs; see _ASSIGNABLE.
    _equimod_assignable: ClassVar[frozenset[str] | None] = None
    # Read by JAX's flatten as a meta field; see _flatten.py.
    _equimod_unflatten: ClassVar[object] = UNFLATTEN_TOKEN

    def __eq__(self, other: object) -> Any:
        return tree_equal(self, other)

    def __hash__(self) -> int:
        leaves, treedef = jtu.tree_flatten(self)
        return hash((treedef, tuple(leaves)))

    def __repr__(self) -> str:
        return tree_pformat(self)


set_instance_dict = vars(Module)["__dict__"].__set__
