"""The supported ranges are written once, in pyproject.toml; every other place that
states them (the test command's two ends, the plugin's mypy check, the README's
table) is checked against it here, and so is the version."""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

import equimod_mypy
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

import equimod

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
TEST_SCRIPT = (ROOT / "scripts" / "test.sh").read_text()
README = (ROOT / "README.md").read_text()


def _specifier(name: str, extra: str | None = None) -> SpecifierSet:
    requirements = PROJECT["optional-dependencies"][extra] if extra else PROJECT["dependencies"]
    for line in requirements:
        requirement = Requirement(line)
        if requirement.name == name:
            return requirement.specifier
    raise AssertionError(f"pyproject.toml declares no {name} in {extra or 'dependencies'}")


def _bound(specifier: SpecifierSet, operator: str) -> Version:
    (spec,) = [s for s in specifier if s.operator == operator]
    return Version(spec.version)


def _script_variable(name: str) -> str:
    match = re.search(rf"^{name}=\"?([^\"\n]*)\"?$", TEST_SCRIPT, re.MULTILINE)
    assert match, f"scripts/test.sh sets no {name}"
    return match.group(1)


def _oldest_pin(name: str) -> Version:
    pins = dict(pin.split("==") for pin in _script_variable("OLDEST_PINS").split())
    return Version(pins[name])


def _readme_row(label: str) -> tuple[str, str]:
    match = re.search(rf"^\| {re.escape(label)} \| ([^|]+) \| ([^|]+) \|$", README, re.MULTILINE)
    assert match, f"the README's versions table has no row {label!r}"
    return match.group(1).strip(), match.group(2).strip()


def _newest_below(upper: Version) -> str:
    """How the README names the newest release below an exclusive upper bound `<X.Y`."""
    return f"{upper.major}.{upper.minor - 1}"


def test_the_version_is_the_distributions() -> None:
    assert equimod.__version__ == importlib.metadata.version("equimod")
    assert equimod_mypy.__version__ == equimod.__version__


def test_python_range() -> None:
    specifier = SpecifierSet(PROJECT["requires-python"])
    oldest, newest = _script_variable("OLDEST_PYTHON"), _script_variable("NEWEST_PYTHON")
    assert _bound(specifier, ">=") == Version(oldest)
    assert _newest_below(_bound(specifier, "<")) == newest
    assert _readme_row("Python") == (oldest, newest)


def test_jax_range() -> None:
    for name in ("jax", "jaxlib"):
        specifier = _specifier(name)
        assert _oldest_pin(name) == _bound(specifier, ">=")
        oldest, newest = _readme_row("jax, jaxlib")
        assert oldest == str(_bound(specifier, ">="))
        assert newest.startswith(_newest_below(_bound(specifier, "<")) + ".x")


def test_mypy_range() -> None:
    specifier = _specifier("mypy", "mypy")
    assert _specifier("mypy", "dev") == specifier
    low, high = equimod_mypy.SUPPORTED_MYPY
    assert Version(".".join(map(str, low))) == _bound(specifier, ">=") == _oldest_pin("mypy")
    assert ".".join(map(str, high)) == _newest_below(_bound(specifier, "<"))
    assert _readme_row("mypy (for the plugin)") == (
        ".".join(map(str, low)),
        ".".join(map(str, high)),
    )


def test_orbax_range() -> None:
    specifier = _specifier("orbax-checkpoint", "distributed")
    oldest, _ = _readme_row("orbax-checkpoint (optional, `equimod[distributed]`)")
    assert oldest.startswith(str(_bound(specifier, ">=")))
    assert _oldest_pin("orbax-checkpoint") in SpecifierSet(f">={_bound(specifier, '>=')}")
