"""The plugin's version: equimod's, whose distribution it ships in (the version is
written once, in equimod/_version.py; reading it from there would import equimod
and JAX into every mypy run)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("equimod")
except PackageNotFoundError:  # run from a source tree that is not installed
    __version__ = "unknown"
