"""The one distribution ships the runtime, the PEP 561 stubs and the mypy plugin."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contents(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = tmp_path.glob("equimod-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "equimod/__init__.py",
        "equimod/_module/_module.py",
        "equimod/nn/_linear.py",
        "equimod/py.typed",
        "equimod-stubs/__init__.pyi",
        "equimod-stubs/_module/__init__.pyi",
        "equimod-stubs/py.typed",
        "equimod_mypy/__init__.py",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    # A partial stub package (PEP 561): what it lacks, `equimod.nn`, checkers read
    # from the typed runtime package (see docs/design.md).
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("equimod-stubs/py.typed").decode().strip() == "partial"
    assert not any(name.startswith("equimod-stubs/nn/") for name in names)


def test_editable_install_is_visible_to_type_checkers() -> None:
    site_packages = Path(sysconfig.get_paths()["purelib"])
    pth = site_packages / "_equimod.pth"
    if not pth.exists():  # a regular (non-editable) install: the wheel test covers it
        assert (site_packages / "equimod-stubs" / "__init__.pyi").exists()
        return
    roots = [Path(line) for line in pth.read_text().split() if line]
    assert ROOT in roots and ROOT / "stubs" in roots and ROOT / "mypy_plugin" in roots
