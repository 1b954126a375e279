#!/usr/bin/env bash
# The test command of the README: sets up (idempotent) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
