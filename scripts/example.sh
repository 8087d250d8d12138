#!/usr/bin/env bash
# The README's main job: install equimod, train two small models, and run the tour.
EQUIMOD_EXTRAS=mypy
source "$(dirname "$0")/_venv.sh"
python examples/train_mlp.py
python examples/train_cnn.py
python examples/tour.py
