"""`Module`: a frozen dataclass that is also a JAX pytree."""

from __future__ import annotations

import abc
import dataclasses
import inspect
import types
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

import jax.tree_util as jtu
from typing_extensions import dataclass_transform

from .._pretty_print import tree_pformat
from .._tree_equal import tree_equal
from ._abstract import (
    ABSTRACT_CLASS_VAR,
    ABSTRACT_VAR,
    take_abstract_declarations,
    unimplemented_message,
)
from ._construction import ClassInfo, complete, convert_and_check, object_setattr
from ._field import converter_of, field, is_static
from ._flatten import UNFLATTEN_TOKEN, init_ignoring_the_token, register_module
from ._jax_transformed import (
    TRANSFORMED_TYPES,
    warn_if_fields_jax_transformed,
    warn_if_jax_transformed,
)

# Set on an instance only while its `__init__` runs, to the names it may assign:
# init state lives on the instance, so construction is thread-safe and a failed
# `__init__` leaves nothing behind. The class-level default is None.
_ASSIGNABLE = "_equimod_assignable"

_DATACLASS_OPTIONS = ("kw_only", "match_args")

_MSG_STRICT_KEYWORD = (
    "{cls} is declared with `strict=`, a class keyword of Equinox's that equimod does not "
    "take: Equinox deprecated it and, but for marking a class abstract, it has no effect. "
    "Remove `strict=...` from the class statement; to keep {cls} from being instantiated, "
    "give it an AbstractVar or an abstract method."
)
_MSG_SLOTS = (
    "{cls} defines __slots__, which Modules do not support: a field stored in a slot "
    "would be invisible to JAX. Remove __slots__ and declare each field at class "
    "level, as `name: type`."
)
_MSG_NOTHING_TO_KEEP = (
    "{cls} is declared with init=False, which keeps the hand-written __init__ it "
    "inherits, but neither it nor any of its bases writes one. Drop init=False to "
    "get the generated __init__, or write an __init__."
)
_MSG_OWN_SETATTR = (
    "{cls} defines {method}, which Modules do not allow: a Module is frozen after "
    "__init__. Assign fields in __init__, or make modified copies with "
    "dataclasses.replace or equimod.tree_at."
)
_MSG_POST_INIT_IGNORED = (
    "{module}.{cls} has both a hand-written __init__ and __post_init__ (an `__init__` "
    "method and a `__post_init__`); __post_init__ only runs after a generated __init__, "
    "so it will not run. Call it from __init__, or use __check_init__ to validate the "
    "instance."
)
_MSG_NOT_A_FIELD = (
    "Cannot assign {name!r} in {cls}.__init__: {cls} has no field {name!r}. Declare it "
    "at class level, as `{name}: SomeType`, to make it a field."
)
_MSG_BOUND_METHOD = (
    "Cannot assign methods in __init__: {cls}.__init__ assigns to {name!r} a method bound "
    "to the instance being built. It would hold the half-built instance, not the finished one, and make "
    "the instance contain itself. Store the function instead (for example "
    "`type(self).method`) and pass the instance when calling it, or define a method or "
    "property that calls it."
)
_MSG_CONTAINS_SELF = (
    "Cannot assign {name!r} in {cls}.__init__: the value is, or contains, the instance "
    "being built (e.g. a child Module given `self` as its parent), so the Module would "
    "contain itself and JAX could not flatten it. Store what you need of it (its fields, "
    "or a function of it) instead."
)
_MSG_FROZEN = (
    "Cannot assign to field {name!r} of {cls}: a Module is immutable once __init__ has "
    "returned. Make a modified copy with dataclasses.replace(module, {name}=...) or "
    "equimod.tree_at(lambda m: m.{name}, module, new_value)."
)
# For a field that `dataclasses.replace` cannot set: the class's own __init__ is
# hand-written, or the field is not an __init__ parameter.
_MSG_FROZEN_NOT_REPLACEABLE = (
    "Cannot assign to field {name!r} of {cls}: a Module is immutable once __init__ has "
    "returned. Make a modified copy with equimod.tree_at(lambda m: m.{name}, module, "
    "new_value)."
)
_MSG_FROZEN_NOT_FIELD = (
    "Cannot assign attribute {name!r} of {cls}: a Module is immutable once __init__ has "
    "returned, and {name!r} is not one of its fields."
)
_MSG_FROZEN_DELETE = (
    "Cannot delete attribute {name!r} of {cls}: a Module is immutable once __init__ has "
    "returned. Make a modified copy instead, e.g. with the value replaced by None: "
    "equimod.tree_at(lambda m: m.{name}, module, None)."
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
        if "strict" in kwargs:
            raise TypeError(_MSG_STRICT_KEYWORD.format(cls=qualname))
        options = {k: kwargs.pop(k) for k in _DATACLASS_OPTIONS if k in kwargs}
        # `init=False` changes nothing at run time, where an inherited hand-written
        # __init__ is kept anyway; it tells checkers that apply dataclass rules
        # (pyright, ty, pyrefly) not to synthesise one from the fields.
        keeps_init = not kwargs.pop("init", True)
        declared_abstract = take_abstract_declarations(qualname, namespace)
        overriding = _hide_overridden_fields(bases, namespace)
        own_init = "__init__" in namespace
        cls: Any = super().__new__(mcs, name, bases, namespace, **kwargs)
        cls._equimod_abstract_declared = declared_abstract

        user_init = own_init or _nearest_init_is_user_written(cls)
        if keeps_init and not user_init:
            raise TypeError(_MSG_NOTHING_TO_KEEP.format(cls=qualname))
        # As in Equinox, every such class warns, an inheriting one too: each is a
        # class whose __post_init__ will not run.
        if user_init and hasattr(cls, "__post_init__"):
            warnings.warn(
                _MSG_POST_INIT_IGNORED.format(module=cls.__module__, cls=qualname), stacklevel=2
            )
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

        info = ClassInfo(cls, user_init=user_init)
        cls._equimod_info = info
        cls.__abstractvars__ = frozenset(
            n for n, kind, _ in info.abstract_missing if kind == ABSTRACT_VAR
        )
        cls.__abstractclassvars__ = frozenset(
            n for n, kind, _ in info.abstract_missing if kind == ABSTRACT_CLASS_VAR
        )
        fields = dataclasses.fields(cls)
        # A class built by its generated __init__ alone skips the metaclass's __call__
        # (its Python frame is most of the cost of construction); JAX rebuilds it by
        # calling it with its fields and the unflatten token, which that __init__
        # assigns and ignores (see _flatten.py).
        # (A user's own subclass of the metaclass keeps it, and the general path.)
        own_metaclass = type(cls) in (_ModuleMeta, _DirectCallModuleMeta)
        direct = (
            own_metaclass
            and bool(bases)
            and info.unguarded
            and _init_takes_exactly_the_fields(cls, fields)
        )
        if direct:
            type.__setattr__(cls, "__init__", init_ignoring_the_token(cls, fields))
        if not user_init:
            _inherit_init_doc(cls)
        if own_metaclass:
            cls.__class__ = _DirectCallModuleMeta if direct else _ModuleMeta
        register_module(
            cls,
            [f.name for f in fields if not is_static(f)],
            [f.name for f in fields if is_static(f)],
        )
        if not user_init:
            _annotate_converter_inputs(cls, fields)
        if bases:
            _wrap_methods(cls, info.field_names)
        return cls  # type: ignore[no-any-return]

    def __init__(
        cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], /, **kwargs: Any
    ) -> None:
        for option in _DATACLASS_OPTIONS:
            kwargs.pop(option, None)
        super().__init__(name, bases, namespace, **kwargs)

    # The token is a parameter of its own (named as _flatten.UNFLATTEN_TOKEN_NAME), so
    # that JAX's call leaves it out of `kwargs`: cheaper than finding and deleting it.
    def __call__(cls: Any, /, *args: Any, _equimod_unflatten: object = None, **kwargs: Any) -> Any:
        if _equimod_unflatten is not None:
            # JAX rebuilding an instance from its leaves: no __init__, converters or checks.
            self = new_instance(cls)
            set_instance_dict(self, kwargs)
            return self
        info: ClassInfo = cls._equimod_info
        if info.unguarded:
            # A generated __init__ assigns with object.__setattr__ and sets every
            # field, and nothing runs after it: nothing to guard or check.
            self = new_instance(cls)
            cls.__init__(self, *args, **kwargs)
            if info.may_hold_transformed:
                warn_if_fields_jax_transformed(cls, info.may_hold_transformed, self)
            return self
        if info.abstract_missing:
            raise TypeError(unimplemented_message(cls, info.abstract_missing))
        self = new_instance(cls) if info.default_new else cls.__new__(cls, *args, **kwargs)
        # Instance state is only ever touched through (object.)__setattr__, never
        # through `self.__dict__`: materialising the dict would make every later
        # attribute read slower.
        object_setattr(self, _ASSIGNABLE, info.field_names)
        try:
            cls.__init__(self, *args, **kwargs)
        finally:
            _object_delattr(self, _ASSIGNABLE)
        read_maybe_unset = info.read_maybe_unset
        if read_maybe_unset is not None:
            try:
                read_maybe_unset(self)
            except AttributeError:
                complete(cls, info, self)
        if info.may_hold_transformed:
            warn_if_fields_jax_transformed(cls, info.may_hold_transformed, self)
        if info.has_after_init_steps:
            convert_and_check(cls, info, self)
        return self

    @property
    def __signature__(cls) -> inspect.Signature:
        # The metaclass overrides __call__, so inspect needs telling what calling a
        # Module class takes: its __init__ without `self`.
        signature = inspect.signature(cls.__init__)  # type: ignore[misc]
        return signature.replace(parameters=list(signature.parameters.values())[1:])


class _DirectCallModuleMeta(_ModuleMeta):
    """The metaclass of Module classes whose construction is exactly their generated
    `__init__`: calling one is `type.__call__`, as for a plain dataclass."""

    __call__ = type.__call__

    # Replacing `__init__` or `__new__` after the class is made (jaxtyping's
    # `@jaxtyped` and import hook, beartype, a patch) puts user code where JAX's
    # unflatten would call it: from then on the class takes the general path,
    # whose `__call__` fills an unflattened instance without calling either.
    def __setattr__(cls, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in _CONSTRUCTORS:
            cls.__class__ = _ModuleMeta  # type: ignore[assignment]

    def __delattr__(cls, name: str) -> None:
        super().__delattr__(name)
        if name in _CONSTRUCTORS:
            cls.__class__ = _ModuleMeta  # type: ignore[assignment]


_CONSTRUCTORS = frozenset({"__init__", "__new__"})


def _inherit_init_doc(cls: Any) -> None:
    """A generated `__init__` keeps the docstring given to its parent's (as in Equinox;
    dataclasses would leave it None)."""
    for base in cls.__mro__[1:]:
        if "_equimod_info" in vars(base) and "__init__" in vars(base):
            doc = vars(base)["__init__"].__doc__
            if doc is not None:
                cls.__init__.__doc__ = doc
            return


def _init_takes_exactly_the_fields(cls: Any, fields: tuple[dataclasses.Field[Any], ...]) -> bool:
    # No InitVar, no init=False field, no *args: the fields as keywords fill the instance.
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    keyword_kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return all(p.kind in keyword_kinds for p in parameters) and {p.name for p in parameters} == {
        f.name for f in fields
    }


new_instance = object.__new__
_object_delattr = object.__delattr__


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


def _cannot_hold_the_instance() -> frozenset[type]:
    """Values that cannot hold anything: assigning one needs no search for the instance."""
    types_ = {int, float, bool, complex, str, type(None)}
    try:  # JAX's concrete array type; private, so only an optimisation where it exists.
        from jax._src.array import ArrayImpl

        types_.add(ArrayImpl)
    except ImportError:
        pass
    return frozenset(types_)


_CANNOT_HOLD_THE_INSTANCE = _cannot_hold_the_instance()

# The types of bound methods: Python's, and Module methods' own once wired.
BOUND_METHOD_TYPES: set[type] = {types.MethodType}


def _no_method_wrapping(cls: type, field_names: frozenset[str]) -> None:
    pass


# Wraps the methods of each Module subclass once it is built (given its field
# names). Methods bind to `BoundMethod`, itself a Module, so its module imports
# this one: the package's `__init__` wires the two with `wire_methods`.
_wrap_methods: Callable[[type, frozenset[str]], None] = _no_method_wrapping


def wire_methods(wrap: Callable[[type, frozenset[str]], None], bound_method_type: type) -> None:
    """Make every Module subclass built from now on wrap its methods with `wrap`, and
    count `bound_method_type` as a bound method when an `__init__` assigns one."""
    global _wrap_methods
    _wrap_methods = wrap
    BOUND_METHOD_TYPES.add(bound_method_type)


def _contains_self(value: Any, self: Module) -> bool:
    if value is self:
        return True
    # A container or another Module may hold the half-built instance (e.g. a child
    # given `self` as its parent); walk it, stopping at the instance itself.
    return any(leaf is self for leaf in jtu.tree_leaves(value, is_leaf=lambda x: x is self))


def _module_setattr(self: Module, name: str, value: Any) -> None:
    assignable = self._equimod_assignable
    if assignable is not None and name in assignable:
        kind = type(value)
        if kind not in _CANNOT_HOLD_THE_INSTANCE:  # an array or a number cannot hold the instance
            if kind in BOUND_METHOD_TYPES and value.__self__ is self:
                raise ValueError(_MSG_BOUND_METHOD.format(cls=type(self).__qualname__, name=name))
            if _contains_self(value, self):
                raise ValueError(_MSG_CONTAINS_SELF.format(cls=type(self).__qualname__, name=name))
            if kind in TRANSFORMED_TYPES:
                warn_if_jax_transformed(type(self), name, value)
        object_setattr(self, name, value)
        return
    if name == "__orig_class__":
        # Set by `typing` on an instance of a generic Module made as `A[int]()`.
        object_setattr(self, name, value)
        return
    cls_name = type(self).__qualname__
    if assignable is not None:
        raise AttributeError(_MSG_NOT_A_FIELD.format(cls=cls_name, name=name))
    info = type(self)._equimod_info
    if name in info.field_names:
        message = _MSG_FROZEN if name in info.replaceable else _MSG_FROZEN_NOT_REPLACEABLE
        raise dataclasses.FrozenInstanceError(message.format(cls=cls_name, name=name))
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
# __init__s too; frozenness is left to the mypy plugin, see docs/design.md, "Static contract".
@dataclass_transform(eq_default=False, field_specifiers=(field, dataclasses.field))
class Module(metaclass=_ModuleMeta):
    """Base class of every equimod model: a frozen dataclass that is a JAX pytree.

    Subclass it, declare the fields at class level, and write an `__init__` that
    assigns them or let one be generated. The instance is immutable once
    `__init__` returns, and its non-static fields are its pytree children, so a
    Module passes through `jax.jit`, `jax.grad` and `jax.vmap` like any pytree.

    ```python
    import jax
    import jax.numpy as jnp
    import equimod


    class Affine(equimod.Module):
        weight: jax.Array
        bias: jax.Array
        name: str = equimod.field(static=True, default="affine")

        def __check_init__(self) -> None:
            if self.weight.shape[0] != self.bias.shape[0]:
                raise ValueError("weight and bias disagree")

        def __call__(self, x: jax.Array) -> jax.Array:
            return self.weight @ x + self.bias


    affine = Affine(jnp.ones((2, 3)), jnp.zeros(2))  # the generated __init__
    ```

    What a subclass may declare:

    - **Fields**: `name: type`, with an optional default or
      [`field(...)`][equimod.field] for `static=True`, a `converter`, or a
      default factory ([Fields](../concepts/fields.md)).
    - **`__init__`**: written by hand, or inherited from the nearest Module base
      that has one, or generated from the fields
      ([Modules and `__init__`](../concepts/module.md)).
    - **`__check_init__(self) -> None`**: runs after `__init__` and the
      converters, once for each class of the hierarchy that defines it; it
      validates and cannot assign.
    - **[`AbstractVar[T]`][equimod.AbstractVar] and
      [`AbstractClassVar[T]`][equimod.AbstractClassVar]**: attributes a concrete
      subclass must provide; a class that leaves one unimplemented cannot be
      instantiated ([Abstract attributes](../concepts/abstract.md)).
    - **Methods**: reading `model.method` gives a bound method that is itself a
      pytree, so it can be passed to a transform
      ([Methods are pytrees](../concepts/methods.md)).

    Class keywords, as for `dataclasses.dataclass`: `kw_only=True` makes the
    generated `__init__` keyword-only, `match_args=False` leaves the fields
    out of `__match_args__`.

    An instance compares with [`tree_equal`][equimod.tree_equal], hashes when
    its leaves do, prints as a tree, pickles and deep-copies. A modified copy is
    made with [`tree_at`][equimod.tree_at] (or `dataclasses.replace` where the
    `__init__` is generated); assigning to a field afterwards raises
    `dataclasses.FrozenInstanceError`.
    """

    _equimod_info: ClassVar[ClassInfo]
    # The abstract attributes a class leaves unimplemented (empty on a concrete class).
    __abstractvars__: ClassVar[frozenset[str]] = frozenset()
    __abstractclassvars__: ClassVar[frozenset[str]] = frozenset()
    # Set on an instance only while its __init__ runs; see _ASSIGNABLE.
    _equimod_assignable: ClassVar[frozenset[str] | None] = None
    # Read by JAX's flatten as a meta field; see _flatten.py.
    _equimod_unflatten: ClassVar[object] = UNFLATTEN_TOKEN

    # `other` positional-only, as `object.__eq__`'s: a subclass may set
    # `__eq__ = object.__eq__` (comparison by identity) and still type-check.
    def __eq__(self, other: object, /) -> Any:
        return tree_equal(self, other)

    def __hash__(self) -> int:
        leaves, treedef = jtu.tree_flatten(self)
        return hash((treedef, tuple(leaves)))

    def __repr__(self) -> str:
        return tree_pformat(self)


set_instance_dict = vars(Module)["__dict__"].__set__
