#!/usr/bin/env bash
# The README's test command: install equimod with its dev tools and run every check.
EQUIMOD_EXTRAS=dev
source "$(dirname "$0")/_venv.sh"
set -x
ruff check .
ruff format --check .
mypy equimod mypy_plugin/equimod_mypy
python -m pytest "$@"
# The plugin's tests once more on the oldest mypy it supports (the run above has
# the newest): SUPPORTED_MYPY in mypy_plugin/equimod_mypy/__init__.py.
python3 -m venv .venv-mypy-oldest
.venv-mypy-oldest/bin/python -m pip install --quiet --upgrade pip
.venv-mypy-oldest/bin/python -m pip install --quiet -e . "mypy==2.0.0" "pytest>=8"
.venv-mypy-oldest/bin/python -m pytest tests/plugin
