"""Names the plugin recognises, and the per-class metadata it keeps in mypy's cache."""

from __future__ import annotations

from typing import Any

from mypy.nodes import TypeInfo

# The names in the stubs, which checkers read for an installed equimod, and in
# the run-time sources, which mypy reads when run from a checkout of equimod.
MODULES = ("equimod.Module", "equimod._module._module.Module")
FIELDS = ("equimod.field", "equimod._module._field.field")
ABSTRACT_VARS = ("equimod.AbstractVar", "equimod._module._abstract.AbstractVar")
# The stubs declare AbstractClassVar as a re-export of typing.ClassVar, so a
# lookup lands on ClassVar and only the spelling tells the two apart.
ABSTRACT_CLASS_VAR_NAME = "AbstractClassVar"
KW_ONLY = "dataclasses.KW_ONLY"

# Stored in `TypeInfo.metadata`, so it survives incremental runs. Keys:
#   fields: own fields in declaration order, each {name, has_default, kw_only,
#           init, type (serialised __init__ parameter type)}
#   abstract: {name: "AbstractVar" | "AbstractClassVar"} declared by the class
#   user_init: whether the class is built by a hand-written __init__ (its own
#           or the nearest one it inherits), as at run time
#   own_init: "generated" | "inherited" | "user": what `__init__` in the class's
#           symbol table is
METADATA_KEY = "equimod"


def is_module_subclass(info: TypeInfo) -> bool:
    """True for `equimod.Module` itself and every class derived from it."""
    return any(base.fullname in MODULES for base in info.mro)


def metadata(info: TypeInfo) -> dict[str, Any] | None:
    """The plugin's metadata of a Module subclass, None until the plugin has seen it."""
    data = info.metadata.get(METADATA_KEY)
    return data if isinstance(data, dict) else None
