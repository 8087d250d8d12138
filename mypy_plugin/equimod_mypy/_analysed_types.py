"""Whether mypy has finished analysing a type: the plugin stores and compares only
types that are (converter inputs, declared field types, `tree_at` arguments)."""

from __future__ import annotations

from mypy.type_visitor import TypeQuery
from mypy.types import Type


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

    def _unanalysed(self, t: Type, /) -> bool:
        return True

    visit_unbound_type = visit_type_list = visit_callable_argument = _unanalysed
    visit_raw_expression_type = visit_ellipsis_type = visit_placeholder_type = _unanalysed
