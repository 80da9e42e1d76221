#!/usr/bin/env bash
# The package as a user installs it, as `make python-wheel-test` runs it
# (after `make lib`):
#
# 1. `pip wheel` gives one py3-none-manylinux_2_N_<arch> wheel with
#    libntm.so inside (checked by auditwheel when it can be pip-installed);
# 2. that wheel installs into a fresh virtual environment of every CPython
#    from 3.9 on that is on PATH or installed by pyenv (python3 at least)
#    and trains, saves and loads a model there, with nothing from the
#    repository in reach;
# 3. `pip install` of the bindings copied out of the repository, with no
#    library to bundle, fails at install time and says what to set.
#
# Needs PyPI for the build backend (setuptools, wheel), numpy in the fresh
# environments, and auditwheel. Nothing is written in the repository: the
# package is built from a copy in a temporary directory, removed on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
lib="$repo/build/lib/libntm.so"
[ -f "$lib" ] || { echo "test-wheel.sh: $lib not found; build it first with 'make lib'" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/ntm-wheel-test.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
export PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_NO_CACHE_DIR=1
unset PYTHONPATH NTM_LIBRARY NTM_BUNDLE_LIBRARY NTM_NO_BUNDLE
fail() { echo "test-wheel.sh: FAILED: $*" >&2; exit 1; }

"$here/copy-source.sh" "$tmp/src"

# 1. The wheel and its tag.
NTM_BUNDLE_LIBRARY="$lib" python3 -m pip wheel -q --no-deps -w "$tmp/dist" "$tmp/src" >"$tmp/wheel.log" 2>&1 \
    || { cat "$tmp/wheel.log"; fail "pip wheel"; }
wheels=("$tmp"/dist/*.whl)
[ "${#wheels[@]}" = 1 ] || fail "expected one wheel, got ${wheels[*]}"
wheel="${wheels[0]}"
name="$(basename "$wheel")"
[[ "$name" =~ ^ntm-[0-9.]+-py3-none-manylinux_2_[0-9]+_(x86_64|aarch64)\.whl$ ]] || fail "wheel tag: $name"
# Through a file: with pipefail, `grep -q` closing the pipe early would fail the listing.
python3 -m zipfile -l "$wheel" >"$tmp/listing.txt" || fail "cannot list $name"
grep -q "ntm/_lib/libntm.so" "$tmp/listing.txt" || fail "$name holds no ntm/_lib/libntm.so"
echo "built $name"

python3 -m venv "$tmp/audit"
if "$tmp/audit/bin/pip" install -q --retries 1 --timeout 20 auditwheel >"$tmp/audit.log" 2>&1; then
    tag="${name#*-py3-none-}"; tag="${tag%.whl}"
    "$tmp/audit/bin/auditwheel" show "$wheel" >"$tmp/show.txt" 2>&1 || { cat "$tmp/show.txt"; fail "auditwheel show"; }
    grep -q "consistent with the" "$tmp/show.txt" && grep -q "\"$tag\"" "$tmp/show.txt" \
        || { cat "$tmp/show.txt"; fail "auditwheel does not agree with $tag"; }
    echo "auditwheel: $tag is the wheel's platform"
else
    echo "!!!!! could not pip-install auditwheel; the manylinux tag is NOT checked by it !!!!!"
fi

# 2. Fresh environments, one per Python version found.
cat >"$tmp/smoke.py" <<'EOF'
import os, sys, tempfile
import numpy as np
import ntm
assert "site-packages" in ntm.__file__, ntm.__file__
model = ntm.Model.preset("copy/ntm-feedforward", seed=1)
trainer = ntm.Trainer(model, kind="adam", learning_rate=1e-3, threads=1)
for _ in range(20):
    result = trainer.train_task("copy", batch_size=2, max_length=4)
assert np.isfinite(result.loss_bits)
path = os.path.join(tempfile.mkdtemp(), "m.safetensors")
model.save(path)
again = ntm.Model.load(path)
assert np.array_equal(again.parameters, model.parameters)
print(f"  Python {sys.version.split()[0]}: trained 20 batches, saved and loaded; library {ntm.library_path()}")
EOF
seen=" "
tested=0
# Candidates: python3, python3.N on PATH, and pyenv's installed versions.
candidates=(python3 python3.9 python3.10 python3.11 python3.12 python3.13 python3.14)
for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python3; do [ -x "$p" ] && candidates+=("$p"); done
for python in "${candidates[@]}"; do
    command -v "$python" >/dev/null 2>&1 || continue
    version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" || continue
    case "$version" in 3.[0-8]) continue ;; esac
    case "$seen" in *" $version "*) continue ;; esac
    seen="$seen$version "
    "$python" -m venv "$tmp/venv-$version" 2>/dev/null || { echo "  Python $version: no venv module, skipped"; continue; }
    py="$tmp/venv-$version/bin/python"
    if ! "$py" -m pip install -q --retries 1 --timeout 30 "$wheel" numpy >"$tmp/install-$version.log" 2>&1; then
        if [ "$python" = python3 ]; then cat "$tmp/install-$version.log"; fail "installing $name into Python $version"; fi
        echo "  Python $version: could not install $name with numpy, skipped:"
        tail -n 2 "$tmp/install-$version.log" | sed 's/^/    /'
        continue
    fi
    (cd "$tmp" && "$py" smoke.py) || fail "the wheel on Python $version"
    tested=$((tested + 1))
done
[ "$tested" -ge 1 ] || fail "no Python could install the wheel"

# 3. Outside the repository, with nothing to bundle: a clear error at install time.
python3 -m venv "$tmp/bare"
if "$tmp/bare/bin/pip" install -q "$tmp/src" >"$tmp/bare.log" 2>&1; then
    fail "pip install of the bindings outside the repository, with no library, succeeded"
fi
grep -q "NTM_BUNDLE_LIBRARY" "$tmp/bare.log" && grep -q "not inside the ntm repository" "$tmp/bare.log" \
    || { cat "$tmp/bare.log"; fail "the install error does not say what to set"; }
echo "outside the repository without a library: pip install fails and says to set NTM_BUNDLE_LIBRARY or NTM_NO_BUNDLE"
echo "wheel tests passed ($tested Python version$([ "$tested" = 1 ] || echo s))"
