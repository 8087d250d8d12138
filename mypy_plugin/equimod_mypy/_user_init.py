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
    WithStmt,
)
from mypy.traverser import all_name_and_member_expressions

from ._walk import is_name_in, member_targets, passed_on, walk


def assigned_fields(init: FuncDef, fields: Iterable[str]) -> set[str] | None:
    """The fields `init` assigns through `self`, or None if it may assign any.

    `fields` are all field names: reading one of them through `self` is harmless,
    any other attribute of `self` may be a method or property that assigns.
    """
    if not init.arguments or init.is_static or init.is_class:
        return None
    receivers = {init.arguments[0].variable.name}
    # The collector takes an expression: wrap the body in one.
    names, members = all_name_and_member_expressions(LambdaExpr([], init.body))
    field_names = set(fields)
    if any(n.name == "super" for n in names):
        return None
    if passed_on(names, members, receivers):
        return None  # self passed on: setattr(self, ...), helper(self), ...
    if any(is_name_in(m.expr, receivers) and m.name not in field_names for m in members):
        return None  # self.method(...) or a property may assign anything
    assigned: set[str] = set()
    for statement in walk(init.body):
        if statement is None:
            return None
        targets: list[Expression | None] = []
        if isinstance(statement, AssignmentStmt):
            targets = list(statement.lvalues)
        elif isinstance(statement, ForStmt):
            targets = [statement.index]
        elif isinstance(statement, WithStmt):
            targets = list(statement.target)
        for target in targets:
            if target is not None:
                assigned.update(
                    m.name for m in member_targets(target) if is_name_in(m.expr, receivers)
                )
    return assigned
