#!/usr/bin/env bash
# Tests of the Python bindings, as `make test` runs them (after `make lib`):
# installs the package (a regular, non-editable install that bundles
# build/lib/libntm.so) into a temporary virtual environment and runs pytest on
# bindings/python/tests against that installed copy.
#
# Nothing is written outside the repository except the temporary directory
# (removed on exit); nothing is written inside it either (the package is built
# from a copy, bytecode and pytest's cache are off).
#
# Environment: PYTHON (default python3) -- the interpreter to test with; it
# should have numpy and pytest (the venv sees its site-packages; what is
# missing is pip-installed, without pip's cache). `safetensors` is installed
# for the file-format test (skipped loudly if that fails). NTM_TEST_PLOTS=1
# also installs matplotlib so the example's pictures are drawn and checked
# (otherwise they are checked only if matplotlib is already there, and the
# example's "matplotlib is not installed" message is checked instead).
# NTM_TEST_RAY=1 installs Ray for the ntm.cluster test, which also needs
# NTM_COMMAND, the path of an `ntm` executable (`make python-test` sets both).
# Extra arguments go to pytest, e.g. -k stream.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
lib="$repo/build/lib/libntm.so"

if [ ! -f "$lib" ]; then
    echo "run-tests.sh: $lib not found; build it first with 'make lib'" >&2
    exit 1
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/ntm-python-tests.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
export PYTHONDONTWRITEBYTECODE=1
unset PYTHONPATH NTM_LIBRARY

"$python" -m venv --system-site-packages "$tmp/venv"
py="$tmp/venv/bin/python"
pip() { "$py" -m pip --disable-pip-version-check --no-input --no-cache-dir -q "$@"; }
fetch() { pip install --retries 1 --timeout 20 "$@"; }

for module in numpy pytest; do
    if ! "$py" -c "import $module" 2>/dev/null; then
        echo "installing $module into the test venv"
        fetch "$module"
    fi
done
if ! "$py" -c "import safetensors" 2>/dev/null; then
    if fetch safetensors >"$tmp/safetensors-install.log" 2>&1; then
        echo "installed safetensors into the test venv"
    else
        echo "!!!!! could not pip-install safetensors; the safetensors test will be SKIPPED !!!!!"
        tail -n 3 "$tmp/safetensors-install.log" | sed 's/^/    /'
    fi
fi
if [ "${NTM_TEST_RAY:-0}" = 1 ] && ! "$py" -c "import ray" 2>/dev/null; then
    if fetch ray >"$tmp/ray-install.log" 2>&1; then
        echo "installed ray into the test venv (for the ntm.cluster grid test)"
    else
        echo "!!!!! could not pip-install ray; the Ray grid test will be SKIPPED !!!!!"
        tail -n 3 "$tmp/ray-install.log" | sed 's/^/    /'
    fi
fi
if [ "${NTM_TEST_PLOTS:-0}" = 1 ] && ! "$py" -c "import matplotlib" 2>/dev/null; then
    fetch matplotlib || echo "!!!!! could not pip-install matplotlib; the example's pictures will not be checked !!!!!"
fi

# Build from a copy so that no build/ or *.egg-info appears in the repository;
# the build hook bundles the library named here.
"$here/copy-source.sh" "$tmp/src"
# setuptools < 70.1 needs the `wheel` package to build; without it (and no
# network to fetch it), fall back to copying the package into site-packages,
# which is what the install amounts to.
"$py" -c "import wheel" 2>/dev/null || fetch wheel >/dev/null 2>&1 || true
if NTM_BUNDLE_LIBRARY="$lib" pip install --no-build-isolation --no-deps --no-index "$tmp/src" >"$tmp/install.log" 2>&1; then
    echo "installed the ntm package (non-editable, with libntm.so bundled) into the test venv"
else
    cat "$tmp/install.log"
    echo "!!!!! pip could not build the package (see above); copying it into the venv's site-packages instead !!!!!"
    site="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    cp -r "$tmp/src/ntm" "$site/ntm"
    mkdir -p "$site/ntm/_lib" && cp "$lib" "$site/ntm/_lib/libntm.so"
fi

export NTM_REPO="$repo" MPLCONFIGDIR="$tmp/matplotlib" MPLBACKEND=Agg
# Test the installed copy, not the source: -P keeps the working directory off
# sys.path (Python >= 3.11); older Pythons run from the temporary directory.
if "$py" -P -c "" 2>/dev/null; then
    cd "$here"
    safe=(-P)
else
    cd "$tmp"
    safe=()
fi
status=0
"$py" "${safe[@]}" -m pytest -p no:cacheprovider -p no:benchmark -ra --basetemp "$tmp/pytest" --rootdir "$here" -c "$here/pyproject.toml" "$here/tests" "$@" || status=$?
exit "$status"
