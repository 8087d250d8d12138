"""Which fields a hand-written `__init__` certainly assigns.

The analysis is deliberately conservative: as soon as `self` escapes (a method
call, `setattr(self, ...)`, `super()`, `self` passed anywhere) or the body holds
a statement the walk cannot enter, the `__init__` counts as possibly assigning
every field. What cannot run in the call does not count: statements after a
`return` or `raise` of the same block, a bare annotation (`self.x: int`), and the
body of a function `__init__` defines but never refers to (one it calls or
passes on may assign anything).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from mypy.nodes import (
    AssignmentStmt,
    Block,
    ClassDef,
    Decorator,
    Expression,
    ForStmt,
    FuncDef,
    LambdaExpr,
    MemberExpr,
    NameExpr,
    OperatorAssignmentStmt,
    Statement,
    TempNode,
    WithStmt,
)
from mypy.traverser import all_name_and_member_expressions

from ._walk import is_name_in, member_targets, outside_definitions, passed_on, walk


def _runs_in_the_call(block: Block, called: set[str]) -> Iterator[Statement | None]:
    """The statements of `block` that may run while it runs, nested ones included;
    None marks one the walk cannot enter. A function defined here is entered only
    if its name is in `called`; nothing after a `return` or `raise` is reached."""

    def enters(statement: Statement) -> bool | None:
        if isinstance(statement, ClassDef):
            return None  # its methods may run, under names the walk does not follow
        function = statement.func if isinstance(statement, Decorator) else statement
        return not isinstance(function, FuncDef) or function.name in called

    return walk(block, enters, stops_at_exit=True)


def _bound_targets(statement: Statement) -> list[Expression | None]:
    """What a statement binds: assignment, `for` and `with` targets (not a bare
    annotation such as `self.x: int`, which binds nothing)."""
    if isinstance(statement, AssignmentStmt):
        bare = isinstance(statement.rvalue, TempNode) and statement.rvalue.no_rhs
        return [] if bare else list(statement.lvalues)
    if isinstance(statement, ForStmt):
        return [statement.index]
    if isinstance(statement, WithStmt):
        return list(statement.target)
    return []


def _receivers(method: FuncDef) -> set[str] | None:
    """The name a method calls its instance by; None for a static or class method."""
    if not method.arguments or method.is_static or method.is_class:
        return None
    return {method.arguments[0].variable.name}


def assigned_fields(init: FuncDef, fields: Iterable[str]) -> set[str] | None:
    """The fields `init` assigns through `self`, or None if it may assign any.

    `fields` are all field names: reading one of them through `self` is harmless,
    any other attribute of `self` may be a method or property that assigns.
    """
    receivers = _receivers(init)
    if receivers is None:
        return None
    # The collector takes an expression: wrap the body in one.
    names, members = all_name_and_member_expressions(LambdaExpr([], init.body))
    field_names = set(fields)
    if any(n.name == "super" for n in names):
        return None
    if passed_on(names, members, receivers):
        return None  # self passed on: setattr(self, ...), helper(self), ...
    if any(is_name_in(m.expr, receivers) and m.name not in field_names for m in members):
        return None  # self.method(...) or a property may assign anything
    # A name read anywhere in the body: a function of that name may be called.
    referred = {n.name for n in names if isinstance(n, NameExpr)}
    assigned: set[str] = set()
    for statement in _runs_in_the_call(init.body, referred):
        if statement is None:
            return None
        for target in _bound_targets(statement):
            if target is not None:
                assigned.update(
                    m.name for m in member_targets(target) if is_name_in(m.expr, receivers)
                )
    return assigned


def writes_to_non_fields(cls: ClassDef, fields: Iterable[str]) -> Iterator[MemberExpr]:
    """Each `self.name = ...` in the class's own methods where `name` is not a field.

    A Module takes assignments to its fields only, so each fails at run time. Only
    the methods' own statements are read: a nested function or class may name
    another object `self`.
    """
    allowed = set(fields)
    for statement in cls.defs.body:
        function = statement.func if isinstance(statement, Decorator) else statement
        if not isinstance(function, FuncDef):
            continue
        receivers = _receivers(function)
        if receivers is None:
            continue
        for inner in walk(function.body, outside_definitions):
            if inner is None:
                continue
            # `self.x += 1` writes too, though it binds nothing new.
            if isinstance(inner, OperatorAssignmentStmt):
                targets: list[Expression | None] = [inner.lvalue]
            else:
                targets = _bound_targets(inner)
            for target in targets:
                if target is None:
                    continue
                for member in member_targets(target):
                    if is_name_in(member.expr, receivers) and member.name not in allowed:
                        yield member
