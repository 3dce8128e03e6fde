# syntax=docker/dockerfile:1
# Node only builds the npm packages; the runtime image is slim Python with no Node.

FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000
WORKDIR /app
# gettext compiles the interface's translations (.po -> .mo) at build time.
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 tracker \
    && mkdir -p /srv/static && chown tracker /srv/static
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY --from=assets /build/node_modules ./node_modules
COPY . .
# Static files are collected, hashed and compressed at build time; the key is a
# throwaway because collectstatic needs settings, not secrets.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_DEBUG=0 python manage.py collectstatic --noinput \
    && DJANGO_SECRET_KEY=compilemessages-only DJANGO_DEBUG=0 python manage.py compilemessages --ignore=node_modules
USER tracker
EXPOSE 8000
# Migrations run at release (see compose.yaml's `release` service), not at boot; the
# release also collects static files into /srv/static, a volume nginx serves.
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
