#!/usr/bin/env bash
# Browser journeys (tests/journeys/): serves the site as production does (gunicorn,
# production settings, its own Redis, a fresh SQLite database loaded with the real data and
# an editor account), on loopback, runs the journeys in Debian's Chromium, and stops what it
# started, whatever happens. Screenshots go to artifacts/journeys/<UTC time>/ (git-ignored).
#
#   tests/journeys/run.sh                 every journey at desktop and phone widths
#   tests/journeys/run.sh -k analyst      pytest's own options pass through
#
# Settings: JOURNEYS_PORT [8177], JOURNEYS_REDIS_PORT [8178], JOURNEYS_ARTIFACTS,
# JOURNEYS_DATABASE_URL (a fresh database of your own instead of SQLite), PY [.venv/bin/python].
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY="${PY:-$ROOT/.venv/bin/python}"
PORT="${JOURNEYS_PORT:-8177}"
REDIS_PORT="${JOURNEYS_REDIS_PORT:-8178}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
export JOURNEYS_ARTIFACTS="${JOURNEYS_ARTIFACTS:-$ROOT/artifacts/journeys/$STAMP}"
WORK="$(mktemp -d /tmp/journeys-XXXXXX)"
SERVER_PID=""
REDIS_PID=""

cleanup() {
  local code=$?
  if [ -n "$SERVER_PID" ]; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$REDIS_PID" ]; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  if [ "$code" != 0 ] && [ -f "$WORK/gunicorn.log" ]; then
    echo "journeys: the server's last words:" >&2
    tail -40 "$WORK/gunicorn.log" >&2
  fi
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for cmd in /usr/bin/chromium redis-server; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "journeys: $cmd is missing (.ci/run installs it)" >&2; exit 1; }
done

env_keep="$(env | cut -d= -f1 | grep -E '^(DJANGO_|DATABASE_URL|REDIS_URL|GUNICORN_|WEB_CONCURRENCY)' || true)"
for name in $env_keep; do unset "$name"; done
export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY="journeys-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=0   # plain http on loopback
export DJANGO_SECURE_COOKIES=0
export TRACKER_UNCACHED_RATE=off      # one browser, many fresh pages; tests/core/test_throttle.py tests the limit
export DJANGO_STATIC_ROOT="$WORK/static"
export DATABASE_URL="${JOURNEYS_DATABASE_URL:-sqlite:///$WORK/site.sqlite3}"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export JOURNEYS_BASE_URL="http://127.0.0.1:$PORT"
export JOURNEYS_EDITOR=journey-editor
export JOURNEYS_EDITOR_PASSWORD="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(18))')"

echo "journeys: preparing the site in $WORK"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
  --maxmemory 64mb --maxmemory-policy allkeys-lru >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_real_data
"$PY" manage.py collectstatic --noinput -v0
DJANGO_EDITOR_PASSWORD="$JOURNEYS_EDITOR_PASSWORD" "$PY" manage.py create_editor "$JOURNEYS_EDITOR" \
  --email journey@example.org </dev/null

HOST=127.0.0.1 PORT="$PORT" GUNICORN_ACCESSLOG="" GUNICORN_CONTROL_SOCKET="$WORK/gunicorn.ctl" \
  setsid "$PY" -m gunicorn -c config/gunicorn.py config.wsgi >"$WORK/gunicorn.log" 2>&1 </dev/null &
SERVER_PID=$!
for _ in $(seq 1 150); do
  "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "$JOURNEYS_BASE_URL/healthz" 2>/dev/null && break
  sleep 0.2
done

echo "journeys: $JOURNEYS_BASE_URL, screenshots in $JOURNEYS_ARTIFACTS"
"$PY" -m pytest -m journeys tests/journeys -p no:cacheprovider "$@"
