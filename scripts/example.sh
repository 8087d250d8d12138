#!/usr/bin/env bash
# The README's main job: install equimod, train a small model, and run the tour.
EQUIMOD_EXTRAS=mypy
source "$(dirname "$0")/_venv.sh"
python examples/train_mlp.py
python examples/tour.py
