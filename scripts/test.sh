#!/usr/bin/env bash
# The README's test command: install equimod with its dev tools and run every check.
EQUIMOD_EXTRAS=dev
source "$(dirname "$0")/_venv.sh"
set -x
ruff check .
ruff format --check .
mypy equimod mypy_plugin/equimod_mypy
python -m pytest "$@"
