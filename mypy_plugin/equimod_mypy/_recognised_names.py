"""Names the plugin recognises, and how a name or expression leads to a Module class."""

from __future__ import annotations

from mypy.nodes import (
    CallExpr,
    Decorator,
    Expression,
    FuncDef,
    IndexExpr,
    OverloadedFuncDef,
    RefExpr,
    SymbolNode,
    TypeAlias,
    TypeInfo,
    Var,
)
from mypy.types import Instance, get_proper_type

# The names in the stubs, which checkers read for an installed equimod, and in
# the run-time sources, which mypy reads when run from a checkout of equimod.
MODULES = ("equimod.Module", "equimod._module._module.Module")
FIELDS = (
    "equimod.field",
    "equimod._module._field.field",
    "dataclasses.field",
    # Equinox's deprecated `field(static=True)`, which equimod keeps for ported code.
    "equimod.static_field",
    "equimod._module._field.static_field",
)
ABSTRACT_VARS = ("equimod.AbstractVar", "equimod._module._abstract.AbstractVar")
ABSTRACT_CLASS_VARS = (
    "equimod.AbstractClassVar",
    "equimod._module._abstract.AbstractClassVar",
)
# The stubs declare AbstractClassVar as a re-export of typing.ClassVar, so a
# lookup lands on ClassVar and only the spelling (followed through imports, see
# `_aliases.py`) tells the two apart.
ABSTRACT_CLASS_VAR_NAME = "AbstractClassVar"
KW_ONLY = "dataclasses.KW_ONLY"
INIT_VAR = "dataclasses.InitVar"


def is_module_subclass(info: TypeInfo) -> bool:
    """True for `equimod.Module` itself and every class derived from it."""
    return any(base.fullname in MODULES for base in info.mro)


def class_of(node: SymbolNode | None) -> TypeInfo | None:
    """The class a name refers to, through type aliases such as `Base = equimod.Module`."""
    if isinstance(node, TypeAlias):
        target = get_proper_type(node.target)
        return target.type if isinstance(target, Instance) else None
    return node if isinstance(node, TypeInfo) else None


def module_class_of(expr: Expression) -> TypeInfo | None:
    """The Module class a base-class expression names (`Base`, `Base[T]`, an alias), or None."""
    target = expr.base if isinstance(expr, IndexExpr) else expr
    info = class_of(target.node) if isinstance(target, RefExpr) else None
    return info if info is not None and is_module_subclass(info) else None


def owner_of(node: SymbolNode | None) -> TypeInfo | None:
    """The class whose body defines a method or attribute node."""
    if isinstance(node, (FuncDef, OverloadedFuncDef, Var)):
        return node.info
    if isinstance(node, Decorator):
        # Not `node.info`: that is the function's, which is only set once the
        # function itself has been analysed, after the class hook has run.
        return node.var.info
    return None


def field_arguments(rvalue: Expression) -> dict[str, Expression] | None:
    """The keyword arguments of an `equimod.field(...)` or `dataclasses.field(...)`
    call, None for other values."""
    if not (
        isinstance(rvalue, CallExpr)
        and isinstance(rvalue.callee, RefExpr)
        and rvalue.callee.fullname in FIELDS
    ):
        return None
    return {
        name: arg
        for name, arg in zip(rvalue.arg_names, rvalue.args, strict=True)
        if name is not None
    }
