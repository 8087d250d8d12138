"""The plugin class: it only finds the hook for each name mypy asks about."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from mypy.nodes import Block, DelStmt, MemberExpr, MypyFile, TupleExpr, TypeInfo
from mypy.plugin import (
    AttributeContext,
    ClassDefContext,
    FunctionContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import Type

from ._checks import check_field_write, check_instantiation
from ._classdef import analyse_module_class
from ._names import is_module_subclass, metadata
from ._version import __version__
from ._walk import walk


class EquimodPlugin(Plugin):
    """Checks for `equimod.Module` that `dataclass_transform` stubs cannot express."""

    def __init__(self, options: Any) -> None:
        super().__init__(options)
        # `del module.field` reaches the attribute hook as a plain read, so the
        # places of `del` targets are collected when each file is parsed.
        self._deleted: set[tuple[str, int, int]] = set()

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        return {"equimod_mypy": __version__}

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        if not file.is_stub:
            self._deleted.update(_deleted_members(file))
        return []

    def get_base_class_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        info = self._module_class(fullname)
        return analyse_module_class if info is not None else None

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        info = self._module_class(fullname)
        if info is None or metadata(info) is None:
            return None
        return check_instantiation

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        owner, _, name = fullname.rpartition(".")
        info = self._module_class(owner)
        data = metadata(info) if info is not None else None
        if data is None or not any(field["name"] == name for field in data["fields"]):
            return None
        return partial(check_field_write, deleted=self._deleted)

    def _module_class(self, fullname: str) -> TypeInfo | None:
        symbol = self.lookup_fully_qualified(fullname)
        node = symbol.node if symbol is not None else None
        if isinstance(node, TypeInfo) and is_module_subclass(node):
            return node
        return None


def _deleted_members(file: MypyFile) -> list[tuple[str, int, int]]:
    found = []
    for statement in walk(Block(file.defs)):
        if isinstance(statement, DelStmt):
            targets = (
                statement.expr.items if isinstance(statement.expr, TupleExpr) else [statement.expr]
            )
            found += [(file.path, t.line, t.column) for t in targets if isinstance(t, MemberExpr)]
    return found
