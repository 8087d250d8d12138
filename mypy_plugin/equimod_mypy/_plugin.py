"""The plugin class: it only finds the hook for each name mypy asks about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mypy.nodes import TypeInfo
from mypy.plugin import (
    AttributeContext,
    ClassDefContext,
    FunctionContext,
    FunctionSigContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import FunctionLike, Type

from ._checks import FieldWrites, check_instantiation
from ._classdef import analyse_module_class
from ._converters import field_signature
from ._metadata import LAYOUT, declares_field, has_record
from ._overload_keeping import SIGNATURE_KEEPING, keep_overloads
from ._recognised_names import FIELDS, class_of, is_module_subclass
from ._tree_at import TREE_AT, tree_at_signature, tree_at_type
from ._version import __version__


class EquimodPlugin(Plugin):
    """Checks for `equimod.Module` that `dataclass_transform` stubs cannot express."""

    def __init__(self, options: Any) -> None:
        super().__init__(options)
        self._field_writes = FieldWrites()

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        return {"equimod_mypy": __version__, "metadata_layout": LAYOUT}

    def get_base_class_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        return analyse_module_class if self._module_class(fullname) is not None else None

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        if fullname in SIGNATURE_KEEPING:
            return keep_overloads
        if fullname == TREE_AT:
            return tree_at_type
        info = self._class(fullname)
        return check_instantiation if info is not None and has_record(info) else None

    def get_function_signature_hook(
        self, fullname: str
    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        if fullname == TREE_AT:
            return tree_at_signature
        return field_signature if fullname in FIELDS else None

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        # mypy names the attribute after the class that declares it.
        owner, _, name = fullname.rpartition(".")
        info = self._class(owner)
        if info is None or not declares_field(info, name):
            return None
        return self._field_writes.check

    def _module_class(self, fullname: str) -> TypeInfo | None:
        info = self._class(fullname)
        return info if info is not None and is_module_subclass(info) else None

    def _class(self, fullname: str) -> TypeInfo | None:
        symbol = self.lookup_fully_qualified(fullname)
        return class_of(symbol.node) if symbol is not None else None
