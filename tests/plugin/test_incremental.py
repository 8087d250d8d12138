"""The plugin's results do not depend on the cache or the daemon."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from mypy_runs import mypy, write

BASE = """
import dataclasses

import equimod
from equimod import AbstractVar

def to_int(value: str) -> int:
    return int(value)

class Base(equimod.Module):
    size: AbstractVar[int]
    count: int = equimod.field(converter=to_int, default="0")

class Hand(equimod.Module):
    n: int
    def __init__(self, n: int) -> None:
        self.n = n

class Posted(equimod.Module):
    x: int
    y: int = equimod.field(init=False)
    def __post_init__(self) -> None:
        self.y = self.x

class Sized:
    @property
    def width(self) -> int:
        return 1

class Converts(equimod.Module):
    count: int = equimod.field(converter=to_int)
    def __init__(self) -> None:
        self.count = "1"

class Standard(equimod.Module):
    n: int = dataclasses.field()
"""
# The edit: `size` is implemented in the base, the converter takes bytes,
# Hand's __init__ takes a string, and Posted's __post_init__ no longer sets `y`.
EDITED_BASE = (
    BASE.replace("size: AbstractVar[int]", "size: int = 1")
    .replace("value: str", "value: bytes")
    .replace("n: int) -> None:\n        self.n = n", "n: str) -> None:\n        self.n = len(n)")
    .replace("self.y = self.x", "pass")
)
USER = """
import equimod
from base import Base, Converts, Hand, Posted, Sized, Standard

class Shadows(equimod.Module, Sized):
    width: int  # the base's property, in another file

class ConvertsAgain(Converts):
    def __init__(self) -> None:
        self.count = "2"  # the converter's input, from another file

class Child(Base):
    pass

class HandChild(Hand):
    pass

class Caches(Hand):
    def __init__(self) -> None:
        self.n = 1  # a field of the base, in another file
        self.cache = 2

Child(count="3")
HandChild(3)
Posted(1)
Standard()
child = Child()
child.count = 2
"""


def _lines(output: str) -> list[str]:
    """The messages, without the daemon's chatter and the summary."""
    return sorted(line for line in output.splitlines() if re.match(r"\S+\.py:\d+: ", line))


def test_a_warm_run_after_editing_a_base_class_matches_a_cold_run(
    tmp_path: Path, mypy_cache: Path
) -> None:
    project = tmp_path / "project"
    write(project, {"base.py": BASE, "user.py": USER})
    cache = tmp_path / "cache"
    first = mypy(project, cache)
    assert "equimod-abstract" in first and "equimod-frozen" in first, first
    assert "equimod-missing-field" not in first, first
    assert first.count("equimod-not-a-field") == 1 and 'assign "cache"' in first, first
    assert first.count("equimod-definition") == 1 and 'Field "width"' in first, first
    assert 'Missing positional argument "n" in call to "Standard"' in first, first
    assert "[assignment]" not in first, first
    assert mypy(project, cache) == first  # nothing changed, all from the cache

    (project / "base.py").write_text(EDITED_BASE)
    warm = mypy(project, cache)
    cold = mypy(project, tmp_path / "cold-cache")
    assert _lines(warm) == _lines(cold)
    assert "equimod-abstract" not in cold and 'expected "bytes"' in cold, cold
    # Both converter fields written in an __init__ now take bytes, not strings.
    assert cold.count('(expression has type "str", variable has type "bytes")') == 2, cold
    assert 'Argument 1 to "HandChild" has incompatible type "int"; expected "str"' in cold
    assert 'Cannot instantiate "Posted"' in cold, cold


def test_the_daemon_reports_what_a_cold_run_reports(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project, {"base.py": BASE, "user.py": USER})
    status = tmp_path / "dmypy.json"
    daemon = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(status)]

    def run() -> str:
        command = [*daemon, "run", "--", "--cache-dir", str(tmp_path / "daemon-cache")]
        done = subprocess.run(
            [*command, "."], cwd=project, capture_output=True, text=True, timeout=900
        )
        return done.stdout + done.stderr

    try:
        before = run()
        cold_before = mypy(project, tmp_path / "cold-1")
        # Only the converter of a base in another file changes: the subclass's
        # calls are checked again.
        (project / "base.py").write_text(BASE.replace("value: str", "value: bytes"))
        converter = run()
        cold_converter = mypy(project, tmp_path / "cold-2")
        (project / "base.py").write_text(EDITED_BASE)
        after = run()
        cold_after = mypy(project, tmp_path / "cold-3")
        # A `del` is added, then removed again.
        (project / "user.py").write_text(USER + "del child.count\n")
        deleting = run()
        cold_deleting = mypy(project, tmp_path / "cold-4")
        (project / "user.py").write_text(USER)
        undeleted = run()
        # The files are back as they were for `cold_after`: a cold run would repeat it.
        cold_undeleted = cold_after
    finally:
        subprocess.run([*daemon, "stop"], cwd=project, capture_output=True, timeout=120)
    assert _lines(before) == _lines(cold_before)
    assert _lines(converter) == _lines(cold_converter)
    assert 'expected "bytes"' in converter, converter
    assert _lines(after) == _lines(cold_after)
    assert _lines(before) != _lines(after)
    assert 'Cannot instantiate "Posted"' in after and "Posted" not in before, after
    assert _lines(deleting) == _lines(cold_deleting)
    assert 'Cannot delete field "count"' in deleting, deleting
    assert _lines(undeleted) == _lines(cold_undeleted) == _lines(after)
