"""The plugin never crashes mypy: over this repository and a generated corpus."""

from __future__ import annotations

import sys
from pathlib import Path

from mypy_runs import CONFIG, mypy

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "benchmarks"))
from corpus import write_corpus  # noqa: E402


def _no_internal_error(output: str) -> None:
    assert "INTERNAL ERROR" not in output and "Traceback" not in output, output


def test_every_python_file_of_the_repository(tmp_path: Path, mypy_cache: Path) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text(CONFIG)
    folders: dict[Path, list[str]] = {}
    for path in sorted(REPOSITORY.rglob("*.py")):
        if any(part.startswith(".") or part == "build" for part in path.parts):
            continue
        folders.setdefault(path.parent, []).append(str(path))
    assert len(folders) > 5
    # One run per folder: folders without __init__.py share module names (conftest).
    for folder, files in folders.items():
        output = mypy(tmp_path, mypy_cache, "--config-file", str(config), files=tuple(files))
        _no_internal_error(output)
        assert "error: Duplicate module" not in output, (folder, output)


def test_a_generated_corpus_is_clean_and_crash_free(tmp_path: Path, mypy_cache: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 300)
    (corpus / "mypy.ini").write_text(CONFIG)
    output = mypy(corpus, mypy_cache)
    _no_internal_error(output)
    assert output.strip() == "", output
