"""Whether a name spelled in an annotation is `equimod.AbstractClassVar`.

The stubs declare `AbstractClassVar` as a re-export of `typing.ClassVar` (the
only way every checker treats it as a class variable), so mypy resolves it to
`typing.ClassVar` and the distinction lives only in how the name was imported:
`from equimod import AbstractClassVar as ACV`, or a user's module re-exporting
it. This follows `from ... import ...` statements through the modules of the
build, reading the source of a module mypy has loaded from its cache (whose
statements it does not keep).
"""

from __future__ import annotations

import ast
import os
from functools import lru_cache

from mypy.nodes import ImportFrom, MypyFile

from ._recognised_names import ABSTRACT_CLASS_VAR_NAME

# Where the name is defined: a module whose `AbstractClassVar` is the real one.
_EQUIMOD_MODULES = ("equimod", "equimod._module._abstract")
# Where `ClassVar` itself comes from: no need to read their imports (from the
# cache that means parsing typing's stub, about 70 ms, on every warm run).
_TYPING_MODULES = ("typing", "typing_extensions")
_MAX_HOPS = 20


def is_abstract_class_var(spelled: str, module: str, modules: dict[str, MypyFile]) -> bool:
    """Whether `spelled` (as written in `module`, e.g. `ACV` or `lib.ACV`) is AbstractClassVar."""
    prefix, _, name = spelled.rpartition(".")
    if name == ABSTRACT_CLASS_VAR_NAME:
        return True
    if prefix:
        # `lib.ACV`: `lib` is a module (imported as itself or under an alias).
        target = _imported_module(prefix, module, modules)
        return target is not None and _names_abstract_class_var(target, name, modules, 0)
    return _names_abstract_class_var(module, name, modules, 0)


def _names_abstract_class_var(
    module: str, name: str, modules: dict[str, MypyFile], hops: int
) -> bool:
    if name == ABSTRACT_CLASS_VAR_NAME and module in _EQUIMOD_MODULES:
        return True
    if hops > _MAX_HOPS:
        return False  # an import cycle
    source = _imports_from(module, modules).get(name)
    if source is None:
        return False
    source_module, source_name = source
    if source_name == ABSTRACT_CLASS_VAR_NAME and source_module in _EQUIMOD_MODULES:
        return True
    if source_module in _TYPING_MODULES:
        return False
    return _names_abstract_class_var(source_module, source_name, modules, hops + 1)


def _imported_module(spelled: str, module: str, modules: dict[str, MypyFile]) -> str | None:
    if spelled in modules:
        return spelled
    file = modules.get(module)
    if file is None:
        return None
    symbol = file.names.get(spelled)
    node = symbol.node if symbol is not None else None
    return node.fullname if isinstance(node, MypyFile) else None


def _imports_from(module: str, modules: dict[str, MypyFile]) -> dict[str, tuple[str, str]]:
    """`{local name: (module, name)}` for the `from ... import ...` statements of a module."""
    file = modules.get(module)
    if file is None:
        return {}
    if file.imports:
        found = {}
        for statement in file.imports:
            if isinstance(statement, ImportFrom):
                package = file.is_package_init_file()
                source = _absolute(statement.id, statement.relative, module, package)
                for name, alias in statement.names:
                    found[alias or name] = (source, name)
        return found
    # Loaded from the cache: mypy keeps its symbols but not its statements.
    try:
        modified = os.stat(file.path).st_mtime_ns
    except OSError:
        return {}
    return dict(_imports_in_source(file.path, modified, module, file.is_package_init_file()))


def _absolute(target: str, level: int, module: str, is_package: bool) -> str:
    if level == 0:
        return target
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*parts, target] if target else parts)


@lru_cache(maxsize=1024)
def _imports_in_source(
    path: str, modified: int, module: str, is_package: bool
) -> tuple[tuple[str, tuple[str, str]], ...]:
    try:
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), path)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return ()
    found = []
    for statement in ast.walk(tree):
        if isinstance(statement, ast.ImportFrom):
            source = _absolute(statement.module or "", statement.level, module, is_package)
            found += [
                (alias.asname or alias.name, (source, alias.name)) for alias in statement.names
            ]
    return tuple(found)
