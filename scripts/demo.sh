#!/usr/bin/env bash
# The README's first command: set up (idempotent) and run the service on its embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/lms-bridge ] || bash scripts/setup.sh
export LMS_BRIDGE_DATABASE_URL=${LMS_BRIDGE_DATABASE_URL:-sqlite:///var/demo.sqlite3}
mkdir -p var
.venv/bin/lms-bridge db upgrade
.venv/bin/lms-bridge routes list
