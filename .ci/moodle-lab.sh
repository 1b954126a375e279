# Sourced by .ci/run: real Moodle labs for the contract suite's `real` target and the end-to-end sync test.
#
#   lab_up NAME SRC PORT PGPORT   stand a lab up in a fresh folder (as root; ~4 min), print the minutes it took
#   lab_up_retry NAME SRC PORT PGPORT   the same, tried once more when it fails
#   lab_env NAME                  export LMS_BRIDGE_TEST_MOODLE_URL/_TOKEN/_LAB for it
#   labs_down                     stop every lab started here (by PID), remove their folders; run from a trap
#
# The lab source is ../shared/moodle-lab beside the checkout (LMS_BRIDGE_CI_MOODLE_LAB to point elsewhere). Without
# it, or when not root (setup.sh installs Debian packages), lab_available says why and CI goes on without the
# real target: the tests skip with their reason. Ports differ from a developer's lab on 8080/55432.
LAB_SRC=${LMS_BRIDGE_CI_MOODLE_LAB:-../shared/moodle-lab}
LAB_ROOT=$(mktemp -d /tmp/lms-bridge-ci-labs.XXXXXX)  # a lab NAME lives in $LAB_ROOT/NAME, its URL in NAME.url
chmod 755 "$LAB_ROOT"  # PostgreSQL runs as postgres inside it

lab_available() {
  if [ ! -f "$LAB_SRC/setup.sh" ]; then
    echo "moodle lab: skipped, no $LAB_SRC/setup.sh (the real-Moodle tests skip with their reason)"
    return 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "moodle lab: skipped, setup.sh needs root (the real-Moodle tests skip with their reason)"
    return 1
  fi
}

lab_up() {  # NAME SRC PORT PGPORT
  local name=$1 src=$2 url=http://127.0.0.1:$3 pgport=$4 start=$SECONDS
  echo "$url" >"$LAB_ROOT/$name.url"
  # core_message_get_messages: lms-bridge looks before it sends a message again (REQUIRED_FUNCTIONS)
  if ! MOODLE_SRC=$src PGPORT=$pgport MOODLE_WWWROOT=$url LAB_EXTRA_FUNCTIONS=core_message_get_messages \
      bash "$LAB_SRC/setup.sh" "$LAB_ROOT/$name" >"$LAB_ROOT/$name-setup.log" 2>&1; then
    echo "moodle lab $name: setup failed after $((SECONDS - start)) s; last lines of its log:"
    tail -n 20 "$LAB_ROOT/$name-setup.log"
    return 1
  fi
  echo "moodle lab $name ($(cat "$LAB_ROOT/$name/release.txt")): up in $((SECONDS - start)) s at $url"
}

lab_up_retry() {  # NAME SRC PORT PGPORT: lab_up, and once more after a pause when it failed (setup.sh is idempotent:
  # a transient fault, such as a port still held by a lab that was just stopped, should not cost the whole run)
  lab_up "$@" && return 0
  echo "moodle lab $1: trying once more in 20 s"
  sleep 20
  lab_up "$@"
}

lab_env() {  # NAME
  export LMS_BRIDGE_TEST_MOODLE_URL LMS_BRIDGE_TEST_MOODLE_TOKEN LMS_BRIDGE_TEST_MOODLE_LAB=$LAB_ROOT/$1
  LMS_BRIDGE_TEST_MOODLE_URL=$(cat "$LAB_ROOT/$1.url")
  LMS_BRIDGE_TEST_MOODLE_TOKEN=$(cat "$LAB_ROOT/$1/token")
}

labs_down() {
  local dir pgbin job
  for job in $(jobs -p); do  # a lab still installing in the background (the run ended early)
    kill "$job" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  for dir in "$LAB_ROOT"/*/; do
    [ -d "$dir" ] || continue
    dir=${dir%/}
    if [ -f "$dir/php-server.pid" ]; then  # the built-in server forks workers: stop its process group
      kill -- "-$(cat "$dir/php-server.pid")" 2>/dev/null || true
    fi
    if [ -f "$dir/pg/postmaster.pid" ]; then
      pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
      su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $dir/pg -m fast stop" >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$LAB_ROOT"
}
