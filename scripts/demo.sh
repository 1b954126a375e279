#!/usr/bin/env bash
# The README's first command: set up (idempotent), then the one-command demo (docs/demo.md):
# a fresh registry from examples/, the Moodle simulator with its LTI 1.3 platform and the tool,
# served until Ctrl+C. Options go to `lms-bridge demo` (e.g. --ports 0,0 --no-sync).
set -euo pipefail
cd "$(dirname "$0")/.."
sha256sum --status -c .venv/pyproject.sha256 2>/dev/null || bash scripts/setup.sh
exec .venv/bin/lms-bridge demo "$@"
