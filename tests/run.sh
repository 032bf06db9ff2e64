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

run "core and server (SQLite)" tests --ignore=tests/ui --ignore=tests/e2e --ignore=tests/web
if [ -n "${CONCIERGE_TEST_POSTGRES_URL:-}" ]; then
  CONCIERGE_DATABASE_URL=$CONCIERGE_TEST_POSTGRES_URL run "server (PostgreSQL)" tests/server
else
  echo "=== server (PostgreSQL): skipped, CONCIERGE_TEST_POSTGRES_URL is not set"
fi
# Each UI file in a process of its own: a file may start its own app (a real enrolled kiosk with
# its sync agent), and Kivy keeps one running app and one window per process. UI_JOBS of them at
# a time (2: one a core on CI's machine), each with a Kivy home of its own; each file's output is
# shown whole, in order, once all have ended.
ui_file_run() {  # ui_file_run FILE LOG: the file's output in LOG, its exit code and seconds beside it
  local started=$SECONDS
  local home; home=$(mktemp -d)
  KIVY_HOME=$home "$PY" -m pytest -q -p no:cacheprovider "$1" > "$2" 2>&1
  echo $? > "$2.rc"
  echo $((SECONDS - started)) > "$2.seconds"
  rm -rf "$home"
}
if [ -d tests/ui ]; then
  ui_logs=$(mktemp -d)
  ui_started=$SECONDS
  for ui_file in tests/ui/test_*.py; do
    while [ "$(jobs -rp | wc -l)" -ge "${UI_JOBS:-2}" ]; do wait -n; done
    ui_file_run "$ui_file" "$ui_logs/$(basename "$ui_file" .py)" &
  done
  wait
  for ui_file in tests/ui/test_*.py; do
    name="kiosk UI: $(basename "$ui_file" .py)"; log="$ui_logs/$(basename "$ui_file" .py)"
    echo "=== $name"
    cat "$log"
    rc=$(cat "$log.rc")
    echo "--- $name: $(cat "$log.seconds") s"
    if [ "$rc" -eq 5 ]; then echo "!!! $name collected no tests"; failed+=("$name(empty)");
    elif [ "$rc" -ne 0 ]; then failed+=("$name"); fi
  done
  echo "--- kiosk UI, all files: $((SECONDS - ui_started)) s"
  rm -rf "$ui_logs"
fi
[ -d tests/web/axe ] && [ ! -d tests/web/axe/node_modules ] && command -v npm >/dev/null && npm ci --prefix tests/web/axe --no-audit --no-fund  # axe-core for the phone-page audit
[ -d tests/web ] && run "web pages (Chromium)" tests/web
[ -d tests/e2e ] && run "end to end (server + kiosk processes)" tests/e2e

rm -rf "$KIVY_HOME"
if [ ${#failed[@]} -gt 0 ]; then echo "FAILED suites: ${failed[*]}"; exit 1; fi
echo "all suites passed"
