"""What the plugin does to each Module subclass while mypy analyses its definition.

mypy's own `dataclass_transform` support runs after this hook and still
provides `__dataclass_fields__`, `__match_args__`, `dataclasses.replace` and
its field-order checks. Before it runs, this hook

- hides `AbstractVar` declarations from it (they are not fields) and records
  `AbstractVar`/`AbstractClassVar` declarations for the instantiation check;
- writes the class's `__init__` itself, as the run time builds it: generated
  from the fields with converter input types, or the nearest hand-written
  `__init__` of a base, inherited; mypy then keeps it;
- reports fields a hand-written `__init__` never assigns.
"""

from __future__ import annotations

from typing import Any

from mypy.errorcodes import ErrorCode
from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_OPT,
    ARG_POS,
    MDEF,
    Argument,
    AssignmentStmt,
    CallExpr,
    ClassDef,
    Decorator,
    Expression,
    FuncDef,
    IndexExpr,
    NameExpr,
    OverloadedFuncDef,
    RefExpr,
    SymbolTableNode,
    TempNode,
    TypeInfo,
    Var,
)
from mypy.plugin import ClassDefContext, SemanticAnalyzerPluginInterface
from mypy.plugins.common import add_method_to_class, deserialize_and_fixup_type
from mypy.semanal_shared import has_placeholder
from mypy.server.trigger import make_trigger, make_wildcard_trigger
from mypy.typeops import map_type_from_supertype
from mypy.types import AnyType, Instance, NoneType, Type, TypeOfAny, UnboundType, get_proper_type

from ._converters import converter_input_type
from ._names import (
    ABSTRACT_CLASS_VAR_NAME,
    ABSTRACT_VARS,
    FIELDS,
    KW_ONLY,
    METADATA_KEY,
    MODULES,
    is_module_subclass,
    metadata,
)
from ._user_init import unassigned_fields

MISSING_FIELD = ErrorCode(
    "equimod-missing-field",
    "A hand-written __init__ leaves a field without a value",
    "equimod",
)
MSG_MISSING_FIELD = (
    '__init__ of "{cls}" never assigns {fields}, which {verb} no default: '
    "construction fails at run time. Assign {targets} in __init__, or give "
    "the field a default."
)


def analyse_module_class(ctx: ClassDefContext) -> None:
    """The base-class hook for every subclass of `equimod.Module`."""
    if ctx.reason is not _first_module_base(ctx.cls):
        return  # a class with several Module bases is handled once
    info = ctx.cls.info
    _forget_previous_init(ctx.cls)
    abstract = _mark_abstract_declarations(ctx)
    own = _own_fields(ctx)
    inherited = _all_fields(ctx)
    own_init = _own_init(ctx.cls)
    nearest_user_init: Any = None
    if own_init is None:
        nearest_user_init = _nearest_user_init(info)
    if own is None or inherited is None or nearest_user_init is _INCOMPLETE:
        if not ctx.api.final_iteration:
            ctx.api.defer()
        return
    fields = dict(inherited)
    for field in own:
        fields[field["name"]] = field
    user_init = own_init is not None or nearest_user_init is not None
    info.metadata[METADATA_KEY] = {
        "fields": [{**field, "type": field["type"].serialize()} for field in own],
        "abstract": abstract,
        "user_init": user_init,
    }
    if own_init is not None:
        _report_unassigned_fields(ctx, own_init, fields)
    elif nearest_user_init is not None:
        # The class keeps the base's constructor, as at run time.
        info.names["__init__"] = SymbolTableNode(MDEF, nearest_user_init)
    elif not info.fallback_to_any:
        _add_generated_init(ctx, list(fields.values()))


_INCOMPLETE = object()


def _first_module_base(cls: ClassDef) -> Expression | None:
    # Not zipped with `info.bases`: `Generic[T]` is a base expression but not a base.
    for base_expr in cls.base_type_exprs:
        target = base_expr.base if isinstance(base_expr, IndexExpr) else base_expr
        node = target.node if isinstance(target, RefExpr) else None
        if isinstance(node, TypeInfo) and is_module_subclass(node):
            return base_expr
    return None


def _forget_previous_init(cls: ClassDef) -> None:
    """Drop an `__init__` this hook added in an earlier pass over the class."""
    symbol = cls.info.names.get("__init__")
    if symbol is None or symbol.node is None:
        return
    node = symbol.node
    if isinstance(node, (FuncDef, Decorator, OverloadedFuncDef)) and node.info is not cls.info:
        del cls.info.names["__init__"]  # inherited from a base
    elif _is_generated(node, cls):
        cls.defs.body.remove(node)  # type: ignore[arg-type]
        del cls.info.names["__init__"]


def _is_generated(node: object, cls: ClassDef) -> bool:
    # A generated method is placed on the class's own line, where no written
    # `def` can be.
    return isinstance(node, FuncDef) and node.line == cls.line and node in cls.defs.body


def _own_init(cls: ClassDef) -> FuncDef | Decorator | OverloadedFuncDef | None:
    for statement in cls.defs.body:
        if isinstance(statement, (FuncDef, OverloadedFuncDef)) and statement.name == "__init__":
            return statement
        if isinstance(statement, Decorator) and statement.func.name == "__init__":
            return statement
    return None


def _mark_abstract_declarations(ctx: ClassDefContext) -> dict[str, str]:
    declared: dict[str, str] = {}
    for statement in ctx.cls.defs.body:
        if not isinstance(statement, AssignmentStmt) or len(statement.lvalues) != 1:
            continue
        target = statement.lvalues[0]
        kind = _abstract_kind(statement, ctx.api)
        if kind is None or not isinstance(target, NameExpr):
            continue
        declared[target.name] = kind
        if kind == "AbstractVar":
            # Not a dataclass field, and read-only where declared, so that a
            # property, a method or a class attribute may implement it.
            statement.new_syntax = False
            if isinstance(target.node, Var):
                target.node.is_property = True
    return declared


def _abstract_kind(statement: AssignmentStmt, api: SemanticAnalyzerPluginInterface) -> str | None:
    annotation = statement.unanalyzed_type
    if not isinstance(annotation, UnboundType):
        return None
    symbol = api.lookup_qualified(annotation.name, statement, suppress_errors=True)
    if symbol is None or symbol.node is None:
        return None
    if symbol.node.fullname in ABSTRACT_VARS:
        return "AbstractVar"
    spelled = annotation.name.rsplit(".", 1)[-1]
    if spelled == ABSTRACT_CLASS_VAR_NAME and symbol.node.fullname == "typing.ClassVar":
        return "AbstractClassVar"
    return None


def _own_fields(ctx: ClassDefContext) -> list[dict[str, Any]] | None:
    """The fields the class body declares, or None while a type is not ready."""
    api = ctx.api
    class_kw_only = ctx.cls.keywords.get("kw_only")
    kw_only = bool(class_kw_only is not None and api.parse_bool(class_kw_only))
    fields = []
    for statement in ctx.cls.defs.body:
        if not isinstance(statement, AssignmentStmt) or not statement.new_syntax:
            continue
        target = statement.lvalues[0]
        if not isinstance(target, NameExpr):
            continue
        symbol = ctx.cls.info.names.get(target.name)
        var = symbol.node if symbol is not None else None
        if not isinstance(var, Var) or var.is_classvar:
            continue
        declared = var.type
        if declared is None:
            declared = AnyType(TypeOfAny.unannotated)
        if has_placeholder(declared):
            return None
        proper = get_proper_type(declared)
        if isinstance(proper, Instance) and proper.type.fullname == KW_ONLY:
            kw_only = True
            continue
        arguments = _field_arguments(statement.rvalue)
        if arguments is None:
            has_default = not isinstance(statement.rvalue, TempNode)
            arguments = {}
        else:
            has_default = "default" in arguments or "default_factory" in arguments
        init_type = declared
        if "converter" in arguments:
            init_type = converter_input_type(arguments["converter"], api)
            if has_placeholder(init_type):
                return None
        fields.append(
            {
                "name": target.name,
                "has_default": has_default,
                "kw_only": _bool_argument(api, arguments, "kw_only", kw_only),
                "init": _bool_argument(api, arguments, "init", True),
                "type": init_type,
            }
        )
    return fields


def _field_arguments(rvalue: Expression) -> dict[str, Expression] | None:
    """The keyword arguments of an `equimod.field(...)` call, None for other values."""
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


def _bool_argument(
    api: SemanticAnalyzerPluginInterface,
    arguments: dict[str, Expression],
    name: str,
    default: bool,
) -> bool:
    if name not in arguments:
        return default
    value = api.parse_bool(arguments[name])
    return default if value is None else value


def _all_fields(ctx: ClassDefContext) -> dict[str, dict[str, Any]] | None:
    """Fields inherited from Module bases, in run-time order, or None if a base is not ready."""
    info = ctx.cls.info
    fields: dict[str, dict[str, Any]] = {}
    for base in reversed(info.mro[1:]):
        if base.fullname in MODULES or not is_module_subclass(base):
            continue
        data = metadata(base)
        if data is None:
            return None
        # Re-analyse this class when the base's fields or its generated __init__
        # (which carries converter input types) change: the mypy daemon needs it.
        ctx.api.add_plugin_dependency(make_wildcard_trigger(base.fullname))
        ctx.api.add_plugin_dependency(make_trigger(f"{base.fullname}.__init__"))
        for field in data["fields"]:
            declared = deserialize_and_fixup_type(field["type"], ctx.api)
            fields[field["name"]] = {
                **field,
                "type": map_type_from_supertype(declared, info, base),
            }
    return fields


def _nearest_user_init(info: TypeInfo) -> Any:
    """The hand-written `__init__` the class inherits, None if it gets a generated one."""
    for base in info.mro[1:]:
        if base.fullname in MODULES or base.fullname == "builtins.object":
            return None
        if is_module_subclass(base):
            data = metadata(base)
            if data is None:
                return _INCOMPLETE
            if not data["user_init"]:
                return None
            symbol = base.names.get("__init__")
            return symbol.node if symbol is not None else None
        symbol = base.names.get("__init__")
        if symbol is not None and symbol.node is not None:
            return symbol.node  # a plain base class with its own __init__
    return None


def _add_generated_init(ctx: ClassDefContext, fields: list[dict[str, Any]]) -> None:
    in_init = [field for field in fields if field["init"]]
    ordered = [f for f in in_init if not f["kw_only"]] + [f for f in in_init if f["kw_only"]]
    arguments = []
    for field in ordered:
        field_type: Type = field["type"]
        if field["kw_only"]:
            kind = ARG_NAMED_OPT if field["has_default"] else ARG_NAMED
        else:
            kind = ARG_OPT if field["has_default"] else ARG_POS
        arguments.append(Argument(Var(field["name"], field_type), field_type, None, kind))
    add_method_to_class(ctx.api, ctx.cls, "__init__", args=arguments, return_type=NoneType())
    # A written (not plugin-generated) __init__ is one mypy's dataclass support keeps.
    ctx.cls.info.names["__init__"].plugin_generated = False


def _report_unassigned_fields(
    ctx: ClassDefContext,
    init: FuncDef | Decorator | OverloadedFuncDef,
    fields: dict[str, dict[str, Any]],
) -> None:
    function = init.func if isinstance(init, Decorator) else init
    if not isinstance(function, FuncDef):
        return  # overloads: too many ways to be right
    required = [name for name, field in fields.items() if not field["has_default"]]
    missing = unassigned_fields(function, fields, required)
    if not missing:
        return
    names = ", ".join(f'"{name}"' for name in missing)
    targets = ", ".join(f"self.{name}" for name in missing)
    noun = "field" if len(missing) == 1 else "fields"
    message = MSG_MISSING_FIELD.format(
        cls=ctx.cls.name,
        fields=f"{noun} {names}",
        verb="has" if len(missing) == 1 else "have",
        targets=targets,
    )
    ctx.api.fail(message, function, code=MISSING_FIELD)
