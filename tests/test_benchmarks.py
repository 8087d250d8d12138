"""The benchmark script runs and prints its table (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_prints_every_row() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for row in (
        "class creation",
        "construct: generated __init__",
        "construct: custom __init__",
        "construct: wrapper of 50 Linears",
        "flatten: one Linear",
        "unflatten: 50-layer stack",
        "attribute read",
        "method read",
        "jax.jit dispatch: 50-layer stack",
        "filter_jit dispatch",
    ):
        assert f"| {row}" in out, f"row {row!r} missing from:\n{out}"
    assert out.count("\n| ") >= 12
