"""Which fields a hand-written `__init__` certainly assigns.

The analysis is deliberately conservative: as soon as `self` escapes (a method
call, `setattr(self, ...)`, `super()`, `self` passed anywhere) or the body holds
a statement the walk cannot enter, the `__init__` counts as possibly assigning
every field.
"""

from __future__ import annotations

from collections.abc import Iterable

from mypy.nodes import (
    AssignmentStmt,
    Expression,
    ForStmt,
    FuncDef,
    LambdaExpr,
    ListExpr,
    MemberExpr,
    NameExpr,
    StarExpr,
    TupleExpr,
    WithStmt,
)
from mypy.traverser import all_name_and_member_expressions

from ._walk import walk


def assigned_fields(init: FuncDef, fields: Iterable[str]) -> set[str] | None:
    """The fields `init` assigns through `self`, or None if it may assign any.

    `fields` are all field names: reading one of them through `self` is harmless,
    any other attribute of `self` may be a method or property that assigns.
    """
    if not init.arguments or init.is_static or init.is_class:
        return None
    self_name = init.arguments[0].variable.name
    # The collector takes an expression: wrap the body in one.
    names, members = all_name_and_member_expressions(LambdaExpr([], init.body))
    field_names = set(fields)
    through_self = {id(m.expr) for m in members if _is_name(m.expr, self_name)}
    if any(n.name == "super" for n in names):
        return None
    if any(_is_name(n, self_name) and id(n) not in through_self for n in names):
        return None  # self passed on: setattr(self, ...), helper(self), ...
    if any(_is_name(m.expr, self_name) and m.name not in field_names for m in members):
        return None  # self.method(...) or a property may assign anything
    assigned: set[str] = set()
    for statement in walk(init.body):
        if statement is None:
            return None
        if isinstance(statement, AssignmentStmt):
            for target in statement.lvalues:
                _collect(target, self_name, assigned)
        elif isinstance(statement, ForStmt):
            _collect(statement.index, self_name, assigned)
        elif isinstance(statement, WithStmt):
            for with_target in statement.target:
                if with_target is not None:
                    _collect(with_target, self_name, assigned)
    return assigned


def _is_name(expr: Expression, name: str) -> bool:
    return isinstance(expr, NameExpr) and expr.name == name


def _collect(target: Expression, self_name: str, assigned: set[str]) -> None:
    if isinstance(target, MemberExpr) and _is_name(target.expr, self_name):
        assigned.add(target.name)
    elif isinstance(target, (TupleExpr, ListExpr)):
        for item in target.items:
            _collect(item, self_name, assigned)
    elif isinstance(target, StarExpr):
        _collect(target.expr, self_name, assigned)
