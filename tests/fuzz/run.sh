#!/usr/bin/env bash
# Fuzz the public API against its own OpenAPI schema with schemathesis: serves the site
# as production does (gunicorn, production settings, a fresh SQLite database with the
# real data) on loopback, runs every operation with generated requests (valid and
# invalid), and stops the server whatever happens. Fails on any server error, any
# response outside the schema (status, content type, headers, body), or fewer than
# FUZZ_MIN_REQUESTS requests in all.
#
# Settings: FUZZ_PORT [8179], FUZZ_EXAMPLES [150 a operation], FUZZ_MIN_REQUESTS [1000],
# FUZZ_SEED, PY [.venv/bin/python]. The report is left in artifacts/fuzz/<UTC time>/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY="${PY:-$ROOT/.venv/bin/python}"
PORT="${FUZZ_PORT:-8179}"
EXAMPLES="${FUZZ_EXAMPLES:-150}"
MIN_REQUESTS="${FUZZ_MIN_REQUESTS:-1000}"
REPORT="$ROOT/artifacts/fuzz/$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$(mktemp -d /tmp/fuzz-XXXXXX)"
SERVER_PID=""

cleanup() {
  local code=$?
  if [ -n "$SERVER_PID" ]; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$code" != 0 ] && [ -f "$WORK/gunicorn.log" ]; then
    echo "fuzz: the server's last words:" >&2
    tail -40 "$WORK/gunicorn.log" >&2
  fi
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

env_keep="$(env | cut -d= -f1 | grep -E '^(DJANGO_|DATABASE_URL|REDIS_URL|GUNICORN_|WEB_CONCURRENCY|TRACKER_)' || true)"
for name in $env_keep; do unset "$name"; done
export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY="fuzz-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=0
export DJANGO_SECURE_COOKIES=0
export DJANGO_STATIC_ROOT="$WORK/static"
export DATABASE_URL="sqlite:///$WORK/site.sqlite3"
export TRACKER_BULK_DIR="$WORK/bulk"
# The fuzzer is one client asking far faster than any reader: the throttle would answer
# most of it with 429s (tests/api/test_api.py tests the throttle itself).
export TRACKER_API_RATE=100000/min
# One worker: with the local-memory cache, every request then sees the same data version.
export WEB_CONCURRENCY=1

echo "fuzz: preparing the site in $WORK"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_real_data
"$PY" manage.py collectstatic --noinput -v0

HOST=127.0.0.1 PORT="$PORT" GUNICORN_ACCESSLOG="" GUNICORN_CONTROL_SOCKET="$WORK/gunicorn.ctl" \
  setsid "$PY" -m gunicorn -c config/gunicorn.py config.wsgi >"$WORK/gunicorn.log" 2>&1 </dev/null &
SERVER_PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 150); do
  "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "$BASE/healthz" 2>/dev/null && break
  sleep 0.2
done

mkdir -p "$REPORT"
echo "fuzz: schemathesis against $BASE/api/v1/schema/, report in $REPORT"
"$ROOT/.venv/bin/schemathesis" run "$BASE/api/v1/schema/" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "$EXAMPLES" --workers 2 --phases examples,coverage,fuzzing \
  --generation-database none --request-timeout 20 --no-color \
  ${FUZZ_SEED:+--seed "$FUZZ_SEED"} \
  --report ndjson --report-ndjson-path "$REPORT/events.ndjson"

# Count the requests sent from the server's own access log: the fuzzer's count of test
# cases leaves out the coverage phase's.
"$PY" - "$REPORT/events.ndjson" "$MIN_REQUESTS" <<'PYEOF'
import json
import sys

path, minimum = sys.argv[1], int(sys.argv[2])
requests, statuses, operations = 0, {}, set()
with open(path, encoding="utf-8") as events:
    for line in events:
        event = json.loads(line)
        for name, body in event.items():
            if name != "ScenarioFinished":
                continue
            recorder = body.get("recorder") or {}
            for interaction in (recorder.get("interactions") or {}).values():
                response = interaction.get("response") or {}
                requests += 1
                status = response.get("status_code")
                statuses[status] = statuses.get(status, 0) + 1
            label = body.get("label") or (recorder.get("label"))
            if label:
                operations.add(label)
print(f"fuzz: {requests} requests over {len(operations)} operations, by status {dict(sorted(statuses.items(), key=str))}")
errors = sum(n for status, n in statuses.items() if status and status >= 500)
if errors:
    sys.exit(f"fuzz: {errors} server errors")
if requests < minimum:
    sys.exit(f"fuzz: only {requests} requests (at least {minimum} wanted)")
PYEOF
