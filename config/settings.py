"""Settings for the Two Sessions Tracker.

Everything that differs between a laptop and production comes from the environment
(see README.md and .env.example); production differs only by variables.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for developers; the real environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Only a debug run may fall back to a throwaway key: a production start without a
# secret must fail loudly rather than sign sessions with a key from the repo.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in the environment (or set "
            "DJANGO_DEBUG=1 for a local development run)."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-runs"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "csp",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    # The project's apps, in the direction of their dependencies (docs/architecture.md).
    "core",
    "topics",
    "delegates",
    "proposals",
    "government",
    "stats",
    "public",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, so its redirects carry the CORS headers too (/api/ only).
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the URL's prefix (/zh-hans/...); unprefixed is English.
    "django.middleware.locale.LocaleMiddleware",
    # ...except the admin, which speaks each editor's own language.
    "core.middleware.AdminLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records the signed-in user on every historical record saved during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so its 413 carries every header above; it still runs before any view or
    # process_view hook (CSRF's reads the form) touches the body.
    "core.middleware.BodySizeMiddleware",
    # django-axes answers a locked-out login with its lockout page (last, as it asks).
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out account or address before the password is
# even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"

_loaders = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "public.site_facts.site_facts",
            ],
            # Cached loader outside debug: templates are parsed once per worker.
            "loaders": _loaders if DEBUG else [("django.template.loaders.cached.Loader", _loaders)],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# An empty DATABASE_URL (e.g. `DATABASE_URL= make test`) means the default, not an error.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # JIT compiling pays off for long reports, not for a web page's queries: on the facet
    # queries over a million proposals it added 40-50 ms to every one. Name search's
    # fuzzy match (`%`, pg_trgm) takes names at least this similar: at pg_trgm's default
    # of 0.3, "xiaomi" matched 250 generated people called Xiao-something (0.33) while
    # the misspellings it is for ("Lei Jum", 0.6; "Ding Lie", 0.5) score higher. A
    # DATABASE_URL that sets ?options= keeps its own.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c pg_trgm.similarity_threshold=0.45"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file-backed test database lets the suite exercise real SQLite behaviour
    # (constraints, transactions) the same way the served site does.
    DATABASES["default"]["TEST"].setdefault("NAME", str(BASE_DIR / "test_db.sqlite3"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# Where each record lives on the public site. Set here rather than in the models: the
# pages belong to the `public` app, which the models' apps must not depend on.
def _record_url(name: str, value: int | str) -> str:
    # Imported when first called: settings load before the apps.
    from core.urls import record_url

    return record_url(name, value)


ABSOLUTE_URL_OVERRIDES = {
    "proposals.proposal": lambda o: _record_url("public:proposal-detail", o.pk),
    "delegates.delegate": lambda o: _record_url("public:delegate-detail", o.slug),
    "delegates.company": lambda o: _record_url("public:company-detail", o.slug),
    "delegates.annualsession": lambda o: _record_url("public:session-detail", o.year),
    "topics.topic": lambda o: _record_url("public:topic-detail", o.slug),
}

# Redis is a cache, never a dependency: core.redis answers a miss on any error, and
# these socket timeouts bound how long a call may wait for a Redis that hangs (issue 17).
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=0.25)
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://")
    if not env.str("REDIS_URL", default="")
    else {
        "BACKEND": "core.redis.RedisCache",
        "LOCATION": env.str("REDIS_URL"),
        "OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        },
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "npm.finders.NpmFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# django-npm: only the files the site uses leave node_modules.
NPM_ROOT_PATH = str(BASE_DIR)
NPM_STATIC_FILES_PREFIX = "vendor"
NPM_FILE_PATTERNS = {
    "chart.js": ["dist/chart.umd.min.js", "dist/chart.umd.min.js.map", "LICENSE.md"]
}

# --- Security ---------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# --- Trust under faults and abuse (issue 17) ---------------------------------
# The site's origin for absolute links (canonical, hreflang), e.g. https://tracker.example.org;
# unset, the request's own (allowed) host. A disallowed Host gets a 400 page that uses it.
TRACKER_SITE_ORIGIN = env.str("DJANGO_SITE_ORIGIN", default="")
# X-Forwarded-Proto says the request came over https only when a proxy we run sets it
# (deploy/proxy_params.conf does): trusted without one, any client could claim https.
TRACKER_BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
if TRACKER_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Bodies are refused by their Content-Length before anything reads them
# (core.middleware.BodySizeMiddleware, 413): a form's worth on the site, the import's
# 10 MB file in the admin; nginx has the same limits (deploy/nginx.conf.template).
TRACKER_MAX_BODY_BYTES = env.int("TRACKER_MAX_BODY_BYTES", default=1024 * 1024)
TRACKER_MAX_ADMIN_BODY_BYTES = env.int("TRACKER_MAX_ADMIN_BODY_BYTES", default=11 * 1024 * 1024)
# Login throttling (django-axes, issue 17 defect 4): after AXES_FAILURE_LIMIT failed
# logins an account is locked, from anywhere, and so is the address they came from, for
# AXES_COOLOFF_TIME hours or until an admin deletes its access attempts (Axes' admin
# pages). Attempts are kept in the database, so a lockout holds without Redis.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.views.lockout"  # templates/axes/lockout.html, in the admin's look
AXES_CLIENT_IP_CALLABLE = "core.clients.client_ip"
# Uncached anonymous pages each client may have built per window (core.throttle): a
# rate like "120/m", or "off". Cached pages are never counted.
_rate = env.str("TRACKER_UNCACHED_RATE", default="120/m").strip()
TRACKER_UNCACHED_RATE = None if _rate.lower() in ("", "off", "0") else _rate
RATELIMIT_FAIL_OPEN = True  # django-ratelimit: with the cache down, no limit
# Form fields held in memory (Django's own check, for bodies within the limits above).
DATA_UPLOAD_MAX_MEMORY_SIZE = TRACKER_MAX_BODY_BYTES
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Neither scripts nor styles may be inline, on the public pages or in the admin
# (Django 5.2's admin templates carry neither).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGIN_URL = "admin:login"
# Django 6 makes https the default scheme for URL form fields; opt in now.
FORMS_URLFIELD_ASSUME_HTTPS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
}

# Records flagged as generated demo data stay hidden unless this is set (scale issue).
TRACKER_SHOW_GENERATED = env.bool("TRACKER_SHOW_GENERATED", default=False)
# How long a process trusts the data version it last read before asking the cache again
# (core.cache._version): an edit shows on other workers' cached pages within it.
TRACKER_VERSION_HOLD_SECONDS = env.float("TRACKER_VERSION_HOLD_SECONDS", default=1.0)

# --- Exports (public/exports.py, public/export_files.py) ----------------------
# The canonical links in exports and feeds use TRACKER_SITE_ORIGIN (DJANGO_SITE_ORIGIN,
# above): one origin for the whole site.
# Where the export of everything is kept, one file per format and data version.
TRACKER_EXPORT_ROOT = env.path("TRACKER_EXPORT_ROOT", default=BASE_DIR / "var" / "exports")
# A filtered export above this many proposals is refused (400) with a pointer to the
# export of everything and the bulk download: streamed, it could outlast the worker
# timeout (about 0.15 ms a row at 100k on SQLite).
TRACKER_EXPORT_MAX_ROWS = env.int("TRACKER_EXPORT_MAX_ROWS", default=20_000)
# A search matching more proposals than this is listed newest first (unless another
# order is asked for), up to this many, and its facets list options without counts:
# counting and ranking every match of a common word took seconds at a million
# proposals, and costs at most this many matches' reads when bounded.
TRACKER_SEARCH_COUNT_LIMIT = env.int("TRACKER_SEARCH_COUNT_LIMIT", default=5_000)
# Up to this many proposals the export of everything is built by the request that
# first asks (a few seconds); above, by `manage.py build_exports` in the background,
# which needs the data version shared by every process (Redis): with a process-local
# cache each process has its own version, so the request builds it whatever its size.
TRACKER_EXPORT_INLINE_ROWS = env.int("TRACKER_EXPORT_INLINE_ROWS", default=20_000)
TRACKER_EXPORT_IN_BACKGROUND = env.bool(
    "TRACKER_EXPORT_IN_BACKGROUND",
    default=not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")),
)

# --- The public API (/api/v1/, api/) ----------------------------------------------------
# Read-only and anonymous: no authentication classes, so no session is read, no CSRF
# token is ever in an API response (nothing secret for BREACH to find in a gzipped body),
# and requests are throttled per client address.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientThrottle"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # The addresses drf-spectacular writes into the schema come from the request.
    "URL_FORMAT_OVERRIDE": None,
}
# Requests per client address (core.clients: nginx's X-Real-IP behind the proxy).
TRACKER_API_RATE = env.str("TRACKER_API_RATE", default="120/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Two Sessions Tracker API",
    "DESCRIPTION": "Read-only data on the policy proposals China's tech leaders file at the "
    "NPC and CPPCC. Press-derived and partial: see /data/ for the coverage caveats.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    # The docs page's assets come from drf-spectacular-sidecar, served with our static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would fetch a validity badge from validator.swagger.io: off (no CDN,
    # and the CSP would refuse it).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": False,
    "ENUM_NAME_OVERRIDES": {},
}
# CORS: any origin may GET the API (it is public, read-only and sends no cookies).
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
# The bulk downloads (/data/): built once per data version into this folder.
TRACKER_BULK_DIR = env.path("TRACKER_BULK_DIR", default=BASE_DIR / "var" / "bulk")
