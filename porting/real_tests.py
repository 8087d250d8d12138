"""Run a project's own tests twice: against Equinox, and with the import swapped to equimod.

    python porting/real_tests.py PACKAGE_DIR TEST_FILE [TEST_FILE ...] [--also DIR ...]

PACKAGE_DIR is the package folder of a source checkout written against
Equinox (for example the `lineax` folder of a lineax checkout); TEST_FILEs are
relative to the checkout. The package folder and the checkout's folders that
hold the test files (`tests/`, or diffrax's `test/`) are copied twice into a
temporary folder, once as written
and once with `equinox` swapped for `equimod` as `checkers_on_real_code.py` swaps it
(`equinox.internal` stays on Equinox, which equimod does not replace). Each
copy runs the given test files with pytest, each file in a process of its own
(XLA's CPU compiler fails every test after some thousands of compilations in one
process), and the script prints, per copy,
how many tests passed and failed, and the tests that pass under one and fail
under the other, with the last line of each failure.

The checkout's `pyproject.toml` is copied too, so the tests run under the
project's own pytest configuration (lineax and optimistix install jaxtyping's
import hook with beartype over their package, and optimistix turns every
warning into an error). The package's test dependencies must be installed
(`beartype`; optimistix's also `pytest-benchmark` and `diffrax`); the package itself is
given stand-in install metadata, since some packages read their own version
at import.

Exit status: 0 when tests ran under both and every test that passes under
Equinox passes under equimod.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _arguments import package_folder
from checkers_on_real_code import copy_package

_OUTCOME = re.compile(r"^(?P<test>\S+::\S+) (?P<outcome>PASSED|FAILED|ERROR)")
_FAILURE = re.compile(r"^(?:FAILED|ERROR) (?P<test>\S+::\S+?)(?: - (?P<reason>.*))?$")


def prepare(
    checkout: Path, package: str, tests: list[str], root: Path, swap: bool, also: list[Path]
) -> None:
    for source in [checkout / package, *also]:
        copy_package(source.resolve(), root / source.resolve().name, swap)
    for folder in sorted({Path(test).parts[0] for test in tests}):
        copy_package(checkout / folder, root / folder, swap)
    # The project's pytest configuration (its `addopts`, such as jaxtyping's import
    # hook, and its warning filters): the tests run as the project runs them.
    config = checkout / "pyproject.toml"
    if config.exists():
        shutil.copy(config, root / "pyproject.toml")
    for name in [package, *(source.resolve().name for source in also)]:
        metadata = root / f"{name}-0.0.0.dist-info"
        metadata.mkdir()
        (metadata / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.0.0\n")


def run_tests(
    root: Path,
    tests: list[str],
    environment: dict[str, str] | None = None,
    process_per_file: bool = False,
) -> tuple[dict[str, str], dict[str, str]]:
    """Each test's outcome, and the reason each failure gave.

    With `process_per_file`, each test file runs in a pytest process of its own:
    XLA's CPU compiler gives out after some thousands of compilations in one
    process ("INTERNAL: Failed to materialize symbols"), under Equinox as under
    equimod, and every later test then fails with it."""
    outcomes: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for files in [[test] for test in tests] if process_per_file else [tests]:
        command = [sys.executable, "-m", "pytest", "-rfE", "-v", "-p", "no:cacheprovider", *files]
        done = subprocess.run(
            command, cwd=root, capture_output=True, text=True, env=environment, check=False
        )
        found = 0
        for line in done.stdout.splitlines():
            if match := _OUTCOME.match(line):
                outcomes[match["test"]] = match["outcome"]
                found += 1
            elif match := _FAILURE.match(line):
                reasons[match["test"]] = match["reason"] or ""
        if not found:
            print(done.stdout[-3000:] + done.stderr[-3000:])
    return outcomes, reasons


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=package_folder)
    parser.add_argument("tests", nargs="+")
    parser.add_argument("--also", type=package_folder, action="append", default=[])
    arguments = parser.parse_args()
    checkout = arguments.package.resolve().parent
    package = arguments.package.resolve().name
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in ("equinox", "equimod"):
            root = Path(folder) / name
            prepare(checkout, package, arguments.tests, root, name == "equimod", arguments.also)
            results[name] = run_tests(root, arguments.tests, process_per_file=True)
    (before, _), (after, reasons) = results["equinox"], results["equimod"]
    print(f"# {package}: its tests under Equinox and under equimod\n")
    for name, (outcomes, _) in results.items():
        passed = sum(outcome == "PASSED" for outcome in outcomes.values())
        print(f"- {name}: {passed} of {len(outcomes)} passed")
    regressions = sorted(t for t, o in before.items() if o == "PASSED" and after.get(t) != "PASSED")
    fixed = sorted(t for t, o in after.items() if o == "PASSED" and before.get(t) != "PASSED")
    print(f"- pass under Equinox only ({len(regressions)}):")
    for test in regressions:
        print(f"    {test}: {reasons.get(test, after.get(test, 'not run'))}")
    print(f"- pass under equimod only ({len(fixed)}):")
    for test in fixed:
        print(f"    {test}")
    if not before or not after:
        print("- no test ran under one of them: see the output above")
        return 1
    return 1 if regressions else 0


if __name__ == "__main__":
    raise SystemExit(main())
