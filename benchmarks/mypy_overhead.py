"""What the equimod mypy plugin costs: mypy on a generated corpus, with and without it.

Writes the corpus of `corpus.write_corpus` (200 modules by default) into a
temporary folder, once per configuration, and times mypy there (`--cache-dir`
in the temporary folder; run through `mypy.api`, as `python -m mypy .` would)
in four configurations:

- cold: a fresh cache (deleted before every run);
- warm: the cache of the cold run, after appending a trivial function to one
  module in the middle of the import DAG (one that other modules import), three
  times per round;

each without the plugin (a mypy.ini of its own, `[mypy]` only) and with it
(`timed_plugin.py`: the plugin, with the time spent in its hooks added up).
Runs alternate between the configurations. Prints every run's time and exit
status (with the first lines of mypy's output when it reports errors: the
corpus is clean, so any error is a failure), then medians, the ratio
with/without the plugin for cold and warm and whether it meets the target
(<= 1.10), and the share of the runs with the plugin spent inside it. On a
machine whose speed drifts between runs, that share is the steadier measure of
what the plugin itself costs; the ratio also counts any work the plugin makes
mypy do outside its hooks. Exits with status 1 if any run reported errors.

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
from typing import NamedTuple

from corpus import write_corpus

TARGET = 1.10
TIMED_PLUGIN = Path(__file__).resolve().parent / "timed_plugin.py"
CONFIGS = {
    "without plugin": "[mypy]\n",
    # The plugin as users load it, with the time spent in its hooks added up.
    "with plugin": f"[mypy]\nplugins = {TIMED_PLUGIN}\n",
}
KINDS = ("cold", "warm")
WARM_RUNS_PER_ROUND = 3
SHOWN_LINES = 5
# Runs mypy as `python -m mypy` does, then reports the time spent in the plugin:
# mypy's own entry point ends the process before anything could report it.
DRIVER = """
import os, sys
from mypy import api
out, err, status = api.run(sys.argv[1:])
sys.stdout.write(out + err)
timed = sys.modules.get("timed_plugin")
sys.stdout.write(f"plugin seconds: {timed.SPENT[0] if timed else 0.0}\\n")
sys.stdout.flush()
os._exit(status)
"""
PLUGIN_SECONDS = re.compile(r"^plugin seconds: (\S+)$", re.M)


class Run(NamedTuple):
    seconds: float
    plugin_seconds: float  # spent in the plugin's hooks
    status: int
    output: str


def run_mypy(folder: Path, config: Path, cache: Path) -> Run:
    """One mypy run on `folder`."""
    command = [sys.executable, "-c", DRIVER, "--config-file", str(config)]
    command += ["--cache-dir", str(cache), "."]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    output = done.stdout + done.stderr
    found = PLUGIN_SECONDS.search(output)
    plugin_seconds = float(found.group(1)) if found else float("nan")
    return Run(seconds, plugin_seconds, done.returncode, PLUGIN_SECONDS.sub("", output).strip())


def middle_module(paths: list[Path]) -> Path:
    """The module to edit: the median, by number, of the modules that others import."""
    imported: set[int] = set()
    for path in paths:
        imported.update(int(n) for n in re.findall(r"^import mod_(\d+)", path.read_text(), re.M))
    if not imported:
        return paths[len(paths) // 2]
    ordered = sorted(imported)
    return paths[ordered[len(ordered) // 2]]


def edit(path: Path, number: int) -> None:
    """Append a trivial new function to `path` (a new one each time)."""
    with path.open("a") as file:
        file.write(f"\n\ndef edited_{number}() -> int:\n    return {number}\n")


def report(label: str, kind: str, round_number: int, run: Run) -> bool:
    """Print one run; return whether it was clean (exit status 0)."""
    clean = run.status == 0
    verdict = "clean" if clean else "ERRORS (failure)"
    print(
        f"  round {round_number + 1} {label:>14} {kind}: {run.seconds:6.2f}s "
        f"(plugin {run.plugin_seconds:5.2f}s)  exit {run.status} {verdict}"
    )
    if not clean:
        for line in run.output.splitlines()[:SHOWN_LINES]:
            print(f"      {line}")
    return clean


def measure(modules: int, repeat: int, seed: int) -> tuple[dict[str, dict[str, list[Run]]], bool]:
    """Runs by configuration and kind, and whether every run was clean."""
    runs: dict[str, dict[str, list[Run]]] = {
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
                runs[label]["cold"].append(cold)
                # A warm run lasts about a second, where the machine's drift shows
                # most: several per round.
                for edit_number in range(WARM_RUNS_PER_ROUND):
                    edit(middle, round_number * WARM_RUNS_PER_ROUND + edit_number)
                    warm = run_mypy(folder, config, cache)
                    all_clean &= report(label, "warm", round_number, warm)
                    runs[label]["warm"].append(warm)
    return runs, all_clean


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--modules", type=int, default=200, help="corpus size (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    options = parser.parse_args()
    runs, all_clean = measure(options.modules, options.repeat, options.seed)
    print(
        f"\nmypy on {options.modules} generated modules, medians of {options.repeat} cold "
        f"and {options.repeat * WARM_RUNS_PER_ROUND} warm runs"
    )
    print(
        f"{'':6} {'without plugin':>14} {'with plugin':>12} {'ratio':>6}  {'in plugin':>9}  target"
    )
    for kind in KINDS:
        without, with_plugin = (
            statistics.median(run.seconds for run in runs[label][kind]) for label in CONFIGS
        )
        in_plugin = statistics.median(
            run.plugin_seconds / run.seconds for run in runs["with plugin"][kind]
        )
        ratio = with_plugin / without
        met = "met" if ratio <= TARGET else "NOT met"
        print(
            f"{kind:6} {without:13.2f}s {with_plugin:11.2f}s {ratio:6.2f}  {in_plugin:9.1%}  "
            f"<= {TARGET}: {met}"
        )
    if not all_clean:
        print("FAILURE: some mypy runs reported errors (see above)")
    return 0 if all_clean else 1


if __name__ == "__main__":
    sys.exit(main())
