"""Every public name is in the four places CONTRIBUTING.md lists: here, that each
package's `__all__` and its stub's `__all__` agree (stubtest checks the signatures;
tests/test_docs.py the API entries and the docstrings)."""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType

import pytest

import equimod
import equimod.debug
import equimod.nn

STUBS = Path(__file__).resolve().parent.parent / "stubs" / "equimod-stubs"


def _stub_all(stub: Path) -> set[str]:
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
        (equimod.nn, STUBS / "nn" / "__init__.pyi"),
        (equimod.debug, STUBS / "debug" / "__init__.pyi"),
    ],
)
def test_each_public_name_has_a_stub(package: ModuleType, stub: Path) -> None:
    runtime = set(package.__all__)
    stubbed = _stub_all(stub)
    assert runtime - stubbed == set(), "public at run time, missing from the stub's __all__"
    assert stubbed - runtime == set(), "in the stub's __all__, not public at run time"
    assert all(hasattr(package, name) for name in runtime)
