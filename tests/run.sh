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
# its sync agent), and Kivy keeps one running app and one window per process.
if [ -d tests/ui ]; then
  for ui_file in tests/ui/test_*.py; do run "kiosk UI: $(basename "$ui_file" .py)" "$ui_file"; done
fi
[ -d tests/web/axe ] && [ ! -d tests/web/axe/node_modules ] && command -v npm >/dev/null && npm ci --prefix tests/web/axe --no-audit --no-fund  # axe-core for the phone-page audit
[ -d tests/web ] && run "web pages (Chromium)" tests/web
[ -d tests/e2e ] && run "end to end (server + kiosk processes)" tests/e2e

rm -rf "$KIVY_HOME"
if [ ${#failed[@]} -gt 0 ]; then echo "FAILED suites: ${failed[*]}"; exit 1; fi
echo "all suites passed"
