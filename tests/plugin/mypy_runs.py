"""Running mypy with the equimod plugin on snippets, for the plugin's tests."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

CONFIG = "[mypy]\nplugins = equimod_mypy\nshow_error_codes = True\n"


def write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mypy.ini").write_text(CONFIG)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))


def mypy(folder: Path, cache: Path, *extra: str, files: tuple[str, ...] = (".",)) -> str:
    """mypy's report on `folder`, one line per message, without the summary."""
    # Absolute paths: mypy takes a cached module as fresh when its recorded path,
    # size and mtime (whole seconds) match, so two snippets sharing a cache, both
    # named `user.py`, of one size and written within a second, would share one
    # result. mypy still prints paths relative to the working directory.
    paths = [str(folder.resolve() / name) for name in files]
    command = [sys.executable, "-m", "mypy", "--cache-dir", str(cache)]
    command += ["--no-error-summary", "--show-traceback", *extra, *paths]
    # From inside the folder: from the checkout, mypy would read equimod's
    # sources instead of the installed stubs.
    done = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=900, check=False
    )
    return done.stdout + done.stderr


def check(folder: Path, cache: Path, text: str, name: str = "case.py") -> list[str]:
    """Write one snippet and return mypy's messages about it, without the file name."""
    write(folder, {name: text})
    output = mypy(folder, cache, files=(name,))
    assert "INTERNAL ERROR" not in output and "Traceback" not in output, output
    prefix = f"{name}:"
    return [line.removeprefix(prefix) for line in output.splitlines() if line.strip()]
