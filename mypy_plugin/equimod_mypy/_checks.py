"""Checks made while mypy type-checks code that uses Modules.

- calling a class that leaves an abstract attribute unimplemented, or whose
  hand-written `__init__` never assigns a field without a default;
- assigning to or deleting a field outside construction.
"""

from __future__ import annotations

from mypy.errorcodes import ErrorCode
from mypy.expandtype import expand_type_by_instance
from mypy.maptype import map_instance_to_supertype
from mypy.nodes import CallExpr, IndexExpr, MemberExpr, MypyFile, RefExpr, SymbolNode, TypeInfo
from mypy.plugin import AttributeContext, FunctionContext
from mypy.types import Instance, ProperType, Type, get_proper_type

from ._construction_writes import FileWrites, file_writes, place
from ._metadata import AbstractKind, ClassRecord
from ._recognised_names import class_of, owner_of

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

MISSING_FIELD = ErrorCode(
    "equimod-missing-field",
    "Instantiating a Module whose hand-written __init__ leaves a field without a value",
    "equimod",
)
MSG_MISSING_FIELD = (
    'Cannot instantiate "{cls}": its __init__ (written in "{writer}") never assigns '
    "{fields}, which {verb} no default, so construction fails at run time. Assign "
    "{targets} in __init__, or give the field a default."
)

# For a generated __init__: an `init=False` field is left to __post_init__.
MSG_MISSING_POST_INIT_FIELD = (
    'Cannot instantiate "{cls}": {fields}, which {verb} no default and init=False, '
    "{is_set} by {post_init}, so construction fails at run time. Assign {targets} in "
    "__post_init__, or give the field a default."
)

NOT_A_FIELD = ErrorCode(
    "equimod-not-a-field",
    "Assigning an attribute of a Module that is not one of its fields",
    "equimod",
)
MSG_NOT_A_FIELD = (
    'Cannot assign "{name}" on "{cls}": it is not a field, and a Module takes '
    "assignments to its fields only, so this fails at run time. Declare it at class "
    'level ("{name}: SomeType") to make it a field.'
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
# For a field that `dataclasses.replace` cannot set (a hand-written __init__, or a
# field that is not an __init__ parameter).
MSG_FROZEN_NOT_REPLACEABLE = (
    'Cannot {action} field "{field}" of "{cls}": a Module is immutable once __init__ has '
    "returned. Make a modified copy with equimod.tree_at(lambda m: m.{field}, module, "
    "new_value)."
)


def unimplemented_abstract(info: TypeInfo) -> list[tuple[str, AbstractKind, str]]:
    """`(name, kind, declaring class)` for each abstract attribute `info` leaves open.

    As at run time, a definition anywhere in the MRO implements it, whatever
    the base order: a field or an annotated attribute, a method, a property, a
    class attribute, a `ClassVar` annotation (as Equinox counts it). An
    attribute that only a method assigns does not. An `AbstractVar` that
    redeclares an `AbstractClassVar` leaves it one.
    """
    declared: dict[str, tuple[AbstractKind, str]] = {}
    records = {base.fullname: ClassRecord.read(base) for base in info.mro}
    for base in reversed(info.mro):
        record = records[base.fullname]
        if record is not None:
            for name, kind in record.abstract.items():
                if kind == "AbstractVar" and declared.get(name, ("",))[0] == "AbstractClassVar":
                    continue
                declared[name] = (kind, base.name)
    missing = []
    for name, (kind, declarer) in declared.items():
        implemented = False
        for base in info.mro[:-1]:
            record = records[base.fullname]
            symbol = base.names.get(name)
            if symbol is None or symbol.implicit or (record and name in record.abstract):
                continue
            implemented = implemented or _implements(symbol.node)
        if not implemented:
            missing.append((name, kind, declarer))
    return missing


def _implements(node: SymbolNode | None) -> bool:
    return node is not None


def check_instantiation(ctx: FunctionContext) -> Type:
    """The function hook of a Module class: reported only where the class itself is called.

    A call through `type[X]`, `type[Self]` or `cls` may build any subclass, as
    mypy allows for abstract classes.
    """
    returned = get_proper_type(ctx.default_return_type)
    call = ctx.context
    if not isinstance(returned, Instance) or not isinstance(call, CallExpr):
        return ctx.default_return_type
    # The class itself, or a generic one given its type arguments (`Base[int]()`).
    callee = call.callee.base if isinstance(call.callee, IndexExpr) else call.callee
    if not isinstance(callee, RefExpr) or class_of(callee.node) is not returned.type:
        return ctx.default_return_type
    info = returned.type
    missing = unimplemented_abstract(info)
    if missing:
        items = ", ".join(
            f'"{name}" ({kind}, declared in "{declarer}")' for name, kind, declarer in missing
        )
        single = len(missing) == 1
        message = MSG_ABSTRACT.format(
            cls=info.name,
            items=("abstract attribute " if single else "abstract attributes ") + items,
            verb="is" if single else "are",
            them="it" if single else "them",
        )
        ctx.api.fail(message, ctx.context, code=ABSTRACT)
    record = ClassRecord.read(info)
    if record is not None and record.unassigned:
        _report_unassigned(ctx, info, record)
    return ctx.default_return_type


def _report_unassigned(ctx: FunctionContext, info: TypeInfo, record: ClassRecord) -> None:
    names = ", ".join(f'"{name}"' for name in record.unassigned)
    single = len(record.unassigned) == 1
    words = {
        "cls": info.name,
        "fields": ("field " if single else "fields ") + names,
        "verb": "has" if single else "have",
        "targets": ", ".join(f"self.{name}" for name in record.unassigned),
    }
    if record.init == "generated":
        message = MSG_MISSING_POST_INIT_FIELD.format(
            **words,
            is_set="is never set" if single else "are never set",
            post_init="its __post_init__" if info.get("__post_init__") else "anything",
        )
    else:
        init = info.get("__init__")
        writer = owner_of(init.node if init is not None else None) or info
        message = MSG_MISSING_FIELD.format(**words, writer=writer.name)
    ctx.api.fail(message, ctx.context, code=MISSING_FIELD)


class FieldWrites:
    """The attribute hook of a field: reads pass, writes only during construction."""

    def __init__(self) -> None:
        # Per file, replaced whenever mypy parses the file again (a new tree).
        self._by_path: dict[str, FileWrites] = {}

    def check(self, ctx: AttributeContext) -> Type:
        target = ctx.context
        tree = getattr(ctx.api, "tree", None)
        if not isinstance(target, MemberExpr) or not isinstance(tree, MypyFile):
            return ctx.default_attr_type
        writes = self._by_path.get(tree.path)
        # The daemon keeps a file's tree object and swaps its statements.
        if writes is None or writes.statements is not tree.defs:
            writes = self._by_path[tree.path] = file_writes(tree)
        where = place(target)
        is_delete = where in writes.deleted
        owner = get_proper_type(ctx.type)
        if where in writes.constructing and ctx.is_lvalue and not is_delete:
            converted = _converter_input(owner, target.name, ctx)
            return ctx.default_attr_type if converted is None else converted
        if not (ctx.is_lvalue or is_delete) or where in writes.constructing:
            return ctx.default_attr_type
        cls = owner.type.name if isinstance(owner, Instance) else "Module"
        replaceable = isinstance(owner, Instance) and _replace_can_set(owner.type, target.name)
        message = (MSG_FROZEN if replaceable else MSG_FROZEN_NOT_REPLACEABLE).format(
            action="delete" if is_delete else "assign to", field=target.name, cls=cls
        )
        ctx.api.fail(message, target, code=FROZEN)
        return ctx.default_attr_type


def _converter_input(owner: ProperType, name: str, ctx: AttributeContext) -> Type | None:
    """What a converter field takes while the object is built: its converter's input."""
    modules = getattr(ctx.api, "modules", None)  # the checker's; not in the interface
    if not isinstance(owner, Instance) or not isinstance(modules, dict):
        return None
    for base in owner.type.mro:
        record = ClassRecord.read(base)
        field = record.field(name, modules) if record is not None else None
        if field is None:
            continue
        if not field.converted:
            return None
        return expand_type_by_instance(field.init_type, map_instance_to_supertype(owner, base))
    return None


def _replace_can_set(info: TypeInfo, name: str) -> bool:
    """Whether `dataclasses.replace(instance, name=...)` works: a generated `__init__` takes it."""
    record = ClassRecord.read(info)
    if record is None or record.init != "generated":
        return False
    for base in info.mro:
        base_record = ClassRecord.read(base)
        if base_record is None:
            continue
        if name in base_record.replaced:
            return False
        takes = base_record.init_takes(name)
        if takes is not None:
            return takes
    return False
