"""The typecheck_tests suite under mypy, pyright, ty and pyrefly, and tests of its runner."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typecheck_runner import CASES, CHECKERS, check, divergence_problems, expectations


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.mark.parametrize("checker", CHECKERS)
def test_cases_under(checker: str, cache_dir: Path) -> None:
    problems, output = check(CASES, cache_dir, checker)
    assert problems == [], "\n".join(problems) + "\n\n" + output[-3000:]


def test_divergence_tags_match_the_divergence_list() -> None:
    assert divergence_problems(CASES) == []


# A row of the docs' table: | `code` (file) | the code is | a cell per checker |
_TABLE_ROW = re.compile(r"^\| `(?P<code>[^`]+)` \((?P<file>[\w.]+)\) \|[^|]*\|(?P<cells>.*)\|$")


def test_the_docs_table_of_what_each_checker_sees_is_the_suites() -> None:
    page = (CASES.parent / "docs" / "static-checking.md").read_text()
    table = page.split("<!-- checker-table: start -->")[1].split("<!-- checker-table: end -->")[0]
    header = [cell.strip() for cell in table.strip().splitlines()[0].strip("|").split("|")]
    assert header[2:] == list(CHECKERS)
    expected, _ = expectations(CASES)
    rows = [match for line in table.splitlines() if (match := _TABLE_ROW.match(line))]
    assert len(rows) >= 10
    for row in rows:
        lines = (CASES / row["file"]).read_text().splitlines()
        numbers = [
            n for n, line in enumerate(lines, 1) if line.split("  #")[0].strip() == row["code"]
        ]
        assert len(numbers) == 1, f"{row['code']!r} is not one line of {row['file']}"
        reporting = expected.get((row["file"], numbers[0]), {})
        cells = [cell.strip() for cell in row["cells"].split("|")]
        shown = {checker for checker, cell in zip(CHECKERS, cells, strict=True) if cell == "error"}
        assert all(cell in ("error", "—") for cell in cells), cells
        assert shown == set(reporting), f"{row['code']}: the table says {sorted(shown)}"


# --- the runner itself ----------------------------------------------------------


def make_suite(tmp_path: Path, case: str, divergences: str = "# none\n") -> Path:
    for name in ("mypy.ini", "pyrightconfig.json", "ty.toml", "pyrefly.toml"):
        shutil.copy(CASES / name, tmp_path / name)
    (tmp_path / "case.py").write_text(case)
    (tmp_path / "DIVERGENCES.md").write_text(divergences)
    return tmp_path


EVERY = "mypy[assignment] pyright[reportAssignmentType] ty pyrefly"
RIGHT = f'x: int = "a"  # error: {EVERY}\n'
WRONG = f"y: int = 1  # error: {EVERY}\n"
MISSING = 'z: int = "a"\n'
OTHER_CODE = 'w: int = "a"  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly\n'


def problems_of(suite: Path, checker: str) -> list[str]:
    return check(suite, suite / "cache", checker)[0]


@pytest.mark.parametrize("checker", CHECKERS)
def test_runner_passes_a_correct_expectation(tmp_path: Path, checker: str) -> None:
    assert problems_of(make_suite(tmp_path, RIGHT), checker) == []


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize(
    ("case", "problem"),
    [
        (WRONG, "expected an error"),
        (MISSING, "unexpected error"),
    ],
    ids=["error-that-does-not-happen", "unexpected-error"],
)
def test_runner_fails_a_wrong_expectation(
    tmp_path: Path, checker: str, case: str, problem: str
) -> None:
    problems = problems_of(make_suite(tmp_path, RIGHT + case), checker)
    assert len(problems) == 1
    assert problems[0].startswith(f"case.py:2: {checker}: {problem}"), problems


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_runner_fails_an_error_of_another_code(tmp_path: Path, checker: str) -> None:
    problems = problems_of(make_suite(tmp_path, OTHER_CODE), checker)
    assert len(problems) == 1 and "expected [" in problems[0] and "reported [" in problems[0]


def test_runner_refuses_an_unknown_checker(tmp_path: Path) -> None:
    suite = make_suite(tmp_path, 'x: int = "a"  # error: mypy[assignment] pyre\n')
    assert expectations(suite)[1] == [
        f"case.py:1: 'pyre' is not one of {CHECKERS}",
    ]


def test_runner_requires_tags_for_one_sided_expectations(tmp_path: Path) -> None:
    one_sided = 'w: int = "a"  # error: mypy[assignment] ty\n'
    suite = make_suite(tmp_path, one_sided, "## used\n\n## unused\n")
    assert divergence_problems(suite) == [
        "case.py:1: no error expected from pyright, pyrefly here, but no divergence tag says why",
        "DIVERGENCES.md: section 'unused' is used by no case line",
        "DIVERGENCES.md: section 'used' is used by no case line",
    ]
    (suite / "case.py").write_text(one_sided.rstrip("\n") + "  # divergence: used, missing\n")
    assert divergence_problems(suite) == [
        "case.py:1: tag 'missing' has no section in DIVERGENCES.md",
        "DIVERGENCES.md: section 'unused' is used by no case line",
    ]
