#!/usr/bin/env bash
# Fresh virtual environment in .venv with the project and its development tools.
# Records the pyproject.toml it installed (.venv/pyproject.sha256): test.sh and demo.sh re-run this
# script when pyproject.toml has changed since (new dependencies, new packages).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
sha256sum pyproject.toml > .venv/pyproject.sha256
