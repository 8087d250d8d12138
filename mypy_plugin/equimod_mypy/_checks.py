"""Checks made while mypy type-checks code that uses Modules.

- instantiating a class that leaves an abstract attribute unimplemented;
- assigning to or deleting a field outside `__init__`/`__post_init__`.
"""

from __future__ import annotations

from mypy.errorcodes import ErrorCode
from mypy.nodes import FuncDef, MemberExpr, NameExpr, TypeInfo
from mypy.plugin import AttributeContext, FunctionContext
from mypy.types import Instance, Type, get_proper_type

from ._names import metadata

ABSTRACT = ErrorCode(
    "equimod-abstract",
    "Instantiating a Module that leaves an AbstractVar or AbstractClassVar unimplemented",
    "equimod",
)
MSG_ABSTRACT = (
    'Cannot instantiate "{cls}": {items} {verb} not implemented. Implement {them} in a '
    "subclass (an AbstractVar by a field, property, method or class attribute; an "
    "AbstractClassVar by a ClassVar or class attribute)."
)

FROZEN = ErrorCode(
    "equimod-frozen",
    "Assigning to or deleting a Module field after __init__",
    "equimod",
)
MSG_FROZEN = (
    'Cannot {action} field "{field}" of "{cls}": a Module is immutable once __init__ has '
    "returned. Make a modified copy with dataclasses.replace(module, {field}=...) or "
    "equimod.tree_at(lambda m: m.{field}, module, new_value)."
)
_INITIALISERS = ("__init__", "__post_init__")


def unimplemented_abstract(info: TypeInfo) -> list[tuple[str, str, str]]:
    """`(name, kind, declaring class)` for each abstract attribute `info` leaves open.

    As at run time, any non-abstract definition anywhere in the MRO implements
    it, whatever the base order.
    """
    declared: dict[str, tuple[str, str]] = {}
    for base in reversed(info.mro):
        data = metadata(base)
        if data is not None:
            for name, kind in data["abstract"].items():
                declared[name] = (kind, base.name)
    missing = []
    for name, (kind, declarer) in declared.items():
        implemented = any(
            name in base.names and name not in (metadata(base) or {}).get("abstract", {})
            for base in info.mro[:-1]
        )
        if not implemented:
            missing.append((name, kind, declarer))
    return missing


def check_instantiation(ctx: FunctionContext) -> Type:
    returned = get_proper_type(ctx.default_return_type)
    if not isinstance(returned, Instance):
        return ctx.default_return_type
    missing = unimplemented_abstract(returned.type)
    if missing:
        items = ", ".join(
            f'"{name}" ({kind}, declared in "{declarer}")' for name, kind, declarer in missing
        )
        single = len(missing) == 1
        message = MSG_ABSTRACT.format(
            cls=returned.type.name,
            items=("abstract attribute " if single else "abstract attributes ") + items,
            verb="is" if single else "are",
            them="it" if single else "them",
        )
        ctx.api.fail(message, ctx.context, code=ABSTRACT)
    return ctx.default_return_type


def check_field_write(ctx: AttributeContext, deleted: set[tuple[str, int, int]]) -> Type:
    """The attribute hook of a field: reads pass, writes only while initialising."""
    target = ctx.context
    if not isinstance(target, MemberExpr):
        return ctx.default_attr_type
    is_delete = (ctx.api.path, target.line, target.column) in deleted
    if not (ctx.is_lvalue or is_delete) or _initialising(ctx, target):
        return ctx.default_attr_type
    owner = get_proper_type(ctx.type)
    cls = owner.type.name if isinstance(owner, Instance) else "Module"
    message = MSG_FROZEN.format(
        action="delete" if is_delete else "assign to", field=target.name, cls=cls
    )
    ctx.api.fail(message, target, code=FROZEN)
    return ctx.default_attr_type


def _initialising(ctx: AttributeContext, target: MemberExpr) -> bool:
    """Inside `__init__`/`__post_init__`, writing through their `self`."""
    scope = getattr(ctx.api, "scope", None)
    function = scope.top_level_function() if scope is not None else None
    if not isinstance(function, FuncDef) or function.name not in _INITIALISERS:
        return False
    if not function.arguments or not isinstance(target.expr, NameExpr):
        return False
    return target.expr.node is function.arguments[0].variable
