"""Django settings of the Concierge central server, all driven by environment variables.

CONCIERGE_DATA_DIR        where the server keeps its files (default ./var/server): the SQLite
                          database, the generated secret key, collected static files.
CONCIERGE_DATABASE_URL    a database URL (dj-database-url); default SQLite in the data dir.
                          PostgreSQL connections come from a pool per worker process
                          (CONCIERGE_DATABASE_POOL_SIZE, below).
CONCIERGE_REDIS_URL       a Redis URL (redis://host:6379/0) for the cache that rate limits count in;
                          default: a table in the database. Either way every server process shares it.
                          With Redis, workers also learn of broadcast changes through it (pub/sub).
CONCIERGE_SECRET_KEY      the secret key; default: generated once and kept in the data dir.
CONCIERGE_PUBLIC_BASE_URL where phones reach the server (tracking URLs), default http://127.0.0.1:8000.
CONCIERGE_ALLOWED_HOSTS   comma-separated host names, default "*".
CONCIERGE_DEBUG           "1" turns Django's debug mode on (never in production).
CONCIERGE_BEHIND_PROXY    "1" trusts X-Forwarded-Proto from the reverse proxy (deploy/nginx.conf).
CONCIERGE_ENV             "production" refuses to start unless the above suit the internet: debug
                          off, ALLOWED_HOSTS named, an https public URL, behind the TLS proxy.
CONCIERGE_HSTS_SECONDS    how long browsers keep to HTTPS once they have seen it (default a year;
                          sent only when the public URL is https).
CONCIERGE_BLOB_STORAGE    where the bytes of new blobs (pictures, published documents) go: "database"
                          (default, in their Blob rows) or "s3", an S3-compatible bucket (through
                          django-storages) named by the CONCIERGE_S3_* settings below. Blobs stored
                          before stay where they are, and are served from there, until
                          `python -m server move-blobs` moves them into the bucket.
CONCIERGE_S3_BUCKET       the bucket (required with "s3"); its objects are blobs/<sha256>.
CONCIERGE_S3_ENDPOINT_URL the S3-compatible service (MinIO, Ceph, OSS, COS…); default AWS.
CONCIERGE_S3_REGION       its region, if it wants one.
CONCIERGE_S3_ACCESS_KEY   the key pair; default: boto3's own credential chain (AWS_* variables,
CONCIERGE_S3_SECRET_KEY   an instance role).
CONCIERGE_S3_ADDRESSING_STYLE "path" (MinIO, most self-hosted services) or "virtual" (OSS, COS);
                          default: boto3 chooses.
"""
from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from sync.private_files import private_dir, private_file, private_sqlite

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


# Only the server's own user may read its data (0700; files in it 0600): sync/private_files.py.
DATA_DIR = private_dir(Path(os.environ.get("CONCIERGE_DATA_DIR") or "var/server").expanduser().resolve())


def _load_or_create_secret_key(data_dir: Path) -> str:
    """The key from the environment, else the one kept in the data dir, made on first start.

    Created with O_EXCL so two processes starting at once end up sharing one key.
    """
    configured = os.environ.get("CONCIERGE_SECRET_KEY", "").strip()
    if configured:
        return configured
    key_file = data_dir / "secret_key"
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        private_file(key_file)
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    for _ in range(50):  # another process may have created it a moment ago and not written yet
        key = key_file.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{key_file} is empty: delete it and start again")


SECRET_KEY = _load_or_create_secret_key(DATA_DIR)
DEBUG = _flag("CONCIERGE_DEBUG")

# "*" is acceptable for a LAN demo, where kiosks and phones reach the server by whatever IP the
# machine has; production sets CONCIERGE_ALLOWED_HOSTS to the public host name.
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("CONCIERGE_ALLOWED_HOSTS", "*").split(",") if h.strip()]

PUBLIC_BASE_URL = os.environ.get("CONCIERGE_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_public = urlsplit(PUBLIC_BASE_URL)
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"] if _public.netloc else []

# CONCIERGE_ENV=production: the server faces the internet. Refuse settings that only suit a LAN demo.
PRODUCTION = os.environ.get("CONCIERGE_ENV", "").strip().lower() == "production"
if PRODUCTION:
    _problems = [
        message for failed, message in (
            (DEBUG, "CONCIERGE_DEBUG must be off"),
            (not os.environ.get("CONCIERGE_ALLOWED_HOSTS", "").strip() or "*" in ALLOWED_HOSTS,
             "CONCIERGE_ALLOWED_HOSTS must name the public host"),
            (_public.scheme != "https", "CONCIERGE_PUBLIC_BASE_URL must be https"),
            (not _flag("CONCIERGE_BEHIND_PROXY"),
             "CONCIERGE_BEHIND_PROXY must be 1 (TLS ends at the reverse proxy: deploy/nginx.conf)"),
        ) if failed
    ]
    if _problems:
        raise ImproperlyConfigured("CONCIERGE_ENV=production: " + "; ".join(_problems))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "csp",
    "server.malls",
    "server.core",
    "server.accounts",
    "server.content",
    "server.fleet",
    "server.cases",
    "server.reports",
    "server.lostfound",
    "server.notifications",
    "server.broadcasts",
    "server.loans",
    "server.desk",
    "server.wayfinding",
    "server.directory",
    "server.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "server.core.errors.ApiJsonErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "server.core.throttle.ThrottleMiddleware",
    # Last, as django-axes asks: it turns a lock-out found during sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "server.urls"
ASGI_APPLICATION = "server.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "server.core.console.console_sections",
            ],
        },
    },
]


# Bounded concurrency (server/core/overload.py): per worker process, how many requests of each
# lane run at once; the rest wait up to the lane's queue time for a turn, then get 503 with
# Retry-After. Held broadcast polls and live streams do not count once they are only waiting.
CONCIERGE_KIOSK_API_CONCURRENCY = int(os.environ.get("CONCIERGE_KIOSK_API_CONCURRENCY", "6"))
CONCIERGE_KIOSK_API_QUEUE_SECONDS = float(os.environ.get("CONCIERGE_KIOSK_API_QUEUE_SECONDS", "3"))
CONCIERGE_SITE_CONCURRENCY = int(os.environ.get("CONCIERGE_SITE_CONCURRENCY", "4"))
CONCIERGE_SITE_QUEUE_SECONDS = float(os.environ.get("CONCIERGE_SITE_QUEUE_SECONDS", "10"))
# Threads per process that keep a database connection for the kiosk API's hot paths
# (server/core/database_threads.py); 0 runs that work on each request's own thread.
CONCIERGE_DATABASE_THREADS = int(os.environ.get("CONCIERGE_DATABASE_THREADS", "4"))
# PostgreSQL connections per worker process: the database threads, the requests of both lanes,
# and two for the scheduled jobs and the broadcast listener's reads. Workers × this must stay
# under the server's max_connections (100 by default). 0 turns the pool off (a connection per request).
CONCIERGE_DATABASE_POOL_SIZE = int(os.environ.get(
    "CONCIERGE_DATABASE_POOL_SIZE",
    str(CONCIERGE_DATABASE_THREADS + CONCIERGE_KIOSK_API_CONCURRENCY + CONCIERGE_SITE_CONCURRENCY + 2)))


def _database_settings() -> dict:
    """PostgreSQL (or any dj-database-url URL) from the environment, else one SQLite file.

    SQLite gets WAL (readers never block the writer), a busy timeout instead of instant
    "database is locked", and BEGIN IMMEDIATE so concurrent writers queue instead of
    deadlocking when a read transaction tries to upgrade.
    """
    url = os.environ.get("CONCIERGE_DATABASE_URL", "").strip()
    if url:
        database = dj_database_url.parse(url, conn_max_age=0, conn_health_checks=True)
        if database["ENGINE"] == "django.db.backends.postgresql" and CONCIERGE_DATABASE_POOL_SIZE:
            # A pool per process (psycopg_pool): a request borrows an open connection instead of
            # opening one (most of a kiosk request's cost), and waits for one rather than opening
            # more than PostgreSQL's max_connections allows.
            database.setdefault("OPTIONS", {})["pool"] = {
                "min_size": min(2, CONCIERGE_DATABASE_POOL_SIZE),
                "max_size": CONCIERGE_DATABASE_POOL_SIZE,
                "timeout": 10,
            }
    else:
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "server.sqlite3")}
    if database["ENGINE"] == "django.db.backends.sqlite3":
        if database["NAME"] != ":memory:":
            private_sqlite(Path(database["NAME"]))
        database.setdefault("OPTIONS", {}).update(
            {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            }
        )
        # Tests use a file too (not Django's shared in-memory database), so that concurrent
        # requests in tests lock the way they do in production.
        database.setdefault("TEST", {}).setdefault("NAME", str(DATA_DIR / "test-server.sqlite3"))
    return database


DATABASES = {"default": _database_settings()}


# Redis, when named, is also how the workers tell each other that broadcasts changed (server/core/pubsub.py).
CONCIERGE_REDIS_URL = os.environ.get("CONCIERGE_REDIS_URL", "").strip()


def _cache_settings() -> dict:
    """Redis when configured: the rate limits count there (server.core.throttle). Without it they
    count in a table of the database, and nothing shared is kept in the cache: each process's own."""
    if CONCIERGE_REDIS_URL:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CONCIERGE_REDIS_URL,
                "KEY_PREFIX": "concierge"}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


CACHES = {"default": _cache_settings()}


def _storage_settings() -> dict:
    """Django's two default storages, plus "blobs", the bucket, when CONCIERGE_BLOB_STORAGE is "s3"
    (server/content/blob_store.py writes there; without it blob bytes stay in the database)."""
    storages: dict = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    kind = os.environ.get("CONCIERGE_BLOB_STORAGE", "").strip().lower() or "database"
    if kind == "database":
        return storages
    if kind != "s3":
        raise ImproperlyConfigured(f'CONCIERGE_BLOB_STORAGE must be "database" or "s3", not {kind!r}')
    bucket = os.environ.get("CONCIERGE_S3_BUCKET", "").strip()
    if not bucket:
        raise ImproperlyConfigured('CONCIERGE_BLOB_STORAGE="s3" needs CONCIERGE_S3_BUCKET')
    options = {
        "bucket_name": bucket,
        "endpoint_url": os.environ.get("CONCIERGE_S3_ENDPOINT_URL", "").strip() or None,
        "region_name": os.environ.get("CONCIERGE_S3_REGION", "").strip() or None,
        "access_key": os.environ.get("CONCIERGE_S3_ACCESS_KEY", "").strip() or None,
        "secret_key": os.environ.get("CONCIERGE_S3_SECRET_KEY", "").strip() or None,
        "addressing_style": os.environ.get("CONCIERGE_S3_ADDRESSING_STYLE", "").strip() or None,
        # Content-addressed: the same name is the same bytes, so writing it again is harmless.
        "file_overwrite": True,
        "default_acl": None,  # private objects: kiosks get blobs through the server, never the bucket
    }
    storages["blobs"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    return storages


STORAGES = _storage_settings()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/console/"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in lock-out (django-axes, both /accounts/login/ and /admin/login/): 10 wrong passwords for
# one account, or from one client address, lock it; the lock lifts after the cool-off (each try
# while locked starts it again) or when an administrator deletes the attempt in the admin or runs
# `python -m server axes_reset_username NAME` / `axes_reset_ip ADDRESS`. Attempts are rows in the
# database, so every server process sees the same count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 10
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CONCIERGE_LOGIN_LOCKOUT_MINUTES", "30")))
AXES_CLIENT_IP_CALLABLE = "server.core.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "server.accounts.lockout.locked_out_page"
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no "AXES: BEGIN" line on every command and server start
"""Only failed attempts are kept (they make the lock-out); a log of every successful sign-in's
address and browser is personal data nothing here needs (PIPL: collect only what the purpose needs)."""

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
    ("zh-hant", "繁體中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# Static files are served by the app itself (server.urls), from the apps' static folders:
# no CDN, no separate web server needed for the demo; nginx may serve STATIC_ROOT in production.
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"

# Security. An https public URL means TLS ends at the reverse proxy, which tells the server in
# X-Forwarded-Proto (CONCIERGE_BEHIND_PROXY=1): plain-HTTP requests are redirected, cookies are
# secure-only and browsers are told to keep to HTTPS (HSTS) for the host and its subdomains.
_https = _public.scheme == "https"
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
# systemd and load balancers check health from the machine itself, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("CONCIERGE_HSTS_SECONDS", str(365 * 24 * 3600))) if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Tracking URLs carry a secret token in the path: never send it to another site as a Referer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts and styles only from our own
# server (nothing from a CDN: the product runs in mainland China), no inline script, inline
# <style> blocks only with the response's nonce, no style attributes, no frames, no plugins.
# Images: our own blobs and data: URLs (the icons in the API docs' stylesheet).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
if _flag("CONCIERGE_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False

# Request bodies: kiosk uploads are small JSON; anything bigger than this is refused (413/400).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Admin image uploads (blobs) may be bigger; they are stored in the database or the bucket (STORAGES).
MAX_BLOB_BYTES = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Any file Django writes to disk (collectstatic, a storage) is private like the rest of DATA_DIR.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Sync protocol knobs.
CONCIERGE_HEARTBEAT_POLL_SECONDS = int(os.environ.get("CONCIERGE_HEARTBEAT_POLL_SECONDS", "60"))
# A device key checked this recently opens heartbeats, broadcast polls and acknowledgements without
# the database (server/fleet/key_cache.py): a revoked key keeps working this long in other workers.
CONCIERGE_DEVICE_KEY_CACHE_SECONDS = float(os.environ.get("CONCIERGE_DEVICE_KEY_CACHE_SECONDS", "10"))
# How long uvicorn keeps an idle kiosk connection open: longer than the heartbeat interval, so a
# kiosk reuses its connection instead of finding it closed (nginx's upstream keep-alive is shorter).
CONCIERGE_KEEP_ALIVE_SECONDS = int(os.environ.get(
    "CONCIERGE_KEEP_ALIVE_SECONDS", str(CONCIERGE_HEARTBEAT_POLL_SECONDS + 15)))
# Kiosks ask what the desk can lend (wheelchairs, prams…) this often; they show it for 5 minutes.
CONCIERGE_AVAILABILITY_POLL_SECONDS = int(os.environ.get("CONCIERGE_AVAILABILITY_POLL_SECONDS", "30"))
# Kiosks ask for notices and emergencies at most this often; the server holds each ask up to
# the long-poll time while nothing changes (0: a plain fast poll).
CONCIERGE_BROADCAST_POLL_SECONDS = int(os.environ.get("CONCIERGE_BROADCAST_POLL_SECONDS", "2"))
CONCIERGE_BROADCAST_LONG_POLL_SECONDS = int(os.environ.get("CONCIERGE_BROADCAST_LONG_POLL_SECONDS", "50"))
# How often a worker with held polls re-reads the broadcasts (server/broadcasts/watch.py): every
# CHECK seconds when nothing tells it of changes (SQLite without Redis), else every RECHECK
# seconds in case a message was lost.
CONCIERGE_BROADCAST_CHECK_SECONDS = float(os.environ.get("CONCIERGE_BROADCAST_CHECK_SECONDS", "0.25"))
CONCIERGE_BROADCAST_RECHECK_SECONDS = float(os.environ.get("CONCIERGE_BROADCAST_RECHECK_SECONDS", "30"))
# Rate limits per client address, counted in the shared cache (server/core/throttle.py): kiosk
# enrolment (API), sign-in attempts, and the phone pages strangers reach.
CONCIERGE_ENROLL_RATE = os.environ.get("CONCIERGE_ENROLL_RATE", "30/m")
CONCIERGE_LOGIN_RATE = os.environ.get("CONCIERGE_LOGIN_RATE", "30/m")
CONCIERGE_TRACKING_RATE = os.environ.get("CONCIERGE_TRACKING_RATE", "60/m")
CONCIERGE_ROUTE_RATE = os.environ.get("CONCIERGE_ROUTE_RATE", "120/m")
# URL name: (what is counted, rate, the methods counted; None: all).
CONCIERGE_THROTTLED_VIEWS = {
    "accounts:login": ("login", CONCIERGE_LOGIN_RATE, ("POST",)),
    "admin:login": ("login", CONCIERGE_LOGIN_RATE, ("POST",)),
    "cases:track": ("tracking", CONCIERGE_TRACKING_RATE, None),
    "cases:track_reply": ("tracking", CONCIERGE_TRACKING_RATE, None),
    "cases:track_rate": ("tracking", CONCIERGE_TRACKING_RATE, None),
    "notifications:tracking_stream": ("tracking", CONCIERGE_TRACKING_RATE, None),
    "wayfinding:route": ("route", CONCIERGE_ROUTE_RATE, None),
}
CONCIERGE_ENROLLMENT_CODE_HOURS = int(os.environ.get("CONCIERGE_ENROLLMENT_CODE_HOURS", "72"))
# Days after a case is finished before the visitor's contact details are erased and the
# tracking link stops working (PIPL: keep personal data no longer than needed).
CONCIERGE_CONTACT_RETENTION_DAYS = int(os.environ.get("CONCIERGE_CONTACT_RETENTION_DAYS", "90"))

# Notifications (server/notifications). E-mail goes to the SMTP server named here; SMS to the
# mall's gateway (a JSON POST with the key as bearer token). CONCIERGE_NOTIFY_AT_ONCE=0 leaves
# sending to the scheduled job alone (every minute under `serve`).
EMAIL_BACKEND = os.environ.get("CONCIERGE_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("CONCIERGE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CONCIERGE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CONCIERGE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CONCIERGE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("CONCIERGE_EMAIL_STARTTLS")
EMAIL_USE_SSL = _flag("CONCIERGE_EMAIL_SSL")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("CONCIERGE_EMAIL_FROM", "concierge@localhost")
CONCIERGE_SMS_GATEWAY_URL = os.environ.get("CONCIERGE_SMS_GATEWAY_URL", "").strip()
CONCIERGE_SMS_GATEWAY_KEY = os.environ.get("CONCIERGE_SMS_GATEWAY_KEY", "")
CONCIERGE_SMS_SIGNATURE = os.environ.get("CONCIERGE_SMS_SIGNATURE", "")
CONCIERGE_NOTIFY_AT_ONCE = os.environ.get("CONCIERGE_NOTIFY_AT_ONCE", "1").strip().lower() in {"1", "true", "yes", "on"}
CONCIERGE_DEADLINE_NEAR_MINUTES = int(os.environ.get("CONCIERGE_DEADLINE_NEAR_MINUTES", "60"))
# How often a live console or tracking page's stream looks for changes, and how long one lasts.
CONCIERGE_LIVE_CHECK_SECONDS = float(os.environ.get("CONCIERGE_LIVE_CHECK_SECONDS", "1"))
CONCIERGE_LIVE_STREAM_SECONDS = int(os.environ.get("CONCIERGE_LIVE_STREAM_SECONDS", "55"))

NINJA_NUM_PROXIES = 1 if _flag("CONCIERGE_BEHIND_PROXY") else 0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
