#!/usr/bin/env bash
# The README's test command: sets up what the suite needs (idempotent) and runs it.
#  - .venv with the project and its dev tools (scripts/setup.sh)
#  - as root on a Debian machine: Chromium for the browser tests and a throw-away PostgreSQL server
#    for the storage tests (Debian packages); elsewhere those tests are skipped with a reason
set -euo pipefail
cd "$(dirname "$0")/.."
sha256sum --status -c .venv/pyproject.sha256 2>/dev/null || bash scripts/setup.sh
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ ! -x /usr/bin/chromium ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null) \
    || echo "warning: could not install chromium; browser tests will be skipped" >&2
fi
if [ -z "${LMS_BRIDGE_TEST_POSTGRES_URL:-}" ]; then
  if pg_env=$(bash scripts/postgres.sh); then
    eval "$pg_env"
  else
    echo "warning: no PostgreSQL server; PostgreSQL tests will be skipped (and fail under CI=true)" >&2
  fi
fi
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ -n "${LMS_BRIDGE_TEST_POSTGRES_STOP:-}" ]; then
  eval "$LMS_BRIDGE_TEST_POSTGRES_STOP" >/dev/null 2>&1 || true
fi
exit $status
