"""The `__init__` parameter type of a converter field: what the converter accepts;
and the check of a converter field's default against it."""

from __future__ import annotations

from mypy.erasetype import erase_typevars
from mypy.expandtype import expand_type
from mypy.nodes import (
    ARG_OPT,
    ARG_POS,
    ARG_STAR,
    Decorator,
    Expression,
    FuncDef,
    OverloadedFuncDef,
    PlaceholderNode,
    RefExpr,
    SymbolNode,
    TypeInfo,
    Var,
)
from mypy.plugin import FunctionSigContext, SemanticAnalyzerPluginInterface
from mypy.subtypes import is_subtype
from mypy.typeops import type_object_type
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Overloaded,
    Type,
    TypeOfAny,
    TypeVarType,
    UnionType,
    get_proper_type,
)

from ._analysed_types import is_analysed


def unreadable_input() -> AnyType:
    """The input type of a converter the plugin cannot read: Any, but not an
    "unannotated" one, or `--strict` would call the generated `__init__` untyped."""
    return AnyType(TypeOfAny.special_form)


def converter_input_type(
    converter: Expression, api: SemanticAnalyzerPluginInterface
) -> Type | None:
    """The type of the first argument `converter` accepts.

    Named functions, overloads, classes and generic functions are read; for
    anything else (a lambda, a call, an unannotated function) the answer is
    `Any`: a converter the plugin cannot read must never cause an error. The
    answer may not be analysed yet (a converter defined further down the module):
    None while the converter's name is not bound, and check a type with
    `is_analysed` before keeping it.
    """
    if not isinstance(converter, RefExpr):
        return unreadable_input()
    if isinstance(converter.node, PlaceholderNode):
        return None
    inputs = []
    for function, signature, position in _signatures(converter.node, api):
        if len(signature.arg_kinds) <= position or signature.arg_kinds[position] not in (
            ARG_POS,
            ARG_OPT,
            ARG_STAR,
        ):
            return unreadable_input()
        # Only the value's parameter matters: another parameter's type may stay
        # unresolved for good (a variable used as a type in a library's stub).
        if function is None or is_analysed(signature.arg_types[position]):
            # The converter's own type variables mean nothing in the class: widen them.
            own = {variable.id for variable in signature.variables}
            inputs.append(erase_typevars(signature.arg_types[position], own))
            continue
        # mypy analyses a function's signature after the class bodies of its module,
        # so a converter defined in the class's own module is analysed here; one
        # in another module is analysed there first, except inside an import cycle.
        if not converter.fullname.startswith(f"{api.cur_mod_id}."):
            return None
        analysed = api.anal_type(signature.arg_types[position], allow_unbound_tvars=True)
        if analysed is None:
            return None
        inputs.append(erase_typevars(analysed))
    if not inputs:
        return unreadable_input()
    return UnionType.make_union(inputs)


# A callable a converter stands for: the function whose signature it is (when the
# signature may still be unanalysed), the signature, and the position of the value.
_Signature = tuple[FuncDef | None, CallableType, int]


def _signatures(node: SymbolNode | None, api: SemanticAnalyzerPluginInterface) -> list[_Signature]:
    if isinstance(node, TypeInfo):
        init = node.get_method("__init__")
        if (
            isinstance(init, FuncDef)
            and isinstance(init.type, CallableType)
            and not is_analysed(init.type)
        ):
            return [(init, init.type, 1)]  # after `self`
        return _items(None, type_object_type(node, api.named_type))
    if isinstance(node, FuncDef):
        return _items(node, node.type)
    if isinstance(node, OverloadedFuncDef):
        assembled = _items(None, node.type)
        if assembled:
            return assembled
        # Before type checking an overload's own type is not assembled yet: read
        # the `@overload` items. An undecorated implementation, whose signature
        # is the union of theirs, is left out.
        found: list[_Signature] = []
        for item in node.items:
            if isinstance(item, Decorator):
                found += _items(item.func, item.func.type)
        return found
    if isinstance(node, (Decorator, Var)):
        return _items(None, node.type)
    return []


def _items(function: FuncDef | None, found: Type | None) -> list[_Signature]:
    proper = get_proper_type(found)
    if isinstance(proper, CallableType):
        return [(function, proper, 0)]
    if isinstance(proper, Overloaded):
        return [(None, item, 0) for item in proper.items]
    return []


def field_signature(ctx: FunctionSigContext) -> FunctionLike:
    """`equimod.field(converter=f, default=d)`, checked as `d` being of `f`'s input type.

    The stub's overloads say so with one type variable in both places, but mypy
    solves it from the default too: a default `"sum"` makes it `str`, and then a
    converter taking `Literal["sum", "mean"]` no longer fits. When the converter
    is a named, non-generic function and the default is of its input type, that
    type replaces the variable.
    """
    signature = ctx.default_signature
    if "converter" not in signature.arg_names:
        return signature
    position = signature.arg_names.index("converter")
    parameter = get_proper_type(signature.arg_types[position])
    passed = ctx.args[position] if position < len(ctx.args) else []
    if not isinstance(parameter, CallableType) or len(passed) != 1:
        return signature
    variable = get_proper_type(parameter.arg_types[0]) if parameter.arg_types else None
    if not isinstance(variable, TypeVarType) or not isinstance(passed[0], RefExpr):
        return signature
    converter = get_proper_type(ctx.api.get_expression_type(passed[0]))
    if (
        not isinstance(converter, CallableType)
        or converter.variables
        or not converter.arg_kinds
        or converter.arg_kinds[0] not in (ARG_POS, ARG_OPT)
    ):
        return signature
    accepted = converter.arg_types[0]
    if "default" in signature.arg_names:
        # Only where that makes the default fit: otherwise mypy's own report
        # (the default's type against the converter's) says more.
        defaults = ctx.args[signature.arg_names.index("default")]
        given = [ctx.api.get_expression_type(d, type_context=accepted) for d in defaults]
        if not all(is_subtype(type_, accepted) for type_ in given):
            return signature
    solved = expand_type(signature, {variable.id: accepted})
    assert isinstance(solved, CallableType)
    kept = [v for v in signature.variables if v.id != variable.id]
    return solved.copy_modified(variables=kept)
