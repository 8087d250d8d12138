"""The stubs never drift from the runtime: mypy's stubtest, with a short commented allowlist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_stubtest_passes(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy.stubtest",
            "equimod",
            "--allowlist",
            str(ROOT / "stubs" / "stubtest-allowlist.txt"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # outside the checkout: the installed stubs, not the sources, are found
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_allowlist_entry_has_a_reason() -> None:
    lines = (ROOT / "stubs" / "stubtest-allowlist.txt").read_text().splitlines()
    previous = ""
    for line in lines:
        if line.strip() and not line.startswith("#"):
            assert previous.startswith("#"), f"allowlist entry {line!r} has no comment above it"
        previous = line
