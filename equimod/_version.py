"""equimod's version: the one place it is written (pyproject.toml reads it from here,
the mypy plugin from the installed distribution)."""

__version__ = "0.1.0"
