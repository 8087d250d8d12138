#!/usr/bin/env bash
# The README's main job: install equimod, train three small models (one shape-checked
# at run time), and run the tour.
EQUIMOD_EXTRAS=mypy,checked
source "$(dirname "$0")/_venv.sh"
python examples/train_mlp.py
python examples/train_cnn.py
python examples/train_shape_checked.py
python examples/tour.py
