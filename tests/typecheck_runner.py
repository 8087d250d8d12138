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
from collections.abc import Callable, Iterable, Iterator
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

# (file name, line) -> {checker: codes}, where None means any code.
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


def python_tool(name: str) -> str:
    """A command installed beside this interpreter, in the same venv."""
    return str(Path(sys.executable).with_name(name))


def _mypy_command(folder: Path, cache_dir: Path, *files: str, strict: bool = False) -> list[str]:
    command = [sys.executable, "-m", "mypy", "--config-file", str(folder / "mypy.ini")]
    command += ["--cache-dir", str(cache_dir), "--no-pretty", "--show-error-codes"]
    if strict:
        command.append("--strict")
    return command + (list(files) or ["."])


def run_mypy(folder: Path, cache_dir: Path, *files: str, strict: bool = False) -> Result:
    command = _mypy_command(folder, cache_dir, *files, strict=strict)
    # Run from inside the folder: with the checkout as the working directory,
    # mypy would read equimod's sources instead of the installed stubs.
    done = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=900, check=False
    )
    return Result(done.returncode == 0, done.stdout + done.stderr)


def _names(text: str) -> set[str]:
    """The names of a comma-separated list, as in `[misc, assignment]` or a tag list."""
    return {name.strip() for name in text.split(",") if name.strip()}


# A checker's errors in its own report: (file, line, code) for each.
Parse = Callable[[str], Iterator[tuple[str, int, str]]]


def _reports(checker: str, command: list[str], folder: Path, parse: Parse) -> Run:
    """Run a checker's command in `folder` and gather its report by file and line."""
    done = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=900, check=False
    )
    run = Run(checker, {}, done.stdout + done.stderr)
    try:
        for file, line, code in parse(done.stdout):
            run.reports.setdefault((Path(file).name, line), set()).add(code)
    except (ValueError, KeyError):
        run.problems.append(f"{checker} gave no report the runner can read")
    return run


def _parse_lines(pattern: re.Pattern[str]) -> Parse:
    def parse(report: str) -> Iterator[tuple[str, int, str]]:
        for match in map(pattern.match, report.splitlines()):
            if match:
                yield match["file"], int(match["line"]), match["code"] or "misc"

    return parse


def _parse_pyright(report: str) -> Iterator[tuple[str, int, str]]:
    for diagnostic in json.loads(report)["generalDiagnostics"]:
        if diagnostic["severity"] in ("error", "warning"):
            line = diagnostic["range"]["start"]["line"] + 1
            yield diagnostic["file"], line, diagnostic.get("rule", "error")


def _parse_pyrefly(report: str) -> Iterator[tuple[str, int, str]]:
    for error in json.loads(report)["errors"]:
        if error["severity"] in ("error", "warn"):
            yield error["path"], error["line"], error["name"]


def _mypy(folder: Path, cache_dir: Path) -> Run:
    return _reports("mypy", _mypy_command(folder, cache_dir), folder, _parse_lines(_MYPY_LINE))


def _pyright(folder: Path, cache_dir: Path) -> Run:
    command = [sys.executable, "-m", "pyright", "-p", str(folder / "pyrightconfig.json")]
    command += ["--pythonpath", sys.executable, "--outputjson"]
    return _reports("pyright", command, folder, _parse_pyright)


def _ty(folder: Path, cache_dir: Path) -> Run:
    command = [python_tool("ty"), "check", "--python", sys.executable]
    command += ["--output-format", "concise", "--color", "never", "."]
    return _reports("ty", command, folder, _parse_lines(_TY_LINE))


def _pyrefly(folder: Path, cache_dir: Path) -> Run:
    command = [python_tool("pyrefly"), "check", "--python-interpreter-path", sys.executable]
    command += ["--output-format", "json", "--progress-bar", "no", "."]
    return _reports("pyrefly", command, folder, _parse_pyrefly)


RUNNERS: dict[str, Callable[[Path, Path], Run]] = {
    "mypy": _mypy,
    "pyright": _pyright,
    "ty": _ty,
    "pyrefly": _pyrefly,
}


# A user's project: each checker's defaults, `# type: ignore` obeyed, mypy with the plugin.
USER_CONFIGS = {
    "mypy.ini": "[mypy]\nplugins = equimod_mypy\nwarn_unused_ignores = True\n",
    "pyrightconfig.json": '{"typeCheckingMode": "standard"}',
    "pyrefly.toml": 'project-includes = ["."]',
}


def check_as_a_user(folder: Path, checker: str) -> Run:
    """Run `checker` on the Python files of `folder` as a user's project would."""
    for name, text in USER_CONFIGS.items():
        (folder / name).write_text(text)
    return RUNNERS[checker](folder, folder / ".mypy_cache")


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
            by_checker[checker] = _names(codes) or None
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


def check(folder: Path, cache_dir: Path, checker: str) -> tuple[list[str], str]:
    """Every way `checker` differs from the cases' expectations, and its output."""
    expected, problems = expectations(folder)
    run = RUNNERS[checker](folder, cache_dir)
    return problems + compare(expected, run), run.output


def known_divergences() -> set[str]:
    """The names of DIVERGENCES.md's sections: what a `# divergence:` tag may say."""
    return set(_SECTION.findall((CASES / "DIVERGENCES.md").read_text()))


def divergence_tags(line: str) -> set[str]:
    """The names a line's `# divergence: NAME, ...` tag gives."""
    match = _TAGS.search(line)
    return _names(match.group(1)) if match else set()


def divergence_problems(folder: Path) -> list[str]:
    """Tags and DIVERGENCES.md must match, and one-sided expectations must be tagged."""
    sections = set(_SECTION.findall((folder / "DIVERGENCES.md").read_text()))
    used: set[str] = set()
    problems = []
    for name, number, line in _case_lines(folder):
        where = f"{name}:{number}"
        tags = divergence_tags(line)
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
