"""The `__init__` parameter type of a converter field: what the converter accepts."""

from __future__ import annotations

from mypy.erasetype import erase_typevars
from mypy.nodes import (
    ARG_OPT,
    ARG_POS,
    ARG_STAR,
    Decorator,
    Expression,
    FuncBase,
    OverloadedFuncDef,
    RefExpr,
    TypeInfo,
    Var,
)
from mypy.plugin import SemanticAnalyzerPluginInterface
from mypy.typeops import type_object_type
from mypy.types import (
    AnyType,
    CallableType,
    Overloaded,
    Type,
    TypeOfAny,
    UnionType,
    get_proper_type,
)


def converter_input_type(converter: Expression, api: SemanticAnalyzerPluginInterface) -> Type:
    """The type of the first argument `converter` accepts.

    Named functions, overloads, classes and generic functions are read; for
    anything else (a lambda, a call, an unannotated function) the answer is
    `Any`: a converter the plugin cannot read must never cause an error.
    """
    signature = _signature(converter, api)
    if signature is None:
        return AnyType(TypeOfAny.unannotated)
    items = signature.items if isinstance(signature, Overloaded) else [signature]
    inputs = [_first_argument(item) for item in items]
    if any(t is None for t in inputs):
        return AnyType(TypeOfAny.unannotated)
    return UnionType.make_union([t for t in inputs if t is not None])


def _signature(
    converter: Expression, api: SemanticAnalyzerPluginInterface
) -> CallableType | Overloaded | None:
    if not isinstance(converter, RefExpr):
        return None
    node = converter.node
    found: Type | None = None
    if isinstance(node, TypeInfo):
        found = type_object_type(node, api.named_type)
    elif isinstance(node, FuncBase):
        found = node.type
    elif isinstance(node, Decorator):
        found = node.var.type
    elif isinstance(node, Var):
        found = node.type
    if isinstance(node, OverloadedFuncDef) and found is None:
        # Before type checking an overload's own type is not assembled yet.
        found = _overload_items(node)
    proper = get_proper_type(found)
    if isinstance(proper, (CallableType, Overloaded)):
        return proper
    return None


def _overload_items(node: OverloadedFuncDef) -> Overloaded | None:
    # The `@overload` items are decorators; an undecorated implementation, whose
    # signature is the union of theirs, is left out.
    items = []
    for item in node.items:
        signature = get_proper_type(item.func.type) if isinstance(item, Decorator) else None
        if isinstance(signature, CallableType):
            items.append(signature)
    return Overloaded(items) if items else None


def _first_argument(signature: CallableType) -> Type | None:
    if not signature.arg_kinds or signature.arg_kinds[0] not in (ARG_POS, ARG_OPT, ARG_STAR):
        return None
    # The converter's own type variables mean nothing in the class: widen them.
    own = {variable.id for variable in signature.variables}
    return erase_typevars(signature.arg_types[0], own)
