from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the snippet tests: the stubs of equimod and jax are analysed once."""
    return tmp_path_factory.mktemp("mypy-cache")
