"""Whether mypy has finished analysing a type: the plugin stores and compares only
types that are (converter inputs, declared field types, `tree_at` arguments)."""

from __future__ import annotations

from mypy.type_visitor import TypeQuery
from mypy.types import (
    CallableArgument,
    EllipsisType,
    PlaceholderType,
    RawExpressionType,
    Type,
    TypeList,
    UnboundType,
)


def is_analysed(type_: Type) -> bool:
    """Whether mypy has finished analysing a type, so that it can be used and cached.

    A function's signature is only replaced by its analysed form once every name
    in it is known; until then it holds unbound names and the syntax-only types
    (`[int]` in `Callable[[int], int]`, `...`, string literals) that cannot be
    serialised.
    """
    return not type_.accept(_HasUnanalysedParts())


class _HasUnanalysedParts(TypeQuery[bool]):
    # Not mypy's BoolTypeQuery: a compiled mypy only lets TypeQuery be subclassed here.
    def strategy(self, items: list[bool]) -> bool:
        return any(items)

    def visit_unbound_type(self, t: UnboundType, /) -> bool:
        return True

    def visit_type_list(self, t: TypeList, /) -> bool:
        return True

    def visit_callable_argument(self, t: CallableArgument, /) -> bool:
        return True

    def visit_raw_expression_type(self, t: RawExpressionType, /) -> bool:
        return True

    def visit_ellipsis_type(self, t: EllipsisType, /) -> bool:
        return True

    def visit_placeholder_type(self, t: PlaceholderType, /) -> bool:
        return True
