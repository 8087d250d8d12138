"""Odd but legal Module code (tests/plugin/corpus): no crash and no error, cold, warm and
under the mypy daemon alike.

Each file of the corpus is one family: decorated and overloaded `__init__`s,
star and positional-only parameters, conditional and assigned `__init__`s,
postponed annotations and forward references, generic Modules, Modules under
`TYPE_CHECKING` and inside functions, an import cycle between modules that
subclass each other's Modules, dynamic bases and aliases of Module, converters
defined after the classes that use them, inherited fields replaced by a plain
value, writes made during construction outside `__init__`, abstract attributes
reached through `type[X]` and `cls` or implemented by a `ClassVar` in another
file, and `tree_at` over generic Modules, other files' Modules and types mypy
could not resolve.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from mypy_runs import CONFIG, mypy

CORPUS = Path(__file__).parent / "corpus"


def _no_crash(output: str) -> None:
    assert "INTERNAL ERROR" not in output and "Traceback" not in output, output


def test_the_corpus_checks_clean_cold_warm_and_under_the_daemon(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(CORPUS, project)
    (project / "mypy.ini").write_text(CONFIG)
    assert len(list(project.glob("*.py"))) >= 10

    cold = mypy(project, tmp_path / "cache")
    _no_crash(cold)
    assert cold.strip() == "", cold
    # Warm: everything from the cache, then again after one module changed.
    assert mypy(project, tmp_path / "cache") == cold
    (project / "dec_init.py").write_text((project / "dec_init.py").read_text() + "\n# edited\n")
    warm = mypy(project, tmp_path / "cache")
    _no_crash(warm)
    assert warm == cold

    status = tmp_path / "dmypy.json"
    daemon = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(status)]
    command = [*daemon, "run", "--", "--cache-dir", str(tmp_path / "daemon-cache"), "."]
    try:
        runs = []
        for edit in range(2):
            done = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=900)
            runs.append(done.stdout + done.stderr)
            path = project / "converters_local.py"
            path.write_text(path.read_text() + f"\n# edit {edit}\n")
    finally:
        subprocess.run([*daemon, "stop"], cwd=project, capture_output=True, timeout=120)
    for output in runs:
        _no_crash(output)
        assert "error:" not in output, output
