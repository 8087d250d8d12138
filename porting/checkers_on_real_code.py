"""Check a package written against Equinox twice, to measure what equimod changes.

    python porting/checkers_on_real_code.py PACKAGE_DIR [--also DIR ...] [--checker NAME ...]

PACKAGE_DIR is a source folder that imports Equinox (for example the `lineax`
folder of a lineax checkout). It is copied twice into a temporary folder: once
as written, checked with Equinox's own typing, and once with `equinox` swapped
for `equimod` (`import equinox as eqx`, `from equinox import ...`,
`equinox.nn`; `equinox.internal` stays on Equinox, which equimod does not
replace), checked with the `equimod_mypy` plugin on. `--also` names packages it
imports that need the same swap (optimistix imports lineax). Both copies are
checked by mypy, pyright, ty and pyrefly (or the `--checker`s named), and the script prints,
per checker and error code, the errors equimod adds and removes, the names
equimod does not have, and whether a checker crashed. Line numbers survive the
swap, so errors are matched by file, line and code (a message may name another
class of the same hierarchy and still be the same error).

Exit status: 0 when no checker crashed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from _arguments import package_folder

_SWAPS = [
    (re.compile(r"^(\s*)import equinox as (\w+)\s*$", re.M), r"\1import equimod as \2"),
    (re.compile(r"^(\s*)import equinox\s*$", re.M), r"\1import equimod as equinox"),
    (re.compile(r"^(\s*)from equinox import ", re.M), r"\1from equimod import "),
    (re.compile(r"^(\s*)import equinox\.nn as (\w+)\s*$", re.M), r"\1import equimod.nn as \2"),
    (re.compile(r"^(\s*)from equinox\.nn import ", re.M), r"\1from equimod.nn import "),
]
_MYPY_LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.*?)(?:  \[(?P<code>[\w-]+)\])?$"
)
# "Module has no attribute", as mypy and pyright word it, for a name equimod lacks.
_TY_LINE = re.compile(
    r"^(?P<file>[^:\s]+\.py):(?P<line>\d+):\d+: error\[(?P<code>[\w-]+)\] (?P<message>.*)$"
)
# "Module has no attribute", as each checker words it, for a name equimod lacks.
_MISSING_NAME = re.compile(
    r'(?:Module (?:"equimod(?:\.nn)?" )?has no attribute "(?P<a>\w+)"'
    r'|"(?P<b>\w+)" is not a known attribute of module "equimod(?:\.nn)?"'
    r'|"(?P<c>\w+)" is unknown import symbol'
    r"|Module `equimod(?:\.nn)?` has no member `(?P<d>\w+)`"
    r"|No attribute `(?P<e>\w+)` in module `equimod(?:\.nn)?`"
    r"|Could not import `(?P<f>\w+)` from `equimod(?:\.nn)?`)"
)


@dataclass(frozen=True)
class Error:
    file: str
    line: int
    code: str
    message: str = field(compare=False)


@dataclass
class Run:
    errors: set[Error]
    crashed: bool
    output: str


def swap_imports(text: str) -> str:
    for pattern, replacement in _SWAPS:
        text = pattern.sub(replacement, text)
    return text


def copy_package(source: Path, target: Path, swap: bool) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    if swap:
        for path in target.rglob("*.py"):
            path.write_text(swap_imports(path.read_text()))


def run_mypy(root: Path, package: str, plugin: bool) -> Run:
    config = root / "mypy.ini"
    config.write_text(
        "[mypy]\n"
        + ("plugins = equimod_mypy\n" if plugin else "")
        + "show_error_codes = True\nhide_error_context = True\n"
    )
    command = [sys.executable, "-m", "mypy", "--config-file", str(config)]
    command += ["--cache-dir", str(root / ".mypy_cache"), "--show-traceback", "--no-pretty"]
    command += ["--no-error-summary", "-p", package]
    environment = {**os.environ, "MYPYPATH": str(root)}
    done = subprocess.run(
        command, cwd=root, capture_output=True, text=True, env=environment, check=False
    )
    output = done.stdout + done.stderr
    errors = set()
    for line in output.splitlines():
        match = _MYPY_LINE.match(line)
        if match:
            errors.add(
                Error(
                    match["file"],
                    int(match["line"]),
                    match["code"] or "-",
                    match["message"].replace("equinox", "equimod"),
                )
            )
    return Run(errors, "INTERNAL ERROR" in output or "Traceback" in output, output)


def _run_for_json(
    root: Path, command: list[str], errors_of: Callable[[Any], Iterator[Error]]
) -> Run:
    """Run a checker that reports in JSON; a report that is not JSON is a crash."""
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return Run(set(), True, output)
    return Run(set(errors_of(report)), done.returncode not in (0, 1), output)


def _pyright_errors(report: Any) -> Iterator[Error]:
    for diagnostic in report.get("generalDiagnostics", []):
        if diagnostic.get("severity") == "error":
            message = diagnostic["message"].splitlines()[0].replace("equinox", "equimod")
            line = diagnostic["range"]["start"]["line"] + 1
            yield Error(diagnostic["file"], line, diagnostic.get("rule", "-"), message)


def _pyrefly_errors(report: Any) -> Iterator[Error]:
    for error in report["errors"]:
        if error["severity"] == "error":
            message = error["concise_description"].replace("equinox", "equimod")
            yield Error(error["path"], error["line"], error["name"], message)


def run_pyright(root: Path, package: str) -> Run:
    (root / "pyrightconfig.json").write_text(
        json.dumps({"include": [package], "extraPaths": ["."], "typeCheckingMode": "standard"})
    )
    command = [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable]
    run = _run_for_json(root, command, _pyright_errors)
    # pyright names files by absolute path: match them as the others do.
    run.errors = {replace(e, file=os.path.relpath(e.file, root)) for e in run.errors}
    return run


def run_ty(root: Path, package: str) -> Run:
    command = [str(Path(sys.executable).with_name("ty")), "check", "--python", sys.executable]
    command += ["--output-format", "concise", "--color", "never", package]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    errors = set()
    for match in map(_TY_LINE.match, done.stdout.splitlines()):
        if match:
            message = match["message"].replace("equinox", "equimod")
            errors.add(Error(match["file"], int(match["line"]), match["code"], message))
    return Run(errors, done.returncode not in (0, 1), done.stdout + done.stderr)


def run_pyrefly(root: Path, package: str) -> Run:
    (root / "pyrefly.toml").write_text(f'project-includes = ["{package}"]\nsearch-path = ["."]\n')
    command = [str(Path(sys.executable).with_name("pyrefly")), "check"]
    command += ["--python-interpreter-path", sys.executable, "--output-format", "json"]
    return _run_for_json(root, command, _pyrefly_errors)


def missing_name(error: Error) -> str | None:
    match = _MISSING_NAME.search(error.message)
    return next((group for group in match.groups() if group), None) if match else None


def compare(checker: str, before: Run, after: Run) -> bool:
    """Print what the swap changes; True if neither run crashed."""
    print(f"## {checker}")
    for label, run in (("Equinox", before), ("equimod", after)):
        state = "CRASHED" if run.crashed else "no crash"
        print(f"- {label}: {len(run.errors)} errors, {state}")
        if run.crashed:
            print("\n".join("    " + line for line in run.output.splitlines()[-20:]))
    added = after.errors - before.errors
    removed = before.errors - after.errors
    missing = sorted({name for error in added if (name := missing_name(error))})
    added = {error for error in added if missing_name(error) is None}
    print(f"- names equimod does not have yet ({len(missing)}): {', '.join(missing) or 'none'}")
    for label, errors in (("added by equimod", added), ("removed by equimod", removed)):
        counts = Counter(error.code for error in errors)
        summary = ", ".join(f"{code}: {n}" for code, n in counts.most_common()) or "none"
        print(f"- {label} ({len(errors)}): {summary}")
        for error in sorted(errors, key=lambda e: (e.file, e.line)):
            print(f"    {error.file}:{error.line}: [{error.code}] {error.message}")
    print()
    return not (before.crashed or after.crashed)


# Each checker, run on one copy: (root, package, whether it is equimod's copy).
_RUNS: dict[str, Callable[[Path, str, bool], Run]] = {
    "mypy": run_mypy,
    "pyright": lambda root, package, _: run_pyright(root, package),
    "ty": lambda root, package, _: run_ty(root, package),
    "pyrefly": lambda root, package, _: run_pyrefly(root, package),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=package_folder)
    parser.add_argument("--also", type=package_folder, action="append", default=[])
    parser.add_argument("--checker", choices=sorted(_RUNS), action="append")
    arguments = parser.parse_args()
    package = arguments.package.resolve().name
    with tempfile.TemporaryDirectory() as folder:
        roots = {"equinox": Path(folder) / "equinox", "equimod": Path(folder) / "equimod"}
        for name, root in roots.items():
            for source in [arguments.package, *arguments.also]:
                copy_package(source.resolve(), root / source.resolve().name, name == "equimod")
        print(f"# {package}: Equinox as written against equimod with the plugin\n")
        ok = True
        for checker in arguments.checker or _RUNS:
            run = _RUNS[checker]
            ok &= compare(
                checker, run(roots["equinox"], package, False), run(roots["equimod"], package, True)
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
