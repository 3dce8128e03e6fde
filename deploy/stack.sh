#!/usr/bin/env bash
# Two gunicorn nodes behind nginx, on loopback, with a private nginx prefix (never the
# system's /etc/nginx or its service). One PostgreSQL and one Redis, given as DATABASE_URL
# and REDIS_URL, serve both nodes.
#
#   deploy/stack.sh release           migrate and load the real data (once per database)
#   deploy/stack.sh start             collectstatic, both nodes, then nginx
#   deploy/stack.sh stop              nginx and both nodes; whatever is left is killed
#   deploy/stack.sh status            which of the three answer
#   deploy/stack.sh start-node N      start node N (1 or 2) again, e.g. after a crash
#   deploy/stack.sh stop-node N       stop node N gracefully
#   deploy/stack.sh install           install nginx (Debian's package) when it is missing
#
# Settings (environment; defaults in brackets):
#   STACK_DIR [/tmp/tracker-stack]    pid files, logs, control sockets, nginx's prefix, static
#   STACK_HOST [127.0.0.1]            the address everything listens on
#   NGINX_PORT [8080], WEB1_PORT [8001], WEB2_PORT [8002]
#   DATABASE_URL, REDIS_URL           required: both nodes must share one database and cache
#   DJANGO_SECRET_KEY                 one for both nodes; made once and kept in STACK_DIR if unset
#   PY [.venv/bin/python]             the Python that has the project's requirements
# Everything else (WEB_CONCURRENCY, GUNICORN_*, DJANGO_*) is passed on to the nodes.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

STACK_DIR="${STACK_DIR:-/tmp/tracker-stack}"
STACK_HOST="${STACK_HOST:-127.0.0.1}"
NGINX_PORT="${NGINX_PORT:-8080}"
WEB1_PORT="${WEB1_PORT:-8001}"
WEB2_PORT="${WEB2_PORT:-8002}"
PY="${PY:-$ROOT/.venv/bin/python}"
NGINX_RUN="$STACK_DIR/nginx"
STATIC_ROOT="$STACK_DIR/static"

say() { echo "stack: $*" >&2; }
die() { say "$*"; exit 1; }

node_port() { if [ "$1" = 1 ]; then echo "$WEB1_PORT"; else echo "$WEB2_PORT"; fi; }

# Production settings served over plain http on loopback: no https redirect, and cookies
# that a browser keeps over http. Behind TLS, set both to 1 in the environment.
app_env() {
  [ -n "${DATABASE_URL:-}" ] || die "DATABASE_URL is not set"
  [ -n "${REDIS_URL:-}" ] || die "REDIS_URL is not set (both nodes must share one cache)"
  export DATABASE_URL REDIS_URL
  export DJANGO_DEBUG="${DJANGO_DEBUG:-0}"
  export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-0}"
  export DJANGO_SECURE_COOKIES="${DJANGO_SECURE_COOKIES:-0}"
  # The nodes sit behind this stack's nginx, which sets X-Forwarded-Proto itself.
  export DJANGO_BEHIND_PROXY="${DJANGO_BEHIND_PROXY:-1}"
  export DJANGO_STATIC_ROOT="$STATIC_ROOT"
  export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-$STACK_HOST,localhost}"
  if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    if [ ! -s "$STACK_DIR/secret_key" ]; then
      (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$STACK_DIR/secret_key")
    fi
    DJANGO_SECRET_KEY="$(cat "$STACK_DIR/secret_key")"
  fi
  export DJANGO_SECRET_KEY
}

answers() { # URL: 0 when it answers 200
  "$PY" - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as response:  # noqa: S310
    sys.exit(0 if response.status == 200 else 1)
PY
}

wait_for() { # URL SECONDS
  local tries=$(( $2 * 5 ))
  for _ in $(seq 1 "$tries"); do
    answers "$1" && return 0
    sleep 0.2
  done
  return 1
}

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pid_group() { # PIDFILE NAME: TERM the process group, KILL it after 20 s
  local pidfile="$1" name="$2" pid
  [ -s "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  # The master may be gone (kill -9) while its workers still run: end the whole group.
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pidfile"
  say "$name stopped"
}

start_node() {
  local n="$1" port pidfile
  port="$(node_port "$n")"
  pidfile="$STACK_DIR/web$n.pid"
  alive "$pidfile" && die "node $n already runs (pid $(cat "$pidfile"))"
  app_env
  rm -f "$pidfile"
  # setsid: the node is its own process group, so stopping (or killing) it reaches every
  # worker, and a signal sent to the caller's group does not reach it.
  HOST="$STACK_HOST" PORT="$port" GUNICORN_CONTROL_SOCKET="$STACK_DIR/web$n.ctl" \
    setsid "$PY" -m gunicorn -c config/gunicorn.py config.wsgi --pid "$pidfile" \
    >>"$STACK_DIR/web$n.log" 2>&1 </dev/null &
  if ! wait_for "http://$STACK_HOST:$port/healthz" 60; then
    tail -20 "$STACK_DIR/web$n.log" >&2
    die "node $n did not answer on $STACK_HOST:$port"
  fi
  say "node $n on $STACK_HOST:$port (pid $(cat "$pidfile"), control socket $STACK_DIR/web$n.ctl)"
}

ensure_nginx() {
  if ! command -v nginx >/dev/null 2>&1; then
    say "installing nginx from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
  fi
  command -v envsubst >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext-base >/dev/null
}

render_nginx() {
  mkdir -p "$NGINX_RUN"
  cp deploy/proxy_params.conf "$NGINX_RUN/proxy_params.conf"
  NGINX_LISTEN="$STACK_HOST:$NGINX_PORT" WEB1="$STACK_HOST:$WEB1_PORT" WEB2="$STACK_HOST:$WEB2_PORT" \
    NGINX_RUN="$NGINX_RUN" STATIC_ROOT="$STATIC_ROOT" \
    envsubst '${NGINX_LISTEN} ${WEB1} ${WEB2} ${NGINX_RUN} ${STATIC_ROOT}' \
    <deploy/nginx.conf.template >"$NGINX_RUN/nginx.conf"
  nginx -q -t -p "$NGINX_RUN" -c "$NGINX_RUN/nginx.conf" -e "$NGINX_RUN/error.log"
}

check_redis_bounded() {
  # The page cache is keyed by what visitors ask for; an unbounded Redis grows until the
  # machine runs out of memory. Say so (it is the Redis' own setting, not ours to change).
  command -v redis-cli >/dev/null 2>&1 || return 0
  local limit
  limit="$(redis-cli -u "${REDIS_URL%/*}" config get maxmemory 2>/dev/null | sed -n 2p || true)"
  if [ "$limit" = 0 ]; then
    say "warning: the Redis at REDIS_URL has no maxmemory; run it bounded with LRU eviction, e.g. redis-server --maxmemory 256mb --maxmemory-policy allkeys-lru"
  fi
}

start() {
  # Half a stack is worse than none: a failure part-way stops whatever had started.
  trap 'say "start failed; stopping what had started"; stop' EXIT
  mkdir -p "$STACK_DIR"
  # nginx's workers run as an unprivileged user when started as root: they must be able
  # to reach the static files.
  chmod 755 "$STACK_DIR"
  ensure_nginx
  app_env
  check_redis_bounded
  say "collecting static files into $STATIC_ROOT"
  "$PY" manage.py collectstatic --noinput -v0
  chmod -R a+rX "$STATIC_ROOT"
  if [ "$(id -u)" = 0 ] && ! runuser -u nobody -- test -r "$STATIC_ROOT/staticfiles.json"; then
    die "nginx's workers (user nobody) cannot read $STATIC_ROOT: put STACK_DIR where every folder above it is searchable (o+x), e.g. under /tmp"
  fi
  start_node 1
  start_node 2
  render_nginx
  nginx -p "$NGINX_RUN" -c "$NGINX_RUN/nginx.conf" -e "$NGINX_RUN/error.log"
  if ! wait_for "http://$STACK_HOST:$NGINX_PORT/healthz" 20; then
    cat "$NGINX_RUN/error.log" >&2
    die "nginx did not answer on $STACK_HOST:$NGINX_PORT"
  fi
  trap - EXIT
  say "nginx on http://$STACK_HOST:$NGINX_PORT/ (prefix $NGINX_RUN)"
}

stop() {
  if alive "$NGINX_RUN/nginx.pid"; then
    kill -QUIT "$(cat "$NGINX_RUN/nginx.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$NGINX_RUN/nginx.pid" || break; sleep 0.2; done
    alive "$NGINX_RUN/nginx.pid" && kill -KILL "$(cat "$NGINX_RUN/nginx.pid")" 2>/dev/null
    say "nginx stopped"
  fi
  rm -f "$NGINX_RUN/nginx.pid"
  stop_pid_group "$STACK_DIR/web1.pid" "node 1"
  stop_pid_group "$STACK_DIR/web2.pid" "node 2"
}

status() {
  local code=0
  for n in 1 2; do
    if answers "http://$STACK_HOST:$(node_port "$n")/healthz"; then say "node $n up"; else say "node $n down"; code=1; fi
  done
  if answers "http://$STACK_HOST:$NGINX_PORT/healthz"; then say "nginx up"; else say "nginx down"; code=1; fi
  return "$code"
}

release() {
  mkdir -p "$STACK_DIR"
  app_env
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py load_real_data
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  release) release ;;
  install) ensure_nginx ;;
  start-node) [[ "${2:-}" =~ ^[12]$ ]] || die "start-node 1|2"; mkdir -p "$STACK_DIR"; start_node "$2" ;;
  stop-node) [[ "${2:-}" =~ ^[12]$ ]] || die "stop-node 1|2"; stop_pid_group "$STACK_DIR/web$2.pid" "node $2" ;;
  *) sed -n '2,21p' "$0" >&2; exit 2 ;;
esac
