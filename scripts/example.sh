#!/usr/bin/env bash
# The README's main job: install equimod and run the example.
EQUIMOD_EXTRAS=mypy
source "$(dirname "$0")/_venv.sh"
python examples/tour.py
