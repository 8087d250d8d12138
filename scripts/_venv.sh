# Sourced by the scripts in this folder: make (once) and enter the project's venv,
# and install equimod into it, editable, with the extras named in $EQUIMOD_EXTRAS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[${EQUIMOD_EXTRAS}]"
export PATH="$PWD/.venv/bin:$PATH"
