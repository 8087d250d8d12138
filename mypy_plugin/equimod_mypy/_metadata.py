"""What the plugin records about each Module subclass, kept in `TypeInfo.metadata`.

mypy writes `TypeInfo.metadata` into its cache, so these records must be plain
JSON once serialised; a class loaded from the cache is read back with
`ClassRecord.read`. The classes below are the only place that knows the layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from mypy.fixup import TypeFixer
from mypy.nodes import MypyFile, TypeInfo
from mypy.types import Type, deserialize_type

METADATA_KEY = "equimod"
# Bumped whenever the layout changes. It is part of `report_config_data`, so
# mypy discards a cache written with another layout; `read` also refuses one.
LAYOUT = 4

InitKind = Literal["written", "inherited", "generated", "unknown"]
AbstractKind = Literal["AbstractVar", "AbstractClassVar"]


@dataclass
class FieldRecord:
    """A field (or an `InitVar`) that the class itself declares."""

    name: str
    has_default: bool
    kw_only: bool
    init: bool
    # The `__init__` parameter's type: the converter's input type for a converter field.
    init_type: Type
    # An `InitVar`: an `__init__` parameter, not an attribute.
    init_only: bool = False
    # A converter field: during construction it takes `init_type` too, as the
    # converter runs once `__init__` has returned.
    converted: bool = False

    def serialize(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "has_default": self.has_default,
            "kw_only": self.kw_only,
            "init": self.init,
            "init_type": self.init_type.serialize(),
            "init_only": self.init_only,
            "converted": self.converted,
        }

    @classmethod
    def deserialize(cls, data: dict[str, Any], modules: dict[str, MypyFile]) -> FieldRecord:
        init_type = deserialize_type(data["init_type"])
        # Links the type's classes to the build's (what mypy's own plugins do).
        init_type.accept(TypeFixer(modules, allow_missing=False))
        return cls(
            name=data["name"],
            has_default=data["has_default"],
            kw_only=data["kw_only"],
            init=data["init"],
            init_type=init_type,
            init_only=data["init_only"],
            converted=data["converted"],
        )


@dataclass
class ClassRecord:
    """The plugin's facts about one Module subclass."""

    # Own fields, in declaration order, with their types still serialised: they
    # are deserialised (`fields`) only where a subclass needs them.
    serialized_fields: list[dict[str, Any]]
    # Abstract attributes the class itself declares.
    abstract: dict[str, AbstractKind]
    # What builds the class: its own hand-written `__init__`, one it inherits,
    # one the plugin generated from the fields, or one the plugin cannot read.
    init: InitKind
    # The fields without a default that construction certainly never assigns:
    # those a hand-written `__init__` (own or inherited) leaves, or for a
    # generated one the `init=False` fields its `__post_init__` leaves. Empty
    # when unsure.
    unassigned: list[str] = field(default_factory=list)
    # For an own hand-written `__init__`: the fields it certainly assigns, or
    # None when it may assign anything (it calls a method, `super()`, ...).
    assigns: list[str] | None = None
    # Inherited fields the class body replaces by a plain attribute (a value
    # without annotation, a method or a property): at run time they are no
    # longer fields of this class or its subclasses.
    replaced: list[str] = field(default_factory=list)

    @property
    def field_names(self) -> set[str]:
        """Names of the attributes this class declares as fields (not `InitVar`s)."""
        return _field_names(self.serialized_fields)

    def fields(self, modules: dict[str, MypyFile]) -> list[FieldRecord]:
        return [FieldRecord.deserialize(data, modules) for data in self.serialized_fields]

    def field(self, name: str, modules: dict[str, MypyFile]) -> FieldRecord | None:
        """The field (or `InitVar`) `name` the class declares, None if it declares none."""
        data = next((d for d in self.serialized_fields if d["name"] == name), None)
        return None if data is None else FieldRecord.deserialize(data, modules)

    def init_takes(self, name: str) -> bool | None:
        """Whether a generated `__init__` takes the attribute `name` this class declares
        as a field; None if the class declares no field or `InitVar` of that name.
        (Read without deserialising the field's type.)"""
        for data in self.serialized_fields:
            if data["name"] == name:
                return bool(data["init"]) and not data["init_only"]
        return None

    def write(self, info: TypeInfo) -> None:
        info.metadata[METADATA_KEY] = {
            "layout": LAYOUT,
            "fields": self.serialized_fields,
            "abstract": dict(self.abstract),
            "init": self.init,
            "unassigned": list(self.unassigned),
            "assigns": None if self.assigns is None else list(self.assigns),
            "replaced": list(self.replaced),
        }

    @classmethod
    def read(cls, info: TypeInfo) -> ClassRecord | None:
        """The record of a Module subclass, None until the plugin has analysed it."""
        data = _stored(info)
        if data is None:
            return None
        return cls(
            serialized_fields=data["fields"],
            abstract=data["abstract"],
            init=data["init"],
            unassigned=data["unassigned"],
            assigns=data["assigns"],
            replaced=data["replaced"],
        )


# mypy asks the plugin about every call and attribute: these two answer from the
# stored data without building a record.


def has_record(info: TypeInfo) -> bool:
    """Whether the plugin has analysed `info` (a Module subclass), as `read` would say."""
    return _stored(info) is not None


def declares_field(info: TypeInfo, name: str) -> bool:
    """Whether `info` has a record that declares the field `name` (as `field_names`)."""
    data = _stored(info)
    return data is not None and name in _field_names(data["fields"])


def _stored(info: TypeInfo) -> dict[str, Any] | None:
    data = info.metadata.get(METADATA_KEY)
    if not isinstance(data, dict) or data.get("layout") != LAYOUT:
        return None
    return data


def _field_names(serialized_fields: list[dict[str, Any]]) -> set[str]:
    return {data["name"] for data in serialized_fields if not data["init_only"]}
