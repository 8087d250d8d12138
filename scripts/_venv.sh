# Sourced by the scripts in this folder: make (once) and enter a venv of the project,
# and install equimod into it, editable, with the extras named in $EQUIMOD_EXTRAS.
# The interpreter is $EQUIMOD_PYTHON (default python3), the venv $EQUIMOD_VENV
# (default .venv), and $EQUIMOD_PINS (space-separated requirements) are installed too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# With EQUIMOD_INSTALLED=1 the venv, made earlier, is only entered.
venv="${EQUIMOD_VENV:-.venv}"
if [ "${EQUIMOD_INSTALLED:-}" != 1 ]; then
    "${EQUIMOD_PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    # shellcheck disable=SC2086 # the pins are meant to split into words
    "$venv/bin/python" -m pip install --quiet -e ".[${EQUIMOD_EXTRAS}]" ${EQUIMOD_PINS:-}
fi
export PATH="$PWD/$venv/bin:$PATH"
