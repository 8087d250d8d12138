"""What the equimod mypy plugin costs: mypy on a generated corpus, with and without it.

Writes the corpus of `corpus.write_corpus` (200 modules by default) into a
temporary folder, once per configuration, and times `python -m mypy .` there
(`--cache-dir` in the temporary folder) in four configurations:

- cold: a fresh cache (deleted before every run);
- warm: the cache of the cold run, after appending a trivial function to one
  module in the middle of the import DAG (one that other modules import);

each without the plugin (a mypy.ini of its own, `[mypy]` only) and with it
(`plugins = equimod_mypy`). Runs alternate between the configurations. Prints
every run's time and exit status (with the first lines of mypy's output when it
reports errors: the corpus is clean, so any error is a failure), then medians,
the ratio with/without the plugin for cold and warm, and whether it meets the
target (ratio <= 1.10). Exits with status 1 if any run reported errors.

    python benchmarks/mypy_overhead.py [--modules 200] [--repeat 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import write_corpus

TARGET = 1.10
CONFIGS = {
    "without plugin": "[mypy]\n",
    "with plugin": "[mypy]\nplugins = equimod_mypy\n",
}
KINDS = ("cold", "warm")
SHOWN_LINES = 5


def run_mypy(folder: Path, config: Path, cache: Path) -> tuple[float, int, str]:
    """Seconds, exit status and output of one mypy run on `folder`."""
    command = [sys.executable, "-m", "mypy", "--config-file", str(config)]
    command += ["--cache-dir", str(cache), "."]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done.returncode, done.stdout + done.stderr


def middle_module(paths: list[Path]) -> Path:
    """The module to edit: the median, by number, of the modules that others import."""
    imported: set[int] = set()
    for path in paths:
        imported.update(int(n) for n in re.findall(r"^import mod_(\d+)", path.read_text(), re.M))
    if not imported:
        return paths[len(paths) // 2]
    ordered = sorted(imported)
    return paths[ordered[len(ordered) // 2]]


def edit(path: Path, round_number: int) -> None:
    """Append a trivial new function to `path` (a new one each round)."""
    with path.open("a") as file:
        file.write(f"\n\ndef edited_{round_number}() -> int:\n    return {round_number}\n")


def report(label: str, kind: str, round_number: int, run: tuple[float, int, str]) -> bool:
    """Print one run; return whether it was clean (exit status 0)."""
    seconds, status, output = run
    clean = status == 0
    verdict = "clean" if clean else "ERRORS (failure)"
    print(
        f"  round {round_number + 1} {label:>14} {kind}: {seconds:6.2f}s  exit {status} {verdict}"
    )
    if not clean:
        for line in output.splitlines()[:SHOWN_LINES]:
            print(f"      {line}")
    return clean


def measure(modules: int, repeat: int, seed: int) -> tuple[dict[str, dict[str, list[float]]], bool]:
    """Times in seconds by configuration and kind, and whether every run was clean."""
    times: dict[str, dict[str, list[float]]] = {
        label: {kind: [] for kind in KINDS} for label in CONFIGS
    }
    all_clean = True
    with tempfile.TemporaryDirectory(prefix="mypy_overhead_") as scratch:
        root = Path(scratch)
        setups: dict[str, tuple[Path, Path, Path, Path]] = {}
        for number, (label, text) in enumerate(CONFIGS.items()):
            folder = root / f"corpus_{number}"
            paths = write_corpus(folder, modules, seed)
            config = root / f"mypy_{number}.ini"
            config.write_text(text)
            setups[label] = (folder, config, root / f"cache_{number}", middle_module(paths))
        edited = next(iter(setups.values()))[3].name
        print(f"corpus: {modules} modules (seed {seed}); warm runs edit {edited}")
        for round_number in range(repeat):
            for label, (folder, config, cache, middle) in setups.items():
                shutil.rmtree(cache, ignore_errors=True)
                cold = run_mypy(folder, config, cache)
                all_clean &= report(label, "cold", round_number, cold)
                edit(middle, round_number)
                warm = run_mypy(folder, config, cache)
                all_clean &= report(label, "warm", round_number, warm)
                times[label]["cold"].append(cold[0])
                times[label]["warm"].append(warm[0])
    return times, all_clean


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--modules", type=int, default=200, help="corpus size (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    options = parser.parse_args()
    times, all_clean = measure(options.modules, options.repeat, options.seed)
    print(f"\nmypy on {options.modules} generated modules, median of {options.repeat} run(s)")
    print(f"{'':6} {'without plugin':>14} {'with plugin':>12} {'ratio':>6}  target")
    for kind in KINDS:
        without = statistics.median(times["without plugin"][kind])
        with_plugin = statistics.median(times["with plugin"][kind])
        ratio = with_plugin / without
        met = "met" if ratio <= TARGET else "NOT met"
        print(f"{kind:6} {without:13.2f}s {with_plugin:11.2f}s {ratio:6.2f}  <= {TARGET}: {met}")
    if not all_clean:
        print("FAILURE: some mypy runs reported errors (see above)")
    return 0 if all_clean else 1


if __name__ == "__main__":
    sys.exit(main())
