#!/usr/bin/env bash
# The whole suite, headless. Kivy allows one window per process, so the UI suite and the
# end-to-end suite run in pytest processes of their own; the server suite runs a second time
# against PostgreSQL when CONCIERGE_TEST_POSTGRES_URL is set (CI sets it).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1 SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-offscreen}
export KIVY_HOME=$(mktemp -d)
failed=()

run() {  # run NAME pytest-args...: exit 5 (nothing collected) counts as a failure of the suite layout
  local name=$1; shift
  echo "=== $name"
  local started=$SECONDS
  "$PY" -m pytest -q -p no:cacheprovider "$@"
  local rc=$?
  echo "--- $name: $((SECONDS - started)) s"
  if [ $rc -eq 5 ]; then echo "!!! $name collected no tests"; failed+=("$name(empty)");
  elif [ $rc -ne 0 ]; then failed+=("$name"); fi
}

echo "=== lint (ruff, mypy)"
"$PY" -m ruff check . || failed+=("ruff")
"$PY" -m mypy || failed+=("mypy")

# The suites below are queued and run SUITE_JOBS at a time (2: one a core on CI's machine), longest
# first, each pytest in a process of its own with a Kivy home of its own: Kivy keeps one running app
# and one window per process, so each UI file runs alone in its process. Each suite's output is
# shown whole, in order, once all have ended.
suite_logs=$(mktemp -d)
queued=()
queue() {  # queue NAME [VAR=value...] -- PYTEST-ARGS...
  local name=$1; shift
  local assignments=()
  while [ "$1" != "--" ]; do assignments+=("$1"); shift; done; shift
  while [ "$(jobs -rp | wc -l)" -ge "${SUITE_JOBS:-2}" ]; do wait -n; done
  local log="$suite_logs/${#queued[@]}"
  queued+=("$name")
  (
    started=$SECONDS
    home=$(mktemp -d)
    env KIVY_HOME="$home" "${assignments[@]}" "$PY" -m pytest -q -p no:cacheprovider "$@" > "$log" 2>&1
    echo $? > "$log.rc"
    echo $((SECONDS - started)) > "$log.seconds"
    rm -rf "$home"
  ) &
}
queue_started=$SECONDS
queue "core and server (SQLite)" -- tests --ignore=tests/ui --ignore=tests/e2e --ignore=tests/web
if [ -n "${CONCIERGE_TEST_POSTGRES_URL:-}" ]; then
  # Its own Redis database for the rate-limit counters, beside the SQLite suite's.
  pg_redis=${CONCIERGE_TEST_REDIS_URL:-}
  [[ $pg_redis == */0 ]] && pg_redis=${pg_redis%/0}/1
  queue "server (PostgreSQL)" CONCIERGE_DATABASE_URL="$CONCIERGE_TEST_POSTGRES_URL" \
    CONCIERGE_TEST_REDIS_URL="$pg_redis" -- tests/server
else
  echo "=== server (PostgreSQL): skipped, CONCIERGE_TEST_POSTGRES_URL is not set"
fi
[ -d tests/web/axe ] && [ ! -d tests/web/axe/node_modules ] && command -v npm >/dev/null && npm ci --prefix tests/web/axe --no-audit --no-fund  # axe-core for the phone-page audit
[ -d tests/web ] && queue "web pages (Chromium)" -- tests/web
for ui_file in tests/ui/test_*.py; do
  [ -e "$ui_file" ] && queue "kiosk UI: $(basename "$ui_file" .py)" -- "$ui_file"
done
wait
for i in "${!queued[@]}"; do
  name=${queued[$i]}; log="$suite_logs/$i"
  echo "=== $name"
  cat "$log"
  rc=$(cat "$log.rc")
  echo "--- $name: $(cat "$log.seconds") s"
  if [ "$rc" -eq 5 ]; then echo "!!! $name collected no tests"; failed+=("$name(empty)");
  elif [ "$rc" -ne 0 ]; then failed+=("$name"); fi
done
echo "--- queued suites, all: $((SECONDS - queue_started)) s"
rm -rf "$suite_logs"
[ -d tests/e2e ] && run "end to end (server + kiosk processes)" tests/e2e

rm -rf "$KIVY_HOME"
if [ ${#failed[@]} -gt 0 ]; then echo "FAILED suites: ${failed[*]}"; exit 1; fi
echo "all suites passed"
