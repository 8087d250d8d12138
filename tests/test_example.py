"""The README's main job: the examples run and check themselves."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typecheck_runner import CHECKERS, USER_CONFIGS, check_as_a_user, run_mypy

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, check=False, cwd=ROOT
    )


def test_training_example_loss_falls_and_reload_matches(tmp_path: Path) -> None:
    out = tmp_path / "model.eqx"
    result = run("examples/train_mlp.py", "--epochs", "8", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    losses = [float(line.split()[-1]) for line in lines if line.startswith("epoch")]
    assert len(losses) == 9
    assert losses[-1] < 0.5 * losses[0]
    assert "predictions identical = True" in result.stdout
    assert out.stat().st_size > 0


def test_cnn_example_learns_with_batch_norm_state_and_reloads(tmp_path: Path) -> None:
    out = tmp_path / "cnn.eqx"
    result = run("examples/train_cnn.py", "--steps", "40", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    accuracy = float(result.stdout.split("test accuracy ")[1].split()[0])
    assert accuracy >= 0.9
    assert "equal to the trained pair = True" in result.stdout
    assert out.stat().st_size > 0


def test_shape_checked_example_refuses_bad_shapes_and_trains() -> None:
    result = run("examples/train_shape_checked.py", "--steps", "120")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mismatched shapes is refused at construction" in result.stdout
    assert "rebuilt by tree_at, partition and combine: bias [1.0]" in result.stdout


def test_tour_example_runs() -> None:
    result = run("examples/tour.py")
    assert result.returncode == 0, result.stderr
    assert "jax.vmap over a batch of 4: (4, 3)" in result.stdout
    assert "a training step: loss" in result.stdout
    assert "assignment after __init__ is refused" in result.stdout
    assert "a copy with a new bias, by tree_at: [0. 0. 0.]" in result.stdout


def test_tour_example_is_clean_under_mypy_strict(tmp_path: Path) -> None:
    # pyright strict is asked for by the file's own `# pyright: strict` comment,
    # and the test below runs pyright on it.
    shutil.copy(ROOT / "examples" / "tour.py", tmp_path)
    (tmp_path / "mypy.ini").write_text(USER_CONFIGS["mypy.ini"])
    result = run_mypy(tmp_path, tmp_path / ".mypy_cache", "tour.py", strict=True)
    assert result.ok, result.output


@pytest.mark.parametrize("checker", CHECKERS)
def test_examples_typecheck_clean_under(checker: str, tmp_path: Path) -> None:
    # Outside the checkout, as a user's copy: the checkers read the installed stubs.
    for example in (ROOT / "examples").glob("*.py"):
        shutil.copy(example, tmp_path / example.name)
    run = check_as_a_user(tmp_path, checker)
    assert not run.problems and not run.reports, run.output
