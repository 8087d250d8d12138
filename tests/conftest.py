"""Session-wide reporting: the figures of the property-based tests."""

from __future__ import annotations

import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    module = sys.modules.get("test_properties")
    figures = getattr(module, "FIGURES", None)
    if not figures:
        return
    terminalreporter.section("property-based tests: what the examples covered")
    for name, count in sorted(figures.items()):
        terminalreporter.write_line(f"{count:6d}  {name}")
