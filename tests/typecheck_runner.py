"""Runs the typecheck_tests suite: four checkers over expected-error case files.

A line that some checker must report carries one comment naming the checkers:

    ByField("3")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly

A name alone expects at least one error from that checker on the line; a name
with codes expects exactly those codes. A case passes exactly when, under each
checker, every expected error happens and no other does: an unexpected error
fails, and so does an expectation that no longer happens. The runner reads
each checker's own report, so no checker's suppression comments are involved.
ty's and pyrefly's rule names are left out of the cases: both are pre-1.0 and
rename rules between releases, where mypy's codes (the plugin's among them)
and pyright's rules are stable.

A line whose expectation leaves a checker out must say why with
`# divergence: NAME`, a section of DIVERGENCES.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

CASES = Path(__file__).resolve().parent.parent / "typecheck_tests"
CHECKERS = ("mypy", "pyright", "ty", "pyrefly")

_EXPECTATION = re.compile(r"#\s*error:\s*((?:\w+(?:\[[^\]]*\])?\s*)+)")
_CHECKER = re.compile(r"(\w+)(?:\[([^\]]*)\])?")
_TAGS = re.compile(r"#\s*divergence:\s*([\w\-, ]+)")
_SECTION = re.compile(r"^##\s+([\w\-]+)\s*$", re.MULTILINE)
_MYPY_LINE = re.compile(
    r"^(?P<file>[^:\s]+\.py):(?P<line>\d+): error: .*?(?:  \[(?P<code>[\w-]+)\])?$"
)
_TY_LINE = re.compile(
    r"^(?P<file>[^:\s]+\.py):(?P<line>\d+):\d+: (?:error|warning)\[(?P<code>[\w-]+)\]"
)

# (file name, line) -> {checker: codes}; for an expectation, None means any code.
Reports = dict[tuple[str, int], dict[str, set[str]]]
Expectations = dict[tuple[str, int], dict[str, "set[str] | None"]]


@dataclass
class Result:
    ok: bool
    output: str


@dataclass
class Run:
    """One checker's run: what it reported, and its raw output for failures."""

    checker: str
    reports: dict[tuple[str, int], set[str]]
    output: str
    problems: list[str] = field(default_factory=list)


def _python_tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def run_mypy(folder: Path, cache_dir: Path, *files: str, strict: bool = False) -> Result:
    command = [sys.executable, "-m", "mypy", "--config-file", str(folder / "mypy.ini")]
    command += ["--cache-dir", str(cache_dir), "--no-pretty", "--show-error-codes"]
    if strict:
        command.append("--strict")
    command += list(files) or ["."]
    # Run from inside the folder: with the checkout as the working directory,
    # mypy would read equimod's sources instead of the installed stubs.
    done = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=900, check=False
    )
    return Result(done.returncode == 0, done.stdout + done.stderr)


def _run(command: list[str], folder: Path) -> tuple[str, str]:
    """The command's report (its standard output) and everything it printed."""
    done = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=900, check=False
    )
    return done.stdout, done.stdout + done.stderr


def _add(reports: dict[tuple[str, int], set[str]], file: str, line: int, code: str) -> None:
    reports.setdefault((Path(file).name, line), set()).add(code)


def mypy_reports(folder: Path, cache_dir: Path) -> Run:
    output = run_mypy(folder, cache_dir).output
    reports: dict[tuple[str, int], set[str]] = {}
    for match in map(_MYPY_LINE.match, output.splitlines()):
        if match:
            _add(reports, match["file"], int(match["line"]), match["code"] or "misc")
    return Run("mypy", reports, output)


def pyright_reports(folder: Path) -> Run:
    command = [sys.executable, "-m", "pyright", "-p", str(folder / "pyrightconfig.json")]
    command += ["--pythonpath", sys.executable, "--outputjson"]
    report, output = _run(command, folder)
    reports: dict[tuple[str, int], set[str]] = {}
    try:
        diagnostics = json.loads(report)["generalDiagnostics"]
    except (ValueError, KeyError):
        return Run("pyright", reports, output, ["pyright gave no JSON report"])
    for diagnostic in diagnostics:
        if diagnostic["severity"] in ("error", "warning"):
            line = diagnostic["range"]["start"]["line"] + 1
            _add(reports, diagnostic["file"], line, diagnostic.get("rule", "error"))
    return Run("pyright", reports, output)


def ty_reports(folder: Path) -> Run:
    command = [_python_tool("ty"), "check", "--python", sys.executable]
    command += ["--output-format", "concise", "--color", "never", "."]
    report, output = _run(command, folder)
    reports: dict[tuple[str, int], set[str]] = {}
    for match in map(_TY_LINE.match, report.splitlines()):
        if match:
            _add(reports, match["file"], int(match["line"]), match["code"])
    return Run("ty", reports, output)


def pyrefly_reports(folder: Path) -> Run:
    command = [_python_tool("pyrefly"), "check", "--python-interpreter-path", sys.executable]
    command += ["--output-format", "json", "--progress-bar", "no", "."]
    report, output = _run(command, folder)
    reports: dict[tuple[str, int], set[str]] = {}
    try:
        errors = json.loads(report)["errors"]
    except (ValueError, KeyError):
        return Run("pyrefly", reports, output, ["pyrefly gave no JSON report"])
    for error in errors:
        if error["severity"] in ("error", "warn"):
            _add(reports, error["path"], error["line"], error["name"])
    return Run("pyrefly", reports, output)


RUNNERS: dict[str, Callable[[Path, Path], Run]] = {
    "mypy": mypy_reports,
    "pyright": lambda folder, _: pyright_reports(folder),
    "ty": lambda folder, _: ty_reports(folder),
    "pyrefly": lambda folder, _: pyrefly_reports(folder),
}


def _case_lines(folder: Path) -> Iterable[tuple[str, int, str]]:
    for path in sorted(folder.glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            yield path.name, number, line


def expectations(folder: Path) -> tuple[Expectations, list[str]]:
    """Each line's expected errors, and what is wrong with how they are written."""
    expected: Expectations = {}
    problems = []
    for name, number, line in _case_lines(folder):
        match = _EXPECTATION.search(line)
        if not match:
            continue
        by_checker: dict[str, set[str] | None] = {}
        for checker, codes in _CHECKER.findall(match.group(1)):
            if checker not in CHECKERS:
                problems.append(f"{name}:{number}: {checker!r} is not one of {CHECKERS}")
                continue
            by_checker[checker] = {c.strip() for c in codes.split(",") if c.strip()} or None
        expected[(name, number)] = by_checker
    return expected, problems


def compare(expected: Expectations, run: Run) -> list[str]:
    """Every way `run` differs from what the cases expect of its checker."""
    problems = list(run.problems)
    for where in sorted(set(expected) | set(run.reports)):
        wanted = expected.get(where, {})
        got = run.reports.get(where, set())
        at = f"{where[0]}:{where[1]}: {run.checker}"
        if run.checker not in wanted:
            if got:
                problems.append(f"{at}: unexpected error {sorted(got)}")
            continue
        codes = wanted[run.checker]
        if not got:
            problems.append(
                f"{at}: expected an error{f' {sorted(codes)}' if codes else ''}, none reported"
            )
        elif codes is not None and codes != got:
            problems.append(f"{at}: expected {sorted(codes)}, reported {sorted(got)}")
    return problems


def check(folder: Path, cache_dir: Path, checkers: Iterable[str] = CHECKERS) -> list[str]:
    """Run the checkers over `folder`; every difference from the cases' expectations."""
    expected, problems = expectations(folder)
    for checker in checkers:
        problems += compare(expected, RUNNERS[checker](folder, cache_dir))
    return problems


def divergence_problems(folder: Path) -> list[str]:
    """Tags and DIVERGENCES.md must match, and one-sided expectations must be tagged."""
    sections = set(_SECTION.findall((folder / "DIVERGENCES.md").read_text()))
    used: set[str] = set()
    problems = []
    for name, number, line in _case_lines(folder):
        where = f"{name}:{number}"
        tags = set()
        match = _TAGS.search(line)
        if match:
            tags = {t.strip() for t in match.group(1).split(",") if t.strip()}
        used |= tags
        for tag in tags - sections:
            problems.append(f"{where}: tag {tag!r} has no section in DIVERGENCES.md")
        expected = _EXPECTATION.search(line)
        named = {c for c, _ in _CHECKER.findall(expected.group(1))} if expected else set()
        if named and named != set(CHECKERS) and not tags:
            missing = ", ".join(c for c in CHECKERS if c not in named)
            problems.append(
                f"{where}: no error expected from {missing} here, but no divergence tag says why"
            )
    for section in sorted(sections - used):
        problems.append(f"DIVERGENCES.md: section {section!r} is used by no case line")
    return problems
