"""The stubs never drift from the runtime: mypy's stubtest, with a short commented allowlist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


ALLOWLISTS = [ROOT / "stubs" / "stubtest-allowlist.txt"]
if sys.version_info >= (3, 13):
    ALLOWLISTS.append(ROOT / "stubs" / "stubtest-allowlist-py313.txt")


def test_stubtest_passes(tmp_path: Path) -> None:
    allowlists = [argument for path in ALLOWLISTS for argument in ("--allowlist", str(path))]
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "equimod", *allowlists],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # outside the checkout: the installed stubs, not the sources, are found
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_allowlist_entry_has_a_reason() -> None:
    for path in (ROOT / "stubs").glob("stubtest-allowlist*.txt"):
        previous = ""
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                assert previous.startswith("#"), f"{path.name}: entry {line!r} has no comment"
            previous = line
