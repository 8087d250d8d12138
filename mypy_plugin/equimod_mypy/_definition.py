"""Module class definitions that fail at run time, whatever the class is used for.

Each is reported at the definition, code `equimod-definition`:

- a bare `AbstractVar` or `AbstractClassVar` annotation (refused at class creation);
- `@dataclasses.dataclass` on a Module subclass (refused at class creation, or,
  frozen, it replaces the Module's `__setattr__` and a hand-written or inherited
  `__init__` can no longer assign);
- a field with no value on the class, its own or inherited, that a base defines
  as a property without a setter (construction fails);
- a protocol among the bases (a metaclass conflict at class creation).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from mypy.errorcodes import ErrorCode
from mypy.nodes import (
    AssignmentStmt,
    CallExpr,
    Context,
    Decorator,
    NameExpr,
    RefExpr,
    SymbolNode,
    TempNode,
    TypeInfo,
    Var,
)
from mypy.plugin import ClassDefContext
from mypy.types import UnboundType

from ._metadata import AbstractKind, ClassRecord, InitKind
from ._recognised_names import field_arguments
from ._walk import annotated_names

DEFINITION = ErrorCode(
    "equimod-definition",
    "A Module subclass whose definition fails at run time",
    "equimod",
)
MSG_BARE_ABSTRACT = (
    '"{name}" of "{cls}" is annotated with a bare {kind}, which the class refuses at '
    'creation. Say what type implementations must have: "{name}: {kind}[int]".'
)
MSG_DATACLASS_DECORATOR = (
    '"{cls}" is a Module subclass, which is a frozen dataclass already; '
    "@dataclasses.dataclass on it {fails}. Remove the decorator and pass dataclass "
    'options as class arguments ("class {cls}(equimod.Module, kw_only=True)").'
)
_DATACLASS_FAILS_AT_CREATION = "makes it a non-frozen dataclass, refused at class creation"
_DATACLASS_FAILS_AT_INIT = (
    "replaces the Module's attribute setting, so its __init__ cannot assign a field"
)
MSG_NOTHING_TO_KEEP = (
    '"{cls}" is declared with init=False, which keeps the hand-written __init__ it '
    "inherits, but neither it nor any of its bases writes one: the class fails at "
    "creation. Drop init=False to get the generated __init__, or write an __init__."
)
MSG_SHADOWED_BY_PROPERTY = (
    'Field "{name}" of "{cls}" has no value on the class, so the property "{name}" of '
    '"{base}" stays in place and has no setter: construction fails at run time. Rename '
    "the field, or give it a default (a value on the class hides the property)."
)
MSG_PROTOCOL_BASE = (
    '"{cls}" has the protocol "{protocol}" among its bases: its metaclass conflicts with '
    "the Module's, so the class fails at creation. Drop the base: a Module that has the "
    "protocol's methods and attributes matches it structurally."
)

_DATACLASS = "dataclasses.dataclass"
# Protocols of the standard library's stubs that are plain ABCs at run time
# (`Iterable`, `Sized`, `os.PathLike`, ...), whose metaclass the Module's extends;
# `typing.SupportsInt` and its kind are real protocols.
_RUNTIME_PROTOCOL_PREFIX = "Supports"


def check_definition(
    ctx: ClassDefContext, init: InitKind, abstract: dict[str, AbstractKind]
) -> None:
    """Report each part of the class definition that fails at run time; `abstract`
    holds the abstract attributes the class body declares."""
    info = ctx.cls.info
    for name, kind, where in _bare_abstract(ctx, abstract):
        ctx.api.fail(
            MSG_BARE_ABSTRACT.format(name=name, cls=info.name, kind=kind), where, code=DEFINITION
        )
    fails = _dataclass_decorator_failure(ctx, init)
    if fails is not None:
        ctx.api.fail(
            MSG_DATACLASS_DECORATOR.format(cls=info.name, fails=fails), ctx.cls, code=DEFINITION
        )
    if init == "generated" and _declares_init_false(ctx):
        ctx.api.fail(MSG_NOTHING_TO_KEEP.format(cls=info.name), ctx.cls, code=DEFINITION)
    for name, base, where in _fields_under_properties(ctx, abstract):
        message = MSG_SHADOWED_BY_PROPERTY.format(name=name, cls=info.name, base=base.name)
        ctx.api.fail(message, where, code=DEFINITION)
    protocol = _protocol_base(info)
    if protocol is not None:
        ctx.api.fail(
            MSG_PROTOCOL_BASE.format(cls=info.name, protocol=protocol.name),
            ctx.cls,
            code=DEFINITION,
        )


def _bare_abstract(
    ctx: ClassDefContext, abstract: dict[str, AbstractKind]
) -> Iterator[tuple[str, str, Context]]:
    for statement in ctx.cls.defs.body:
        if not isinstance(statement, AssignmentStmt) or len(statement.lvalues) != 1:
            continue
        target = statement.lvalues[0]
        annotation = statement.unanalyzed_type
        if not isinstance(target, NameExpr) or target.name not in abstract:
            continue
        if isinstance(annotation, UnboundType) and not annotation.args:
            yield target.name, abstract[target.name], statement


def _declares_init_false(ctx: ClassDefContext) -> bool:
    value = ctx.cls.keywords.get("init")
    return value is not None and ctx.api.parse_bool(value) is False


def _dataclass_decorator_failure(ctx: ClassDefContext, init: InitKind) -> str | None:
    for decorator in ctx.cls.decorators:
        callee = decorator.callee if isinstance(decorator, CallExpr) else decorator
        if not isinstance(callee, RefExpr) or callee.fullname != _DATACLASS:
            continue
        frozen = False
        if isinstance(decorator, CallExpr):
            for name, value in zip(decorator.arg_names, decorator.args, strict=True):
                if name == "frozen":
                    parsed = ctx.api.parse_bool(value)
                    if parsed is None:
                        return None  # not known before run time
                    frozen = parsed
        if not frozen:
            return _DATACLASS_FAILS_AT_CREATION
        if init in ("written", "inherited"):
            return _DATACLASS_FAILS_AT_INIT
    return None


def _fields_under_properties(
    ctx: ClassDefContext, abstract: dict[str, AbstractKind]
) -> Iterator[tuple[str, TypeInfo, Context]]:
    """The fields with no value on the class that an attribute lookup finds a
    property without a setter for: the class's own, reported where they are
    declared, and inherited ones that meet the property first in this class."""
    info = ctx.cls.info
    own: set[str] = set()
    for statement, target in annotated_names(ctx.cls):
        own.add(target.name)
        # An abstract attribute is no field: a property may well implement it.
        if (
            target.name in abstract
            or _has_class_value(statement)
            or _is_classvar(info, target.name)
        ):
            continue
        owner = _property_found(info, target.name)
        if owner is not None:
            yield target.name, owner, statement
    for name, declarer in _inherited_fields(info):
        if name in own:
            continue
        owner = _property_found(info, name)
        # A base that has both the field and the property has been reported already.
        if owner is not None and not any(
            declarer in base.type.mro and owner in base.type.mro for base in info.bases
        ):
            yield name, owner, ctx.cls


def _inherited_fields(info: TypeInfo) -> Iterator[tuple[str, TypeInfo]]:
    """Each field a Module base declares, with the nearest base that declares it."""
    seen: set[str] = set()
    for base in info.mro[1:]:
        record = ClassRecord.read(base)
        if record is None:
            continue
        for name in sorted(record.field_names - seen):
            seen.add(name)
            yield name, base


def _property_found(info: TypeInfo, name: str) -> TypeInfo | None:
    """The base whose property without a setter an instance of `info` meets under
    `name`, None if it meets anything else first. A field declared with no value
    leaves nothing on its class, so the lookup goes on past it."""
    for base in info.mro[1:]:
        symbol = base.names.get(name)
        if symbol is None or _declared_without_value(symbol.node):
            continue
        return base if _is_property(symbol.node) else None
    return None


def _is_classvar(info: TypeInfo, name: str) -> bool:
    symbol = info.names.get(name)
    return symbol is not None and isinstance(symbol.node, Var) and symbol.node.is_classvar


def _declared_without_value(node: SymbolNode | None) -> bool:
    # `name: T` alone. (A field made with `field(default_factory=...)` has no value
    # on its class either, but mypy records the call as one: it stops the lookup.)
    return isinstance(node, Var) and not node.has_explicit_value and not node.is_classvar


def _has_class_value(statement: AssignmentStmt) -> bool:
    """Whether the class keeps a value under the field's name: a default, not a factory."""
    if isinstance(statement.rvalue, TempNode):
        return False
    arguments = field_arguments(statement.rvalue)
    return arguments is None or "default" in arguments


def _is_property(node: SymbolNode | None) -> bool:
    """A property without a setter. One with a setter (an overload in mypy's tree)
    may take the field's value, so it is left alone."""
    return isinstance(node, Decorator) and node.func.is_property


def _protocol_base(info: TypeInfo) -> TypeInfo | None:
    for base in info.mro:
        if base.is_protocol and not _is_abc_at_run_time(base):
            return base
    return None


def _is_abc_at_run_time(protocol: TypeInfo) -> bool:
    package = protocol.module_name.partition(".")[0]
    if package not in sys.stdlib_module_names and package not in ("typing_extensions", "_typeshed"):
        return False
    return not protocol.name.startswith(_RUNTIME_PROTOCOL_PREFIX)
