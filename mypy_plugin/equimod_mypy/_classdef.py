"""What the plugin does to each Module subclass while mypy analyses its definition.

mypy's own `dataclass_transform` support runs after this hook and still
provides `__dataclass_fields__`, `__match_args__`, `dataclasses.replace` and
its field-order checks. Before it runs, this hook

- hides `AbstractVar` declarations from it (they are not fields) and records
  `AbstractVar`/`AbstractClassVar` declarations for the instantiation check;
- gives the class the `__init__` the run time gives it, when it writes none:
  the nearest hand-written `__init__` of a base, inherited, or one generated
  from the fields with converter input types; mypy then keeps it;
- records which fields a hand-written `__init__` certainly never assigns, for
  the instantiation check.

Whatever the hook cannot read (a base it has no record of, a dynamic base),
it leaves to mypy, which then does what it does without the plugin.
"""

from __future__ import annotations

from mypy.expandtype import expand_type
from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_OPT,
    ARG_POS,
    MDEF,
    Argument,
    AssignmentStmt,
    ClassDef,
    Decorator,
    Expression,
    FuncDef,
    NameExpr,
    OverloadedFuncDef,
    SymbolNode,
    SymbolTableNode,
    TempNode,
    TypeInfo,
    Var,
)
from mypy.plugin import ClassDefContext, SemanticAnalyzerPluginInterface
from mypy.plugins.common import add_method_to_class
from mypy.server.trigger import make_trigger, make_wildcard_trigger
from mypy.typeops import map_type_from_supertype
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    NoneType,
    TypeOfAny,
    UnboundType,
    get_proper_type,
)
from mypy.typevars import fill_typevars

from ._aliases import is_abstract_class_var
from ._analysed_types import is_analysed
from ._checks import MSG_NOT_A_FIELD, NOT_A_FIELD
from ._converters import converter_input_type, unreadable_input
from ._definition import check_definition
from ._metadata import AbstractKind, ClassRecord, FieldRecord, InitKind
from ._recognised_names import (
    ABSTRACT_CLASS_VARS,
    ABSTRACT_VARS,
    INIT_VAR,
    KW_ONLY,
    MODULES,
    field_arguments,
    is_module_subclass,
    module_class_of,
    owner_of,
)
from ._user_init import assigned_fields, writes_to_non_fields
from ._walk import annotated_names

_CLASS_VARS = ("typing.ClassVar", "typing_extensions.ClassVar")
# The hidden name under which a class keeps the `__init__` the plugin generated.
_GENERATED_INIT = "__equimod_generated_init__"
# The instance parameter of a generated `__init__` when a field is named `self`.
_RECEIVER = "__equimod_self__"


def analyse_module_class(ctx: ClassDefContext) -> None:
    """The base-class hook for every subclass of `equimod.Module`."""
    if ctx.reason is not _first_module_base(ctx.cls):
        return  # a class with several Module bases is handled once
    info = ctx.cls.info
    _forget_plugin_init(ctx.cls)
    abstract = _mark_abstract_declarations(ctx)
    own = _own_fields(ctx)
    inherited = _inherited_fields(ctx)
    if inherited is not None:
        _accept_class_vars_implementing_abstract_vars(ctx)
    written = info.names.get("__init__")
    inherits: _Inherited | None = None if written is not None else _nearest_user_init(info)
    if own is None or inherited is None or isinstance(inherits, _NotReady):
        if not ctx.api.final_iteration:
            ctx.api.defer()
        return  # on the last pass: leave the class to mypy alone
    replaced = _replaced_fields(ctx.cls, inherited)
    fields = {name: field for name, field in inherited.items() if name not in replaced}
    fields.update((field.name, field) for field in own)
    required = [
        name for name, field in fields.items() if not field.has_default and not field.init_only
    ]
    if not ctx.api.is_stub_file and not info.fallback_to_any:
        # An abstract attribute may be a field of the subclass being built.
        attributes = [name for name, field in fields.items() if not field.init_only]
        attributes += [*abstract, *_inherited_abstract(info)]
        for write in writes_to_non_fields(ctx.cls, attributes):
            message = MSG_NOT_A_FIELD.format(name=write.name, cls=info.name)
            ctx.api.fail(message, write, code=NOT_A_FIELD)

    init: InitKind
    assigns: list[str] | None = None
    unassigned: list[str] = []
    if written is not None:
        init = "written"
        assigned = _assigned_by_own_method(written.node, ctx, fields)
        if assigned is not None:
            assigns = sorted(assigned)
            unassigned = [name for name in required if name not in assigned]
    elif inherits is not None:
        init = "inherited"
        node, assigned_by_base = inherits
        # The class keeps the base's constructor, as at run time.
        info.names["__init__"] = SymbolTableNode(MDEF, node)
        if assigned_by_base is not None:
            unassigned = [name for name in required if name not in assigned_by_base]
    elif info.fallback_to_any:
        init = "unknown"
    else:
        init = "generated"
        _add_generated_init(ctx, list(fields.values()))
        unassigned = _left_to_post_init(ctx, fields, required)
    if not ctx.api.is_stub_file:
        check_definition(ctx, init, abstract)
    ClassRecord(
        serialized_fields=[field.serialize() for field in own],
        abstract=abstract,
        init=init,
        unassigned=unassigned,
        assigns=assigns,
        replaced=replaced,
    ).write(info)


class _NotReady:
    pass


_NOT_READY = _NotReady()
# The node of the inherited `__init__`, and the fields it certainly assigns
# (None when unknown); or _NOT_READY while a base has not been analysed.
_Inherited = tuple[SymbolNode, set[str] | None] | _NotReady


def _first_module_base(cls: ClassDef) -> Expression | None:
    # Not zipped with `info.bases`: `Generic[T]` is a base expression but not a base.
    for base_expr in cls.base_type_exprs:
        if module_class_of(base_expr) is not None:
            return base_expr
    return None


def _forget_plugin_init(cls: ClassDef) -> None:
    """Drop the `__init__` this hook gave the class in an earlier pass over it."""
    info = cls.info
    generated = info.names.pop(_GENERATED_INIT, None)
    if generated is not None:
        generated_node: object = generated.node
        cls.defs.body = [
            statement for statement in cls.defs.body if statement is not generated_node
        ]
        symbol = info.names.get("__init__")
        if symbol is not None and symbol.node is generated.node:
            del info.names["__init__"]
    symbol = info.names.get("__init__")
    if symbol is not None and owner_of(symbol.node) is not info:
        del info.names["__init__"]  # inherited from a base


def _mark_abstract_declarations(ctx: ClassDefContext) -> dict[str, AbstractKind]:
    declared: dict[str, AbstractKind] = {}
    for statement in ctx.cls.defs.body:
        if not isinstance(statement, AssignmentStmt) or len(statement.lvalues) != 1:
            continue
        target = statement.lvalues[0]
        kind = _abstract_kind(statement, ctx.api)
        if kind is None or not isinstance(target, NameExpr):
            continue
        declared[target.name] = kind
        # Not a dataclass field; an AbstractVar is read-only where declared, so
        # that a property, a method or a class attribute may implement it.
        statement.new_syntax = False
        if isinstance(target.node, Var):
            if kind == "AbstractVar":
                target.node.is_property = True
            else:
                target.node.is_classvar = True
    return declared


def _accept_class_vars_implementing_abstract_vars(ctx: ClassDefContext) -> None:
    """Let `x: ClassVar[T] = value` implement a base's `x: AbstractVar[T]`, as at run time.

    mypy refuses a class variable in place of an instance variable. The
    declaration is made an ordinary class attribute instead (it stays out of the
    fields). Not for a callable type: a function stored on the class is bound as
    a method when read from an instance, and mypy's binding, which then reports
    the mismatch with the abstract type, is what the run time does.
    """
    info = ctx.cls.info
    for statement in ctx.cls.defs.body:
        if not isinstance(statement, AssignmentStmt) or len(statement.lvalues) != 1:
            continue
        target = statement.lvalues[0]
        var = target.node if isinstance(target, NameExpr) else None
        if not (isinstance(var, Var) and var.is_classvar and var.has_explicit_value):
            continue
        if var.type is None or not is_analysed(var.type):
            continue
        if isinstance(get_proper_type(var.type), FunctionLike):
            continue
        if _nearest_declaration_is_abstract_var(info, var.name):
            var.is_classvar = False
            statement.new_syntax = False  # not a field, in later passes either


def _nearest_declaration_is_abstract_var(info: TypeInfo, name: str) -> bool:
    for base in info.mro[1:]:
        if base.fullname in MODULES or not is_module_subclass(base):
            if name in base.names:
                return False  # a mixin's own attribute
            continue
        record = ClassRecord.read(base)
        if record is None or name in record.field_names:
            return False
        if name in record.abstract:
            return record.abstract[name] == "AbstractVar"
    return False


def _abstract_kind(
    statement: AssignmentStmt, api: SemanticAnalyzerPluginInterface
) -> AbstractKind | None:
    annotation = statement.unanalyzed_type
    if not isinstance(annotation, UnboundType):
        return None
    symbol = api.lookup_qualified(annotation.name, statement, suppress_errors=True)
    if symbol is None or symbol.node is None:
        return None
    fullname = symbol.node.fullname
    if fullname in ABSTRACT_VARS:
        return "AbstractVar"
    if fullname in ABSTRACT_CLASS_VARS:
        return "AbstractClassVar"
    module = api.cur_mod_id
    if fullname in _CLASS_VARS and is_abstract_class_var(annotation.name, module, api.modules):
        return "AbstractClassVar"
    return None


def _own_fields(ctx: ClassDefContext) -> list[FieldRecord] | None:
    """The fields the class body declares, or None while a type is not ready."""
    api = ctx.api
    info = ctx.cls.info
    class_kw_only = ctx.cls.keywords.get("kw_only")
    kw_only = bool(class_kw_only is not None and api.parse_bool(class_kw_only))
    fields = []
    for statement, target in annotated_names(ctx.cls):
        symbol = info.names.get(target.name)
        var = symbol.node if symbol is not None else None
        if not isinstance(var, Var) or var.is_classvar:
            continue
        declared = var.type if var.type is not None else AnyType(TypeOfAny.unannotated)
        if not is_analysed(declared):
            return None
        proper = get_proper_type(declared)
        if isinstance(proper, Instance) and proper.type.fullname == KW_ONLY:
            kw_only = True
            continue
        init_only = isinstance(proper, Instance) and proper.type.fullname == INIT_VAR
        if isinstance(proper, Instance) and init_only:
            declared = proper.args[0] if proper.args else AnyType(TypeOfAny.unannotated)
        arguments = field_arguments(statement.rvalue)
        if arguments is None:
            has_default = not isinstance(statement.rvalue, TempNode)
            arguments = {}
        else:
            has_default = "default" in arguments or "default_factory" in arguments
        init_type = declared
        if "converter" in arguments:
            converter_input = converter_input_type(arguments["converter"], api)
            if converter_input is None or not is_analysed(converter_input):
                if not api.final_iteration:
                    return None
                converter_input = unreadable_input()
            init_type = converter_input
        if info.self_type is not None:
            # `Self` in a field's type is the class itself in its __init__.
            init_type = expand_type(init_type, {info.self_type.id: fill_typevars(info)})
        fields.append(
            FieldRecord(
                name=target.name,
                has_default=has_default,
                kw_only=_bool_argument(api, arguments, "kw_only", kw_only),
                init=_bool_argument(api, arguments, "init", True),
                init_type=init_type,
                init_only=init_only,
                converted="converter" in arguments,
            )
        )
    return fields


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


def _inherited_fields(ctx: ClassDefContext) -> dict[str, FieldRecord] | None:
    """Fields inherited from Module bases, in run-time order, or None if a base is not ready."""
    info = ctx.cls.info
    fields: dict[str, FieldRecord] = {}
    for base in reversed(info.mro[1:]):
        if base.fullname in MODULES or not is_module_subclass(base):
            continue
        record = ClassRecord.read(base)
        if record is None:
            return None
        # Re-analyse this class when the base's fields or its generated __init__
        # (which carries converter input types) change: the mypy daemon needs it.
        ctx.api.add_plugin_dependency(make_wildcard_trigger(base.fullname))
        ctx.api.add_plugin_dependency(make_trigger(f"{base.fullname}.__init__"))
        for field in record.fields(ctx.api.modules):
            field.init_type = map_type_from_supertype(field.init_type, info, base)
            fields[field.name] = field
        for name in record.replaced:
            fields.pop(name, None)
    return fields


def _replaced_fields(cls: ClassDef, inherited: dict[str, FieldRecord]) -> list[str]:
    """Inherited fields the class body defines again without an annotation.

    As at run time, a value, a method or a property given the name of an
    inherited field replaces the field: it is no longer an `__init__` parameter.
    """
    replaced = []
    for statement in cls.defs.body:
        names: list[str] = []
        if isinstance(statement, AssignmentStmt) and not statement.new_syntax:
            names = [t.name for t in statement.lvalues if isinstance(t, NameExpr)]
        elif isinstance(statement, (FuncDef, Decorator, OverloadedFuncDef)):
            names = [statement.name]
        replaced += [name for name in names if name in inherited and name not in replaced]
    return replaced


def _nearest_user_init(info: TypeInfo) -> _Inherited | None:
    """The hand-written `__init__` the class inherits, None if it gets a generated one."""
    for base in info.mro[1:]:
        if base.fullname in MODULES or base.fullname == "builtins.object":
            return None
        symbol = base.names.get("__init__")
        if is_module_subclass(base):
            record = ClassRecord.read(base)
            if record is None:
                return _NOT_READY
            if record.init == "generated" or symbol is None or symbol.node is None:
                return None
            return symbol.node, _assigned_by(symbol.node)
        if symbol is not None and symbol.node is not None:
            return symbol.node, None  # a plain base class with its own __init__
    return None


def _assigned_by(init: SymbolNode) -> set[str] | None:
    """The fields a hand-written `__init__` certainly assigns, from its class's record."""
    owner = owner_of(init)
    record = ClassRecord.read(owner) if owner is not None else None
    if record is None or record.init != "written" or record.assigns is None:
        return None
    return set(record.assigns)


def _assigned_by_own_method(
    node: SymbolNode | None, ctx: ClassDefContext, fields: dict[str, FieldRecord]
) -> set[str] | None:
    """The fields the class's own `__init__` or `__post_init__` certainly assigns."""
    if ctx.api.is_stub_file:
        return None  # a stub's body says nothing of what the run time does
    function = node.func if isinstance(node, Decorator) else node
    if not isinstance(function, FuncDef) or function.is_trivial_body:
        return None  # overloads, `__init__ = f`, bodies such as `...`
    if not function.body.body:
        # Python has no empty body: mypy dropped it, as it does in a module whose
        # errors it ignores (an installed package) when no `self.x = ...` is seen.
        return None
    return assigned_fields(function, fields)


def _inherited_abstract(info: TypeInfo) -> list[str]:
    records = (ClassRecord.read(base) for base in info.mro[1:])
    return [name for record in records if record is not None for name in record.abstract]


def _left_to_post_init(
    ctx: ClassDefContext, fields: dict[str, FieldRecord], required: list[str]
) -> list[str]:
    """The `init=False` fields without a default that no `__post_init__` certainly
    assigns, as a generated `__init__` leaves them to it. Empty when unsure: a
    `__post_init__` inherited, or one the analysis cannot follow."""
    left = [name for name in required if not fields[name].init]
    post_init = ctx.cls.info.get("__post_init__")
    if not left or post_init is None:
        return left
    if owner_of(post_init.node) is not ctx.cls.info:
        return []  # a base's, whose body may not be at hand (an incremental run)
    assigned = _assigned_by_own_method(post_init.node, ctx, fields)
    return [] if assigned is None else [name for name in left if name not in assigned]


def _rename_receiver(function: FuncDef) -> None:
    """Give the instance parameter a name no field can take, as dataclasses does for
    a field named `self` (mypy would refuse two parameters of one name)."""
    receiver = function.arguments[0]
    receiver.variable = Var(_RECEIVER, receiver.variable.type)
    function.arg_names[0] = _RECEIVER
    if isinstance(function.type, CallableType):
        names = [_RECEIVER, *function.type.arg_names[1:]]
        function.type = function.type.copy_modified(arg_names=names)


def _add_generated_init(ctx: ClassDefContext, fields: list[FieldRecord]) -> None:
    """Give the class the dataclass `__init__` the run time generates for it."""
    in_init = [field for field in fields if field.init]
    ordered = [f for f in in_init if not f.kw_only] + [f for f in in_init if f.kw_only]
    arguments = []
    for field in ordered:
        if field.kw_only:
            kind = ARG_NAMED_OPT if field.has_default else ARG_NAMED
        else:
            kind = ARG_OPT if field.has_default else ARG_POS
        arguments.append(Argument(Var(field.name, field.init_type), field.init_type, None, kind))
    function = add_method_to_class(ctx.api, ctx.cls, "__init__", arguments, NoneType())
    if isinstance(function, FuncDef) and any(field.name == "self" for field in ordered):
        _rename_receiver(function)
    symbol = ctx.cls.info.names["__init__"]
    # Not marked plugin-generated, or mypy's dataclass support would replace it
    # with its own. The mark is a second, hidden name instead: it tells this hook
    # which `__init__` is its own, and makes the daemon drop it from the class
    # body along with the other generated methods when it re-analyses the class.
    symbol.plugin_generated = False
    ctx.cls.info.names[_GENERATED_INIT] = SymbolTableNode(MDEF, function, plugin_generated=True)
