"""What the equimod mypy plugin costs: mypy on a generated codebase, with and without it.

Cold: a fresh cache. Warm: the cache of a full run, after editing one module in
the middle of the import tree. Prints medians and the ratio with/without the
plugin (target: within 10%, a ratio <= 1.10).

    python benchmarks/mypy_overhead.py [--modules 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import write_corpus

TARGET = 1.10
_CONFIGS = {
    "without plugin": "[mypy]\n",
    "with plugin": "[mypy]\nplugins = equimod_mypy\n",
}


def _mypy(folder: Path, config: Path, cache: Path) -> tuple[float, int, str]:
    command = [sys.executable, "-m", "mypy", "--config-file", str(config)]
    command += ["--cache-dir", str(cache), "."]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done.returncode, done.stdout + done.stderr


def _edit(path: Path, round_number: int) -> None:
    with path.open("a") as file:
        file.write(f"\n\ndef edited_{round_number}() -> int:\n    return {round_number}\n")


def measure(modules: int, repeat: int) -> dict[str, dict[str, list[float]]]:
    times: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for label, text in _CONFIGS.items():
            folder = root / label.replace(" ", "_")
            paths = write_corpus(folder, modules)
            config = root / f"{folder.name}.ini"
            config.write_text(text)
            cache = root / f"{folder.name}_cache"
            runs: dict[str, list[float]] = {"cold": [], "warm": []}
            for round_number in range(repeat):
                shutil.rmtree(cache, ignore_errors=True)
                seconds, status, output = _mypy(folder, config, cache)
                runs["cold"].append(seconds)
                _report_status(label, "cold", status, output)
                _edit(paths[len(paths) // 2], round_number)
                seconds, status, output = _mypy(folder, config, cache)
                runs["warm"].append(seconds)
                _report_status(label, "warm", status, output)
            times[label] = runs
    return times


def _report_status(label: str, kind: str, status: int, output: str) -> None:
    if status != 0:
        first = "\n    ".join(output.splitlines()[:3])
        print(f"  note: {label}, {kind}: mypy exit status {status}:\n    {first}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    times = measure(options.modules, options.repeat)
    print(f"mypy on {options.modules} generated modules, median of {options.repeat} runs")
    print(f"{'':8} {'without plugin':>15} {'with plugin':>12} {'ratio':>6}  target")
    for kind in ("cold", "warm"):
        without = statistics.median(times["without plugin"][kind])
        with_plugin = statistics.median(times["with plugin"][kind])
        ratio = with_plugin / without
        verdict = "ok" if ratio <= TARGET else "NO"
        print(f"{kind:8} {without:14.2f}s {with_plugin:11.2f}s {ratio:6.2f}  <= {TARGET} {verdict}")


if __name__ == "__main__":
    main()
