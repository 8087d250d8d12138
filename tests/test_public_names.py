"""Every public name is in the places CONTRIBUTING.md lists: here, that each
package's `__all__` at run time and the `__all__` checkers read (the stub's, or for
`equimod.nn`, which has none, its own source's) agree (stubtest checks the stubs'
signatures; tests/test_docs.py the API entries and the docstrings)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from types import ModuleType

import pytest

import equimod
import equimod.debug
import equimod.nn

ROOT = Path(__file__).resolve().parent.parent
STUBS = ROOT / "stubs" / "equimod-stubs"


def _declared_all(stub: Path) -> set[str]:
    for node in ast.parse(stub.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    raise AssertionError(f"{stub} has no __all__")


@pytest.mark.parametrize(
    ("package", "stub"),
    [
        (equimod, STUBS / "__init__.pyi"),
        (equimod.nn, ROOT / "equimod" / "nn" / "__init__.py"),
        (equimod.debug, STUBS / "debug" / "__init__.pyi"),
    ],
)
def test_each_public_name_is_declared_where_checkers_read_it(
    package: ModuleType, stub: Path
) -> None:
    runtime = {name for name in dir(package) if not name.startswith("_")}
    declared = _declared_all(stub)
    assert runtime - declared == set(), f"public at run time, missing from {stub.name}'s __all__"
    assert declared - runtime == set(), f"in {stub.name}'s __all__, not public at run time"
    assert set(package.__all__) == declared


def _declares_init_false(cls: type) -> bool:
    statement = ast.parse(inspect.getsource(cls)).body[0]
    assert isinstance(statement, ast.ClassDef)
    return any(
        k.arg == "init" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in statement.keywords
    )


def test_every_layer_that_inherits_a_hand_written_init_declares_init_false() -> None:
    # Checkers read `equimod.nn`'s source, and for a Module subclass with no
    # `__init__` of its own, pyright, ty and pyrefly synthesise one from the fields
    # where the run time takes the nearest hand-written one, unless the class
    # statement says `init=False`.
    inheriting = [
        name
        for name in equimod.nn.__all__
        if isinstance(layer := getattr(equimod.nn, name), type)
        and issubclass(layer, equimod.Module)
        and "__init__" not in vars(layer)
        and layer._equimod_info.user_init
    ]
    assert "Conv2d" in inheriting
    assert [
        name for name in inheriting if not _declares_init_false(getattr(equimod.nn, name))
    ] == []
