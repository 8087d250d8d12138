"""What the porting checks take on their command line."""

from __future__ import annotations

import argparse
from pathlib import Path


def package_folder(text: str) -> Path:
    """An argparse type: the folder of an importable package (one with `__init__.py`)."""
    path = Path(text)
    if not (path / "__init__.py").is_file():
        raise argparse.ArgumentTypeError(
            f"{text} is not a package folder (no __init__.py in it): name the package "
            "itself, such as /path/to/lineax/lineax, not the checkout above it"
        )
    return path
