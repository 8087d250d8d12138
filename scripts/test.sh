#!/usr/bin/env bash
# The README's test command: every check, at both ends of the supported range.
#
#   newest end: Python 3.13 with the newest jax, jaxlib and mypy the registry has;
#   oldest end: Python 3.10 with jax/jaxlib 0.4.38 and mypy 2.0.0 (the lower bounds
#               declared in pyproject.toml and SUPPORTED_MYPY in the plugin).
#
# Each end gets its own venv (.venv-newest, .venv-oldest). Interpreters come from
# $EQUIMOD_PYTHON_NEWEST / $EQUIMOD_PYTHON_OLDEST, else python3.13 / python3.10 on
# the PATH, else pyenv's. A missing interpreter skips its end with a message;
# under CI (CI=true) it is an error. Arguments are passed to pytest.
#
# The venvs are made one after the other (pip builds the project in this
# folder); then both ends' checks run at once, each into a log printed when it
# ends: most tests wait on one core (mypy, XLA compiling), and the machine has two.
set -euo pipefail
cd "$(dirname "$0")/.."

NEWEST_PYTHON=3.13
OLDEST_PYTHON=3.10
OLDEST_PINS="jax==0.4.38 jaxlib==0.4.38 mypy==2.0.0 orbax-checkpoint==0.11.2"

find_python() {
    local version=$1 candidate
    local pyenv_root
    pyenv_root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
    for candidate in "python$version" "$pyenv_root"/versions/"$version".*/bin/"python$version"; do
        # A pyenv shim is on the PATH even where its version is not selected: run it.
        if "$candidate" -c "import sys; assert sys.version_info[:2] == (${version/./, })" \
            >/dev/null 2>&1; then
            command -v "$candidate"
            return
        fi
    done
}

# Each end by name: its interpreter, its pins, the Python version it needs.
declare -A python_of=() pins_of=([newest]="" [oldest]="$OLDEST_PINS")
declare -A version_of=([newest]="$NEWEST_PYTHON" [oldest]="$OLDEST_PYTHON")

enter_end() {
    local name=$1
    EQUIMOD_EXTRAS=dev
    EQUIMOD_PYTHON="${python_of[$name]}"
    EQUIMOD_VENV=".venv-$name"
    EQUIMOD_PINS="${pins_of[$name]}"
    source scripts/_venv.sh
}

make_end() {
    local name=$1
    (
        enter_end "$name"
        python -c "import sys, jax, jaxlib, mypy.version; print('== $name end: Python',
            sys.version.split()[0], '| jax', jax.__version__, '| jaxlib', jaxlib.__version__,
            '| mypy', mypy.version.__version__)"
        # What both ends would otherwise set up at once, into the same user caches:
        # pyright's Node package and matplotlib's font list.
        python -m pyright --version >/dev/null
        python -c "import matplotlib.font_manager"
    )
}

test_end() {
    local name=$1
    shift
    (
        EQUIMOD_INSTALLED=1 enter_end "$name"
        set -x
        # The library, the plugin, the benchmarks and the porting checks type-check
        # with each end's JAX and mypy (a cache each: the two ends run at once).
        mypy --cache-dir ".mypy_cache/$name" equimod mypy_plugin/equimod_mypy benchmarks porting
        if [ "$name" = newest ]; then
            ruff check .
            ruff format --check .
            NO_MKDOCS_2_WARNING=1 mkdocs build --strict --quiet --site-dir "$(mktemp -d)"
        fi
        python -m pytest -p no:cacheprovider --durations=15 "$@"
    )
}

# The docs' browser test opens the built site in headless Chromium, Debian's package.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the docs' browser test..."
    apt-get install -y -q chromium >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } ||
        echo "Could not install chromium: the browser test will say so."
fi

python_of[newest]="${EQUIMOD_PYTHON_NEWEST:-$(find_python "$NEWEST_PYTHON")}"
python_of[oldest]="${EQUIMOD_PYTHON_OLDEST:-$(find_python "$OLDEST_PYTHON")}"
ends=()
for name in newest oldest; do
    if [ -z "${python_of[$name]}" ]; then
        echo "SKIPPED: the $name end of the supported range (no Python ${version_of[$name]} found)."
        if [ "${CI:-}" = "true" ]; then
            echo "CI must run both ends: install Python ${version_of[$name]} or set EQUIMOD_PYTHON_${name^^}."
            exit 1
        fi
        continue
    fi
    make_end "$name"
    ends+=("$name")
done

logs="$(mktemp -d)"
declare -A pid_of=()
for name in "${ends[@]}"; do
    test_end "$name" "$@" >"$logs/$name.log" 2>&1 &
    pid_of[$name]=$!
done
failed=()
for name in "${ends[@]}"; do
    status=0
    wait "${pid_of[$name]}" || status=$?
    echo "== $name end: checks and tests (exit status $status) =="
    cat "$logs/$name.log"
    [ "$status" = 0 ] || failed+=("$name")
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "FAILED at the ${failed[*]} end(s)."
    exit 1
fi
