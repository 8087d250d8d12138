"""Abstract attributes: `AbstractVar[T]` and `AbstractClassVar[T]`.

A Module declares one with an annotation and no value. Any class of the MRO may
implement it, whatever the order of the bases: a field, a property, a method
or a class attribute implements an `AbstractVar`; only a class attribute (a
`ClassVar`, or a plain assignment) implements an `AbstractClassVar`. Instantiating a class with one left unimplemented fails
before `__init__` runs.
"""

from __future__ import annotations

import inspect
import re
import typing
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")


class AbstractVar(Generic[_T]):
    """Declares an abstract instance attribute of type `T`, as `x: AbstractVar[T]`.

    A subclass implements it with a field, a property, a method or a class
    attribute. It is not a field and not an `__init__` parameter of the class
    that declares it. A class that leaves it unimplemented cannot be instantiated.
    """

    def __init__(self) -> None:
        raise TypeError("AbstractVar is an annotation, not a value: write `x: AbstractVar[int]`.")


class AbstractClassVar(Generic[_T]):
    """Declares an abstract class attribute of type `T`, as `x: AbstractClassVar[T]`.

    A subclass implements it with a class attribute: `x: ClassVar[T] = value`
    or `x = value`. A class that leaves it unimplemented cannot be instantiated.
    """

    def __init__(self) -> None:
        raise TypeError(
            "AbstractClassVar is an annotation, not a value: write `x: AbstractClassVar[int]`."
        )


ABSTRACT_VAR = "AbstractVar"
ABSTRACT_CLASS_VAR = "AbstractClassVar"

_MSG_HAS_VALUE = (
    "{cls}.{name} is declared {kind}[...] and also given a value, but an abstract "
    "attribute cannot have value where it is declared: remove the value, or declare a "
    "field `{name}: T = value` instead."
)
_MSG_BARE = (
    "{cls}.{name} is annotated with a bare, unsubscripted {kind}. Say what type implementations must "
    "have, as `{name}: {kind}[int]`."
)
_MSG_FIELD_FOR_CLASS_VAR = (
    "{cls}.{name} is an instance field, but {declarer} declares {name} as "
    "AbstractClassVar, which only a class attribute implements. Write "
    "`{name}: ClassVar[T] = value` in {cls}."
)
_MSG_UNIMPLEMENTED = (
    "Can't instantiate {cls} with unimplemented {what}: it does not implement {items}. "
    "Implement each "
    "in {cls} or a base class: an AbstractVar as a field, property, method or class "
    "attribute; an AbstractClassVar as `name: ClassVar[T] = value`."
)

# Matches string annotations such as "AbstractVar[int]" or "eqx.AbstractClassVar".
_STRING_ABSTRACT = re.compile(r"^\s*(?:[\w.]+\.)?(AbstractVar|AbstractClassVar)\s*(\[|$)")
_STRING_CLASS_VAR = re.compile(r"^\s*(?:[\w.]+\.)?ClassVar\s*(\[|$)")


def abstract_kind(annotation: object) -> tuple[str, bool] | None:
    """`(kind, subscripted)` if `annotation` declares an abstract attribute, else None."""
    if isinstance(annotation, str):
        match = _STRING_ABSTRACT.match(annotation)
        if match is None:
            return None
        return match.group(1), match.group(2) == "["
    if annotation is AbstractVar:
        return ABSTRACT_VAR, False
    if annotation is AbstractClassVar:
        return ABSTRACT_CLASS_VAR, False
    origin = typing.get_origin(annotation)
    if origin is AbstractVar:
        return ABSTRACT_VAR, True
    if origin is AbstractClassVar:
        return ABSTRACT_CLASS_VAR, True
    return None


def is_class_var(annotation: object) -> bool:
    """Whether an annotation (object or string) is a `typing.ClassVar`."""
    if isinstance(annotation, str):
        return _STRING_CLASS_VAR.match(annotation) is not None
    return annotation is typing.ClassVar or typing.get_origin(annotation) is typing.ClassVar


def take_abstract_declarations(cls_name: str, namespace: dict[str, Any]) -> dict[str, str]:
    """Remove abstract annotations from a class namespace, so they are not fields.

    Returns `{name: kind}` for the attributes the class declares abstract.
    """
    annotations: dict[str, Any] = namespace.get("__annotations__", {})
    declared: dict[str, str] = {}
    for name, annotation in list(annotations.items()):
        found = abstract_kind(annotation)
        if found is None:
            continue
        kind, subscripted = found
        if not subscripted:
            raise TypeError(_MSG_BARE.format(cls=cls_name, name=name, kind=kind))
        if name in namespace:
            raise TypeError(_MSG_HAS_VALUE.format(cls=cls_name, name=name, kind=kind))
        declared[name] = kind
        del annotations[name]
    return declared


def unimplemented_abstract(cls: type) -> tuple[tuple[str, str, str], ...]:
    """`(name, kind, declaring class name)` for each abstract attribute `cls` leaves open.

    Raises `TypeError` when a field claims to implement an `AbstractClassVar`.
    """
    mro = [k for k in cls.__mro__ if k is not object]
    declarations: dict[str, tuple[str, type]] = {}
    for k in reversed(mro):
        for name, kind in k.__dict__.get("_equimod_abstract_declared", {}).items():
            # An AbstractVar redeclaring an AbstractClassVar leaves it one: a class
            # attribute is what both need (as in Equinox).
            if kind == ABSTRACT_VAR and declarations.get(name, ("",))[0] == ABSTRACT_CLASS_VAR:
                continue
            declarations[name] = (kind, k)
    missing: list[tuple[str, str, str]] = []
    for name, (kind, declarer) in declarations.items():
        if not _implemented(cls, mro, name, kind, declarer):
            missing.append((name, kind, declarer.__qualname__))
    return tuple(missing)


def _implemented(cls: type, mro: list[type], name: str, kind: str, declarer: type) -> bool:
    implemented = False
    for k in mro:
        annotations = inspect.get_annotations(k)
        if name in annotations and not is_class_var(annotations[name]):
            if kind == ABSTRACT_CLASS_VAR:
                raise TypeError(
                    _MSG_FIELD_FOR_CLASS_VAR.format(
                        cls=k.__qualname__, name=name, declarer=declarer.__qualname__
                    )
                )
            implemented = True
        elif name in k.__dict__ or name in annotations:
            # A class attribute, or a `ClassVar` declared (its value may be set
            # later, by `__init_subclass__` say), as Equinox counts it.
            implemented = True
    return implemented


def unimplemented_message(cls: type, missing: tuple[tuple[str, str, str], ...]) -> str:
    items = ", ".join(
        f"{kind} {name!r} (declared in {declarer})" for name, kind, declarer in missing
    )
    kinds = {kind for _, kind, _ in missing}
    what = " and ".join(
        phrase
        for kind, phrase in (
            (ABSTRACT_VAR, "abstract attributes"),
            (ABSTRACT_CLASS_VAR, "abstract class attributes"),
        )
        if kind in kinds
    )
    return _MSG_UNIMPLEMENTED.format(cls=cls.__qualname__, what=what, items=items)
