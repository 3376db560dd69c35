# Sourced by bin/demo and bin/test: a virtual environment with the project installed,
# rebuilt only when pyproject.toml, the C source it builds (audit/_scan.c) or the tools that
# build it change, so running either command twice is cheap.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

find_python() {
    # Python 3.12 first: from 3.12 on coverage traces through sys.monitoring (bin/test), at
    # about a tenth of the cost of 3.11's tracer. pyenv's own copy counts too (its shim runs
    # only the versions pyenv has selected). Then any Python from 3.11 on.
    local pyenv_312
    pyenv_312=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12.*/bin/python3 2>/dev/null | sort -V | tail -1) || true
    for candidate in python3.12 $pyenv_312 python3.13 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Kumiai needs Python 3.11 or newer (Debian/Ubuntu: sudo apt install python3 python3-venv)." >&2
    return 1
}

if [ ! -x .venv/bin/python ]; then
    PYTHON=$(find_python)
    "$PYTHON" -m venv .venv || {
        rm -rf .venv
        echo "Could not create a virtual environment: sudo apt install python3-venv" >&2
        exit 1
    }
fi
# The extension is built only where its compiler and headers are: once they arrive (bin/test
# installs them), the stamp changes and the install runs again to build it.
build_tools=$(command -v gcc
    ls /usr/include/postgresql/libpq-fe.h /usr/include/openssl/ssl.h 2>/dev/null) || true
stamp=".venv/.installed-$({ cat pyproject.toml audit/_scan.c; echo "$build_tools"; } | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "Installing Kumiai and its dependencies into .venv ..."
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[dev]"
    rm -f .venv/.installed-*
    touch "$stamp"
fi
