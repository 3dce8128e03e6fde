#!/bin/sh
# Renders deploy/nginx.conf.template from the container's environment (compose.yaml) and
# runs nginx in the foreground, logging to the container's output.
set -eu
mkdir -p "$NGINX_RUN"
cp /etc/tracker-nginx/proxy_params.conf "$NGINX_RUN/proxy_params.conf"
ln -sf /dev/stdout "$NGINX_RUN/access.log"
ln -sf /dev/stderr "$NGINX_RUN/error.log"
# shellcheck disable=SC2016 # the names are envsubst's, not the shell's
envsubst '${NGINX_LISTEN} ${WEB1} ${WEB2} ${NGINX_RUN} ${STATIC_ROOT}' \
  </etc/tracker-nginx/nginx.conf.template >"$NGINX_RUN/nginx.conf"
exec nginx -g 'daemon off;' -p "$NGINX_RUN" -c "$NGINX_RUN/nginx.conf" -e /dev/stderr
