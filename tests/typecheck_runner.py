"""Runs the typecheck_tests suite: mypy and pyright over expected-error case files.

Expected errors carry `# type: ignore[code]` (mypy) and `# pyright: ignore[rule]`
(pyright) on their line; both checkers are configured to fail on an unused
suppression, so a case passes exactly when every expected error happens and no
other does. `# divergence: NAME` tags tie checker differences to DIVERGENCES.md.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

CASES = Path(__file__).resolve().parent.parent / "typecheck_tests"

_MYPY_IGNORE = re.compile(r"#\s*type:\s*ignore\[[^\]]+\]")
_PYRIGHT_IGNORE = re.compile(r"#\s*pyright:\s*ignore\[[^\]]+\]")
_TAGS = re.compile(r"#\s*divergence:\s*([\w\-, ]+)")
_SECTION = re.compile(r"^##\s+([\w\-]+)\s*$", re.MULTILINE)


@dataclass
class Result:
    ok: bool
    output: str


def run_mypy(folder: Path, cache_dir: Path, *files: str, strict: bool = False) -> Result:
    command = [sys.executable, "-m", "mypy", "--config-file", str(folder / "mypy.ini")]
    command += ["--cache-dir", str(cache_dir)]
    if strict:
        command.append("--strict")
    command += list(files) or ["."]
    # Run from inside the folder: with the checkout as the working directory,
    # mypy would read equimod's sources instead of the installed stubs.
    done = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=900, check=False
    )
    return Result(done.returncode == 0, done.stdout + done.stderr)


def run_pyright(folder: Path) -> Result:
    command = [sys.executable, "-m", "pyright", "-p", str(folder / "pyrightconfig.json")]
    command += ["--pythonpath", sys.executable]
    done = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=900, check=False
    )
    return Result(done.returncode == 0, done.stdout + done.stderr)


def divergence_problems(folder: Path) -> list[str]:
    """Tags and DIVERGENCES.md must match, and one-sided expectations must be tagged."""
    sections = set(_SECTION.findall((folder / "DIVERGENCES.md").read_text()))
    used: set[str] = set()
    problems = []
    for path in sorted(folder.glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            where = f"{path.name}:{number}"
            tags = set()
            match = _TAGS.search(line)
            if match:
                tags = {t.strip() for t in match.group(1).split(",") if t.strip()}
            used |= tags
            for tag in tags - sections:
                problems.append(f"{where}: tag {tag!r} has no section in DIVERGENCES.md")
            one_sided = bool(_MYPY_IGNORE.search(line)) != bool(_PYRIGHT_IGNORE.search(line))
            if one_sided and not tags:
                problems.append(
                    f"{where}: only one checker expects an error here, but no divergence tag says why"
                )
    for section in sorted(sections - used):
        problems.append(f"DIVERGENCES.md: section {section!r} is used by no case line")
    return problems
