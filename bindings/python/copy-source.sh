#!/usr/bin/env bash
# copy-source.sh DEST: copies the Python package's sources (no build
# output, egg-info, caches, tests or bundled library) into DEST, creating
# it. The test scripts build and install from such a copy so that nothing
# is written in the repository.
set -euo pipefail
[ $# = 1 ] || { echo "usage: copy-source.sh DEST" >&2; exit 2; }
mkdir -p "$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
(cd "$here" && tar --exclude=./build --exclude='./*.egg-info' --exclude=__pycache__ --exclude=./tests \
    --exclude=./ntm/_lib --exclude=.pytest_cache -cf - .) | (cd "$1" && tar -xf -)
