"""The typecheck_tests suite under mypy and pyright, and tests of its runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typecheck_runner import CASES, divergence_problems, run_mypy, run_pyright


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


def test_cases_under_mypy(cache_dir: Path) -> None:
    result = run_mypy(CASES, cache_dir)
    assert result.ok, result.output


def test_cases_under_pyright() -> None:
    result = run_pyright(CASES)
    assert result.ok, result.output


def test_readme_code_is_clean_under_mypy_strict(cache_dir: Path) -> None:
    # pyright strict is asked for by the file's own `# pyright: strict` comment.
    result = run_mypy(CASES, cache_dir, "readme_tour.py", strict=True)
    assert result.ok, result.output


def test_divergence_tags_match_the_divergence_list() -> None:
    assert divergence_problems(CASES) == []


# --- the runner itself ----------------------------------------------------------


def make_suite(tmp_path: Path, case: str, divergences: str = "# none\n") -> Path:
    for name in ("mypy.ini", "pyrightconfig.json"):
        shutil.copy(CASES / name, tmp_path / name)
    (tmp_path / "case.py").write_text(case)
    (tmp_path / "DIVERGENCES.md").write_text(divergences)
    return tmp_path


RIGHT = 'x: int = "a"  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]\n'
WRONG = "y: int = 1  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]\n"
MISSING = 'z: int = "a"\n'


def test_runner_passes_a_correct_expectation(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, RIGHT)
    assert run_mypy(suite, tmp_path / "cache").ok
    assert run_pyright(suite).ok


@pytest.mark.parametrize(
    "case", [WRONG, MISSING], ids=["error-that-does-not-happen", "unexpected-error"]
)
def test_runner_fails_a_wrong_expectation(tmp_path: Path, case: str) -> None:
    suite = make_suite(tmp_path, RIGHT + case)
    mypy = run_mypy(suite, tmp_path / "cache")
    pyright = run_pyright(suite)
    assert not mypy.ok and "case.py:2" in mypy.output
    assert not pyright.ok and "case.py:2" in pyright.output


def test_runner_requires_tags_for_one_sided_expectations(tmp_path: Path) -> None:
    one_sided = 'w: int = "a"  # type: ignore[assignment]\n'
    suite = make_suite(tmp_path, one_sided, "## used\n\n## unused\n")
    assert divergence_problems(suite) == [
        "case.py:1: only one checker expects an error here, but no divergence tag says why",
        "DIVERGENCES.md: section 'unused' is used by no case line",
        "DIVERGENCES.md: section 'used' is used by no case line",
    ]
    (suite / "case.py").write_text(one_sided.rstrip("\n") + "  # divergence: used, missing\n")
    assert divergence_problems(suite) == [
        "case.py:1: tag 'missing' has no section in DIVERGENCES.md",
        "DIVERGENCES.md: section 'unused' is used by no case line",
    ]


def test_readme_tour_case_also_runs() -> None:
    # Type-checked code can still fail at run time (it once called dataclasses.replace
    # on a Module with a hand-written __init__): run it too.
    import runpy

    runpy.run_path(str(CASES / "readme_tour.py"), run_name="__main__")
