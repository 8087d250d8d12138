# Sourced by the scripts in this folder: make (once) and enter a venv of the project,
# and install equimod into it, editable, with the extras named in $EQUIMOD_EXTRAS.
# The interpreter is $EQUIMOD_PYTHON (default python3), the venv $EQUIMOD_VENV
# (default .venv), and $EQUIMOD_PINS (space-separated requirements) are installed too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# With EQUIMOD_INSTALLED=1 the venv, made earlier, is only entered.
venv="${EQUIMOD_VENV:-.venv}"
if [ "${EQUIMOD_INSTALLED:-}" != 1 ]; then
    # What an install was made from: a venv that has it already is only entered
    # (the install is editable, so changes to the code need none).
    wanted="$(sha256sum pyproject.toml | cut -d' ' -f1) [${EQUIMOD_EXTRAS}] ${EQUIMOD_PINS:-} ${EQUIMOD_PYTHON:-python3}"
    stamp="$venv/.equimod-install"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        echo "== $venv: equimod[${EQUIMOD_EXTRAS}] is installed already (pyproject.toml unchanged)" >&2
    else
        echo "== $venv: installing equimod[${EQUIMOD_EXTRAS}] ${EQUIMOD_PINS:+$EQUIMOD_PINS }with pip (a minute or more the first time)" >&2
        "${EQUIMOD_PYTHON:-python3}" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --upgrade pip
        # shellcheck disable=SC2086 # the pins are meant to split into words
        "$venv/bin/python" -m pip install --quiet -e ".[${EQUIMOD_EXTRAS}]" ${EQUIMOD_PINS:-}
        echo "$wanted" >"$stamp"
    fi
fi
export PATH="$PWD/$venv/bin:$PATH"
