"""Walking statements without subclassing mypy's compiled visitors (they are traits),
and the small questions about names that the plugin's analyses of function bodies share."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from mypy.nodes import (
    AssertStmt,
    AssignmentStmt,
    Block,
    BreakStmt,
    ClassDef,
    ContinueStmt,
    Decorator,
    DelStmt,
    Expression,
    ExpressionStmt,
    ForStmt,
    FuncDef,
    GlobalDecl,
    IfStmt,
    Import,
    ImportAll,
    ImportFrom,
    ListExpr,
    MatchStmt,
    MemberExpr,
    NameExpr,
    NonlocalDecl,
    OperatorAssignmentStmt,
    OverloadedFuncDef,
    PassStmt,
    RaiseStmt,
    ReturnStmt,
    StarExpr,
    Statement,
    TryStmt,
    TupleExpr,
    WhileStmt,
    WithStmt,
)

_SIMPLE = (
    AssertStmt,
    AssignmentStmt,
    BreakStmt,
    ContinueStmt,
    DelStmt,
    ExpressionStmt,
    GlobalDecl,
    Import,
    ImportAll,
    ImportFrom,
    NonlocalDecl,
    OperatorAssignmentStmt,
    PassStmt,
    RaiseStmt,
    ReturnStmt,
)


def nested_blocks(statement: Statement) -> list[Block] | None:
    """The blocks directly inside a statement: [] for a simple one, None if unknown."""
    if isinstance(statement, _SIMPLE):
        return []
    if isinstance(statement, Block):
        return [statement]
    if isinstance(statement, IfStmt):
        return [*statement.body, *([statement.else_body] if statement.else_body else [])]
    if isinstance(statement, (ForStmt, WhileStmt)):
        return [statement.body, *([statement.else_body] if statement.else_body else [])]
    if isinstance(statement, WithStmt):
        return [statement.body]
    if isinstance(statement, TryStmt):
        optional = [statement.else_body, statement.finally_body]
        return [statement.body, *statement.handlers, *[b for b in optional if b]]
    if isinstance(statement, MatchStmt):
        return list(statement.bodies)
    if isinstance(statement, FuncDef):
        return [statement.body]
    if isinstance(statement, Decorator):
        return [statement.func.body]
    if isinstance(statement, OverloadedFuncDef):
        implementation = statement.impl
        decorated = [item for item in statement.items if isinstance(item, Decorator)]
        if isinstance(implementation, FuncDef):
            return [*(item.func.body for item in decorated), implementation.body]
        if isinstance(implementation, Decorator):
            decorated.append(implementation)
        return [item.func.body for item in decorated]
    if isinstance(statement, ClassDef):
        return [statement.defs]
    return None


_DEFINITIONS = (FuncDef, Decorator, OverloadedFuncDef, ClassDef)


def outside_definitions(statement: Statement) -> bool:
    """For `walk`: enter no function or class body."""
    return not isinstance(statement, _DEFINITIONS)


def walk(
    block: Block,
    enters: Callable[[Statement], bool | None] = lambda statement: True,
    *,
    stops_at_exit: bool = False,
) -> Iterator[Statement | None]:
    """Every statement in `block`, nested ones included; None marks one it cannot enter.

    `enters` says of each statement whether to walk its blocks too: True, False
    (skip them), or None (what they hold cannot be followed: marked None). With
    `stops_at_exit`, nothing after a `return` or `raise` of a block is reached.
    """
    for statement in block.body:
        yield statement
        if stops_at_exit and isinstance(statement, (ReturnStmt, RaiseStmt)):
            return
        decision = enters(statement)
        inner = nested_blocks(statement) if decision else None
        if decision is False:
            continue
        if inner is None:
            yield None
            continue
        for nested in inner:
            yield from walk(nested, enters, stops_at_exit=stops_at_exit)


def is_name_in(expr: Expression, names: set[str]) -> bool:
    return isinstance(expr, NameExpr) and expr.name in names


def member_targets(target: Expression) -> Iterator[MemberExpr]:
    """The `x.attr` targets of an assignment or `del` target, through tuples and lists."""
    if isinstance(target, MemberExpr):
        yield target
    elif isinstance(target, (TupleExpr, ListExpr)):
        for item in target.items:
            yield from member_targets(item)
    elif isinstance(target, StarExpr):
        yield from member_targets(target.expr)


def passed_on(names: list[NameExpr], members: list[MemberExpr], receivers: set[str]) -> bool:
    """Whether a receiver name is used other than as `receiver.attr` (`helper(self)`, ...)."""
    bases = {id(m.expr) for m in members if is_name_in(m.expr, receivers)}
    return any(is_name_in(n, receivers) and id(n) not in bases for n in names)


def annotated_names(cls: ClassDef) -> Iterator[tuple[AssignmentStmt, NameExpr]]:
    """Each `name: T` and `name: T = value` of a class body, with its target: the
    field declarations, less those the plugin has marked as no field."""
    for statement in cls.defs.body:
        if isinstance(statement, AssignmentStmt) and statement.new_syntax:
            target = statement.lvalues[0]
            if isinstance(target, NameExpr):
                yield statement, target
