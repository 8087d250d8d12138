"""ty, pyrefly and pyright, run in the checkout as a contributor's editor runs them, read
the stubs.

In the checkout the runtime package sits at the project root, untyped; a
checker that took it for `equimod` would see every class as taking anything.
pyrefly and pyright did until pyproject.toml gave them the stubs' root (pyrefly's
search path, pyright's stub path).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typecheck_runner import python_tool

ROOT = Path(__file__).resolve().parent.parent

PROBE = """\
import equimod


class Point(equimod.Module):
    x: float


Point("a")
"""

COMMANDS = {
    "pyright": ["--pythonpath", sys.executable],
    "ty": ["check", "--python", sys.executable, "--output-format", "concise"],
    "pyrefly": [
        "check",
        "--python-interpreter-path",
        sys.executable,
        "--output-format",
        "min-text",
    ],
}


@pytest.mark.parametrize("checker", sorted(COMMANDS))
def test_a_checker_run_in_the_checkout_reads_the_stubs(checker: str) -> None:
    probe = ROOT / f"_stub_probe_{checker}_{os.getpid()}.py"
    probe.write_text(PROBE)
    try:
        done = subprocess.run(
            [python_tool(checker), *COMMANDS[checker], probe.name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        probe.unlink()
    output = done.stdout + done.stderr
    # The generated __init__ takes a float: only the stubs say so.
    assert f"{probe.name}:8:" in output, output
