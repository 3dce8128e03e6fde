# syntax=docker/dockerfile:1
# nginx for compose.yaml: Debian's package and the same template deploy/stack.sh renders.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx-light gettext-base \
    && rm -rf /var/lib/apt/lists/*
COPY deploy/nginx.conf.template deploy/proxy_params.conf deploy/nginx-entrypoint.sh /etc/tracker-nginx/
EXPOSE 8080
CMD ["sh", "/etc/tracker-nginx/nginx-entrypoint.sh"]
