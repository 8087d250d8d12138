"""Run Equinox's own tests of its public API against equimod, through an `equinox` alias.

    python porting/equinox_tests.py EQUINOX_CHECKOUT [--equinox] [--hook] [-k EXPR] [FILE ...]

EQUINOX_CHECKOUT is a source checkout of Equinox (its `tests/` folder is
read; nothing of it enters this repository); Equinox itself is the installed
one (the dev extra pins it), since its tests are meant for it. Its test files about
the public API (FILEs, default: the 23 of `PUBLIC_API_FILES`) are copied into
a temporary folder beside a package named `equinox` that re-exports equimod:
`equinox`, `equinox.nn` and `equinox.debug` are equimod's, and
`equinox.internal` is Equinox's own (the installed package, loaded under
another name) with the names equimod also has (`AbstractVar`, `Enumeration`,
`error_if`, ...) taken from equimod, so that a test of `equinox.internal`'s
backward-compatible aliases tests equimod.

The tests run as Equinox runs them: its `conftest.py` (strict dtype promotion,
rank promotion raising, two CPU devices). `--hook` adds jaxtyping's import hook
with beartype over `equimod`, as Equinox's `pyproject.toml` does over
`equinox`. `--equinox` runs the same files against Equinox itself too, for
comparison.

It prints pass/fail per file, then every failure under equimod that is not a
deliberate difference listed in `equinox_differences.json` (test id -> reason),
and the listed differences that no longer fail.

Exit status: 0 when every failure is a listed difference and every listed
difference still fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from real_tests import run_tests

HERE = Path(__file__).resolve().parent
DIFFERENCES = HERE / "equinox_differences.json"
# Equinox's test files that are not about `equinox.internal`.
PUBLIC_API_FILES = (
    "test_abstract.py",
    "test_ad.py",
    "test_caches.py",
    "test_callback.py",
    "test_checkpoint.py",
    "test_debug.py",
    "test_enum.py",
    "test_errors.py",
    "test_eval_shape.py",
    "test_filters.py",
    "test_jit.py",
    "test_make_jaxpr.py",
    "test_module.py",
    "test_nn.py",
    "test_pformat.py",
    "test_pmap.py",
    "test_serialisation.py",
    "test_sharding.py",
    "test_shared.py",
    "test_stateful.py",
    "test_tree.py",
    "test_update.py",
    "test_vmap.py",
)
_HOOK = "beartype.beartype(conf=beartype.BeartypeConf(strategy=beartype.BeartypeStrategy.On))"

# The alias: `equinox` is equimod; `equinox.internal` is Equinox's own, loaded
# as `_equinox_original`, with equimod's object for each name equimod also has.
_ALIAS = '''\
"""`equinox`, played by equimod (written by porting/equinox_tests.py)."""
import sys
import types

import equimod
from equimod import *  # noqa: F403
from equimod import debug, nn

sys.modules["equinox.nn"] = nn
sys.modules["equinox.debug"] = debug

import _equinox_original.internal as _original_internal

internal = types.ModuleType("equinox.internal", _original_internal.__doc__)
internal.__dict__.update(vars(_original_internal))
for _name in list(vars(internal)):
    for _source in (equimod, debug):
        if not _name.startswith("_") and hasattr(_source, _name):
            setattr(internal, _name, getattr(_source, _name))
internal.debug_backward_nan = debug.backward_nan
sys.modules["equinox.internal"] = internal


def __getattr__(name):
    raise AttributeError(f"equimod has no public name {name!r} (Equinox has)")
'''


def prepare(checkout: Path, root: Path, files: list[str], alias: bool) -> None:
    """Equinox's test files in `root/tests`, and (alias) the `equinox` alias package."""
    tests = root / "tests"
    tests.mkdir(parents=True)
    for name in ("__init__.py", "conftest.py", "helpers.py", *files):
        shutil.copy(checkout / "tests" / name, tests / name)
    if alias:
        spec = importlib.util.find_spec("equinox")
        assert spec is not None and spec.origin is not None, "Equinox is not installed"
        source = Path(spec.origin).parent
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(source, root / "_equinox_original", ignore=ignore)
        (root / "equinox").mkdir()
        (root / "equinox" / "__init__.py").write_text(_ALIAS)


def run(
    checkout: Path, files: list[str], alias: bool, hook: bool, select: str | None
) -> tuple[dict[str, str], dict[str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        prepare(checkout, root, files, alias)
        arguments = [f"tests/{name}" for name in files]
        if hook:
            package = "equimod" if alias else "equinox"
            arguments.append(f"--jaxtyping-packages={package},{_HOOK}")
        if select:
            arguments += ["-k", select]
        environment = {**os.environ, "PYTHONPATH": str(root) if alias else ""}
        return run_tests(root, arguments, environment)


def per_file(outcomes: dict[str, str]) -> Counter[tuple[str, str]]:
    return Counter((test.split("::")[0], outcome) for test, outcome in outcomes.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path)
    parser.add_argument("files", nargs="*", default=list(PUBLIC_API_FILES))
    parser.add_argument("--equinox", action="store_true", help="run them on Equinox too")
    parser.add_argument("--hook", action="store_true", help="jaxtyping's import hook on")
    parser.add_argument("-k", dest="select", help="pytest's -k, passed on")
    arguments = parser.parse_args()
    checkout = arguments.checkout.resolve()
    # A file may be named as pytest prints it, `tests/test_ad.py`, or as `test_ad.py`.
    arguments.files = [name.removeprefix("tests/") for name in arguments.files]
    missing = [name for name in arguments.files if not (checkout / "tests" / name).is_file()]
    if missing:
        parser.error(
            f"no such test file in {checkout / 'tests'}: {', '.join(missing)} "
            "(EQUINOX_CHECKOUT is the root of an Equinox checkout; files are named as in its tests/)"
        )
    differences: dict[str, str] = json.loads(DIFFERENCES.read_text())
    names = ["equimod", *(["equinox"] if arguments.equinox else [])]
    results = {
        name: run(checkout, arguments.files, name == "equimod", arguments.hook, arguments.select)
        for name in names
    }
    outcomes, reasons = results["equimod"]
    counts = {name: per_file(result[0]) for name, result in results.items()}
    print("# Equinox's own tests: " + ", ".join(names) + "\n")
    print("| file | " + " | ".join(f"{name} passed" for name in names) + " |")
    print("|---|" + "---|" * len(names))
    for file in sorted({test.split("::")[0] for test in outcomes}):
        cells = []
        for name in names:
            passed = counts[name][(file, "PASSED")]
            total = sum(n for (f, _), n in counts[name].items() if f == file)
            cells.append(f"{passed} / {total}")
        print(f"| {file} | " + " | ".join(cells) + " |")
    for name in names:
        passed = sum(o == "PASSED" for o in results[name][0].values())
        print(f"\n{name}: {passed} of {len(results[name][0])} passed")
    failed = sorted(t for t, o in outcomes.items() if o != "PASSED")
    unlisted = [t for t in failed if t not in differences]
    print(f"\nfailures not in {DIFFERENCES.name} ({len(unlisted)}):")
    for test in unlisted:
        print(f"    {test}: {reasons.get(test, outcomes[test])[:300]}")
    mended = sorted(t for t in differences if outcomes.get(t) == "PASSED")
    print(f"\nlisted differences that now pass ({len(mended)}):")
    for test in mended:
        print(f"    {test}")
    if not outcomes:
        print("\nno test ran: see the output above")
        return 1
    return 1 if unlisted or mended else 0


if __name__ == "__main__":
    raise SystemExit(main())
