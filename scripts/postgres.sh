#!/usr/bin/env bash
# Start a throw-away PostgreSQL server (Debian packages) for the test suite and print its URL.
# Usage: eval "$(bash scripts/postgres.sh)"   → exports LMS_BRIDGE_TEST_POSTGRES_URL
set -euo pipefail
PORT=${PGPORT_TEST:-$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
  else
    echo "echo 'PostgreSQL not installed and not root: PostgreSQL tests will be skipped' >&2"
    exit 0
  fi
fi
BIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
DIR=$(mktemp -d /tmp/lms-bridge-pg.XXXXXX)
RUN=""
if [ "$(id -u)" = 0 ]; then
  chown postgres "$DIR"
  RUN="runuser -u postgres --"
fi
$RUN "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
$RUN "$BIN/pg_ctl" -D "$DIR/data" -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" -l "$DIR/log" -w start >/dev/null
echo "export LMS_BRIDGE_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
echo "export LMS_BRIDGE_TEST_POSTGRES_STOP='$RUN $BIN/pg_ctl -D $DIR/data -m immediate stop'"
