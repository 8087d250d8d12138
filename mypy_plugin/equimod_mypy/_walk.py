"""Walking statements without subclassing mypy's compiled visitors (they are traits)."""

from __future__ import annotations

from collections.abc import Iterator

from mypy.nodes import (
    AssertStmt,
    AssignmentStmt,
    Block,
    BreakStmt,
    ClassDef,
    ContinueStmt,
    Decorator,
    DelStmt,
    ExpressionStmt,
    ForStmt,
    FuncDef,
    GlobalDecl,
    IfStmt,
    Import,
    ImportAll,
    ImportFrom,
    MatchStmt,
    NonlocalDecl,
    OperatorAssignmentStmt,
    OverloadedFuncDef,
    PassStmt,
    RaiseStmt,
    ReturnStmt,
    Statement,
    TryStmt,
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


def walk(block: Block, into_definitions: bool = True) -> Iterator[Statement | None]:
    """Every statement in `block`, nested ones included; None marks one it cannot enter.

    With `into_definitions=False`, the bodies of functions and classes are not entered.
    """
    for statement in block.body:
        yield statement
        if not into_definitions and isinstance(statement, _DEFINITIONS):
            continue
        inner = nested_blocks(statement)
        if inner is None:
            yield None
            continue
        for nested in inner:
            yield from walk(nested, into_definitions)
