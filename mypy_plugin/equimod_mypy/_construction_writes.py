"""Which writes to an attribute happen while the object is being constructed.

At run time a Module accepts assignments and deletions of its fields while its
own `__init__` runs, whatever function makes them: `__init__` itself, a helper
method it calls (`self._finish()`), a function it passes `self` to, a
function assigned as `__init__` in the class body, a nested function, or an
alias (`me = self; me.x = 1`). The plugin may only report a write it is sure
the run time rejects, so it first finds, in each file, every function that the
initialisers of its classes can reach with the object under construction, and
the writes made there through it. Everything here is read from the syntax of
one file, so the answer depends only on that file: it is the same whether its
neighbours come from mypy's cache or not. A helper that only a class in
*another* file calls from its `__init__` is not seen (documented).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from mypy.nodes import (
    ARG_STAR,
    AssignmentStmt,
    Block,
    ClassDef,
    Decorator,
    DelStmt,
    Expression,
    ForStmt,
    FuncDef,
    IndexExpr,
    LambdaExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    OperatorAssignmentStmt,
    OverloadedFuncDef,
    ReturnStmt,
    Statement,
    WithStmt,
)
from mypy.traverser import all_name_and_member_expressions

from ._walk import is_name_in, member_targets, outside_definitions, passed_on, walk

# The methods that run while the object is under construction.
INITIALISERS = ("__init__", "__post_init__")
# A function reached with the object at an unknown position: any parameter may be it.
_ANY_POSITION = -1


# Where an `x.attr` expression stands in its file. Not the node itself: mypy checks
# copies of the functions of a class generic over a value-restricted TypeVar.
Place = tuple[int, int, int | None, int | None]


def place(member: MemberExpr) -> Place:
    return (member.line, member.column, member.end_line, member.end_column)


@dataclass
class FileWrites:
    """Attribute writes and deletions of one file, by place."""

    # The file's statements: the record is valid while the file holds these.
    statements: list[Statement]
    # `x.attr` targets of `del`.
    deleted: set[Place] = field(default_factory=set)
    # Targets (assigned or deleted) written through an object under construction.
    constructing: set[Place] = field(default_factory=set)


def file_writes(tree: MypyFile) -> FileWrites:
    """Find the deletions and the writes made during construction in a file."""
    statements = [s for s in walk(Block(tree.defs)) if s is not None]
    found = FileWrites(tree.defs)
    for statement in statements:
        if isinstance(statement, DelStmt):
            found.deleted.update(place(target) for target in member_targets(statement.expr))

    functions: dict[str, list[FuncDef]] = {}
    for function in _functions(statements):
        functions.setdefault(function.name, []).append(function)
    pending: list[tuple[FuncDef, int]] = []
    for cls in (s for s in statements if isinstance(s, ClassDef)):
        for name, function in _class_functions(cls, functions):
            if name in INITIALISERS:
                pending.append((function, 0))
    seen: set[tuple[int, int]] = set()
    while pending:
        function, position = pending.pop()
        if (id(function), position) in seen:
            continue
        seen.add((id(function), position))
        pending += _construction_writes(function, position, functions, found.constructing)
    return found


def _functions(statements: Iterable[Statement | None]) -> Iterator[FuncDef]:
    for statement in statements:
        if isinstance(statement, FuncDef):
            yield statement
        elif isinstance(statement, Decorator):
            yield statement.func
        elif isinstance(statement, OverloadedFuncDef):
            parts = [*statement.items, *([statement.impl] if statement.impl else [])]
            yield from (p.func if isinstance(p, Decorator) else p for p in parts)


def _class_functions(
    cls: ClassDef, functions: dict[str, list[FuncDef]]
) -> Iterator[tuple[str, FuncDef]]:
    """The methods a class body defines, and the functions it assigns to a name."""
    body = list(walk(cls.defs, outside_definitions))
    for function in _functions(body):
        yield function.name, function
    for assignment in body:
        if isinstance(assignment, AssignmentStmt) and isinstance(assignment.rvalue, NameExpr):
            for target in assignment.lvalues:
                if isinstance(target, NameExpr):
                    for function in functions.get(assignment.rvalue.name, []):
                        yield target.name, function


def _construction_writes(
    function: FuncDef,
    position: int,
    functions: dict[str, list[FuncDef]],
    constructing: set[Place],
) -> list[tuple[FuncDef, int]]:
    """Record the writes through the object in `function`; return what it passes it on to."""
    receivers, packed = _receiving_parameters(function, position)
    if not receivers:
        return []
    kept_for_later = {
        id(inner) for nested in _kept_for_later(function.body) for inner in walk(nested.body)
    }
    statements = [s for s in walk(function.body) if s is not None and id(s) not in kept_for_later]
    assignments = [s for s in statements if isinstance(s, AssignmentStmt)]
    grown = True
    while grown:  # aliases, and aliases of aliases
        before = len(receivers)
        for assignment in assignments:
            rvalue = assignment.rvalue
            if isinstance(rvalue, IndexExpr) and packed:
                rvalue = rvalue.base  # `self = args[0]`
            if is_name_in(rvalue, receivers):
                receivers.update(t.name for t in assignment.lvalues if isinstance(t, NameExpr))
        grown = len(receivers) > before

    for target in _write_targets(statements):
        for member in member_targets(target):
            if is_name_in(member.expr, receivers):
                constructing.add(place(member))

    # The collector takes an expression: wrap the body in one.
    names, members = all_name_and_member_expressions(LambdaExpr([], function.body))
    through_object = [m for m in members if is_name_in(m.expr, receivers)]
    # `self.helper(...)`, or a property or method reached through the object.
    reached = [(method, 0) for m in through_object for method in functions.get(m.name, [])]
    if passed_on(names, members, receivers):
        # The object is passed on (`helper(self)`, `Base.setup(self)`): any function
        # this one names may receive it, at any position.
        named = {n.name for n in names} | {m.name for m in members}
        reached += [(f, _ANY_POSITION) for name in named for f in functions.get(name, [])]
    return reached


def _kept_for_later(body: Block) -> list[FuncDef]:
    """The functions defined in `body` that it only stores on an object or returns
    (`self.callback = later`): if they ever run, construction is over by then."""
    statements = [s for s in walk(body) if s is not None]
    defined = list(_functions(statements))
    if not defined:
        return []
    names, _ = all_name_and_member_expressions(LambdaExpr([], body))
    used = Counter(name.name for name in names)
    kept: Counter[str] = Counter()
    for statement in statements:
        if isinstance(statement, ReturnStmt) and isinstance(statement.expr, NameExpr):
            kept[statement.expr.name] += 1
        elif (
            isinstance(statement, AssignmentStmt)
            and isinstance(statement.rvalue, NameExpr)
            and all(isinstance(target, MemberExpr) for target in statement.lvalues)
        ):
            kept[statement.rvalue.name] += 1
    return [f for f in defined if used[f.name] and used[f.name] == kept[f.name]]


def _receiving_parameters(function: FuncDef, position: int) -> tuple[set[str], bool]:
    """The parameter that receives the object at `position`, and whether it is a
    `*args` that holds it as an item (`def __init__(*args)`)."""
    arguments = function.arguments
    if position == _ANY_POSITION:
        return {argument.variable.name for argument in arguments}, True
    for index, argument in enumerate(arguments):
        if argument.kind == ARG_STAR:
            return {argument.variable.name}, True
        if index == position:
            return ({argument.variable.name} if argument.kind.is_positional() else set()), False
    return set(), False


def _write_targets(statements: Iterable[Statement]) -> Iterator[Expression]:
    for statement in statements:
        if isinstance(statement, AssignmentStmt):
            yield from statement.lvalues
        elif isinstance(statement, OperatorAssignmentStmt):
            yield statement.lvalue
        elif isinstance(statement, ForStmt):
            yield statement.index
        elif isinstance(statement, WithStmt):
            yield from (target for target in statement.target if target is not None)
        elif isinstance(statement, DelStmt):
            yield statement.expr
