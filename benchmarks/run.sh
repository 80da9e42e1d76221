#!/bin/sh
# The speed benchmark against PyTorch: see benchmarks/run.py (never needed by
# the tests or CI). Example: benchmarks/run.sh --quick
set -e
cd "$(dirname "$0")/.."
exec python3 benchmarks/run.py "$@"
