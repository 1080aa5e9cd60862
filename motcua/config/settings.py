"""motcua settings: one module, every variable read from the environment (see .env.example)."""

from __future__ import annotations

import re
from pathlib import Path

import dj_database_url
import plotly
from django.core.exceptions import ImproperlyConfigured

from motcua.config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("MOTCUA_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# The demo (`scripts/demo`) is the only place DEBUG is on; production and tests keep it off.
DEBUG = env_bool("MOTCUA_DEBUG", default=False)
SECRET_KEY = env_str("MOTCUA_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("MOTCUA_ALLOW_INSECURE_KEY", default=False):
        raise ImproperlyConfigured(
            "MOTCUA_SECRET_KEY is not set. Set it in the environment "
            "(or MOTCUA_DEBUG=1 for the local demo)."
        )
    SECRET_KEY = "insecure-local-only-key-do-not-use-in-production"  # noqa: S105


def _audit_keys() -> tuple[str, dict[str, str]]:
    """The audit chain's keys (docs/decisions/0007-audit-chain.md), never stored in the
    database: `MOTCUA_AUDIT_KEY` seals what is written now, `MOTCUA_AUDIT_RETIRED_KEYS` (a
    comma-separated list) still verifies what older keys sealed. Each is `<id>:<secret>`."""
    current = env_str("MOTCUA_AUDIT_KEY", "")
    if not current:
        if not DEBUG:
            raise ImproperlyConfigured(
                "MOTCUA_AUDIT_KEY is not set: set it to <id>:<secret> (a long random secret, "
                "kept outside the database; or MOTCUA_DEBUG=1 for the local demo)."
            )
        current = "demo:motcua-demo-audit-key-not-secret"
    keys: dict[str, str] = {}
    for name, value in [("MOTCUA_AUDIT_KEY", current)] + [
        ("MOTCUA_AUDIT_RETIRED_KEYS", item) for item in env_list("MOTCUA_AUDIT_RETIRED_KEYS", [])
    ]:
        key_id, _, secret = value.partition(":")
        if not re.fullmatch(r"[a-z0-9-]{1,16}", key_id) or len(secret) < 16:
            raise ImproperlyConfigured(
                f"{name} must be <id>:<secret>, an id of 1-16 lower-case letters, digits or "
                "dashes and a secret of at least 16 characters."
            )
        keys.setdefault(key_id, secret)
    return current.partition(":")[0], keys


AUDIT_KEY_ID, AUDIT_KEYS = _audit_keys()

ALLOWED_HOSTS = env_list("MOTCUA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("MOTCUA_CSRF_TRUSTED_ORIGINS", [])
# A refused CSRF check is a styled page in the user's language (JSON under /api/).
CSRF_FAILURE_VIEW = "motcua.config.error_pages.csrf_failure"
# Absolute base URL printed in QR codes on official papers (the public lookup page).
PUBLIC_BASE_URL = env_str("MOTCUA_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "motcua.core",
    "motcua.accounts",
    "motcua.catalog",
    "motcua.calendars",
    "motcua.dossiers",
    "motcua.documents",
    "motcua.citizens",
    "motcua.notifications",
    "motcua.outbox",
    "motcua.feedback",
    "motcua.reports",
    "motcua.queueing",
    "motcua.integrations.national_portal",
    "motcua.portal",
    "motcua.backoffice",
    "motcua.api",
    "motcua.cli",
    # After motcua.cli, so that `motcua db_worker` is ours (it outlives its database and
    # reclaims the work of dead workers; see motcua/notifications/worker.py).
    "django_tasks",
    "django_tasks_db",
    # Django's form widget templates, found through TEMPLATES so that ours can replace one
    # (FORM_RENDERER below).
    "django.forms",
]
# Forms render through TEMPLATES: motcua/templates/django/forms/widgets/select_option.html
# words the empty choice for people instead of Django's "---------", on every form, the
# administration's included.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "motcua.core.middleware.ContentSecurityPolicyMiddleware",
    # Before anything reads a body: one over the limit is refused unread (core/body_limit.py).
    "motcua.core.body_limit.BodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An address with a NUL in its path or query is not found (404) before a view reads it.
    "motcua.core.middleware.RefuseNulCharacterMiddleware",
    # Changes to the reference data are logged as made by the signed-in user (core/changes.py).
    "motcua.core.changes.ActorMiddleware",
    "motcua.accounts.middleware.CitizensOutOfBackOfficeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it wraps the view alone: a view that lost its database connection is run
    # once more on a fresh one when that cannot apply a write twice (motcua/core/connections.py).
    "motcua.core.connections.RetryOnLostConnectionMiddleware",
]

ROOT_URLCONF = "motcua.config.urls"
WSGI_APPLICATION = "motcua.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "motcua.accounts.context_processors.pages",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    default_url = f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"
    url = env_str("DATABASE_URL", default_url)
    if not url.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with sqlite:// or postgres://, got {url!r}"
        )
    # Persistent connections, checked (SELECT 1) before the first query of each request or task
    # that reuses one, so a connection the server dropped in between costs nothing.
    config: dict[str, object] = dict(
        dj_database_url.parse(
            url, conn_max_age=env_int("MOTCUA_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock at BEGIN, so concurrent intakes queue instead of
        # failing half-way with "database is locked"; WAL lets readers run alongside.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["TEST"] = {"NAME": env_str("MOTCUA_SQLITE_TEST_NAME", "") or None}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

CACHES = {
    # Shared by every web process (public statistics): the database by default.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "motcua_cache",
    }
}
if env_str("MOTCUA_REDIS_URL", ""):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("MOTCUA_REDIS_URL", ""),
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "portal:lookup"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "motcua" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# plotly.js is served from the plotly package itself (no CDN, no copy in the repository).
STATICFILES_DIRS = [
    BASE_DIR / "motcua" / "static",
    ("plotly", Path(plotly.__file__).resolve().parent / "package_data"),
]


def _default_storage() -> dict[str, object]:
    """Documents on the filesystem by default; on S3-compatible object storage (MinIO, Viettel,
    VNPT, AWS…) through django-storages when MOTCUA_STORAGE=s3."""
    kind = env_str("MOTCUA_STORAGE", "filesystem")
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("MOTCUA_S3_BUCKET", "motcua"),
                "endpoint_url": env_str("MOTCUA_S3_ENDPOINT_URL", "") or None,
                "region_name": env_str("MOTCUA_S3_REGION", "") or None,
                "access_key": env_str("MOTCUA_S3_ACCESS_KEY", ""),
                "secret_key": env_str("MOTCUA_S3_SECRET_KEY", ""),
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
            },
        }
    raise ImproperlyConfigured(f"MOTCUA_STORAGE must be filesystem or s3, got {kind!r}")


STORAGES = {
    "default": _default_storage(),
    "staticfiles": {
        "BACKEND": env_str(
            "MOTCUA_STATICFILES_STORAGE",
            "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded scans and results (PDF, JPEG, PNG): at most this many bytes each.
DOCUMENT_MAX_BYTES = env_int("MOTCUA_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Any request body: refused with 413 before it is read when larger (a document and its form).
REQUEST_BODY_MAX_BYTES = env_int("MOTCUA_REQUEST_BODY_MAX_BYTES", DOCUMENT_MAX_BYTES + 1024 * 1024)

# The certificate that signs electronic results (docs/domain/e-results.md): a PKCS#12 archive,
# or a PEM certificate and key; the CA certificates of its chain; the passphrase. Files named by
# the environment, never stored in the database.
SIGNING = {
    "pkcs12": env_str("MOTCUA_SIGNING_PKCS12", ""),
    "certificate": env_str("MOTCUA_SIGNING_CERT", ""),
    "key": env_str("MOTCUA_SIGNING_KEY", ""),
    "chain": env_list("MOTCUA_SIGNING_CHAIN", []),
    "passphrase": env_str("MOTCUA_SIGNING_PASSPHRASE", ""),
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Background work (notifications and their retries): the database queue; run
# `motcua db_worker` next to the web servers (it uses SELECT … SKIP LOCKED on PostgreSQL).
TASKS = {"default": {"BACKEND": env_str("MOTCUA_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Each worker proves it is alive every HEARTBEAT seconds; one silent for TIMEOUT seconds is
# dead, and the task it was running goes back to the queue (motcua/notifications/worker.py).
TASK_WORKER_HEARTBEAT = env_int("MOTCUA_TASK_WORKER_HEARTBEAT", 5)
TASK_WORKER_TIMEOUT = env_int("MOTCUA_TASK_WORKER_TIMEOUT", 30)
if not 0 < 2 * TASK_WORKER_HEARTBEAT <= TASK_WORKER_TIMEOUT:
    raise ImproperlyConfigured(
        "MOTCUA_TASK_WORKER_TIMEOUT must be at least twice MOTCUA_TASK_WORKER_HEARTBEAT "
        f"(got {TASK_WORKER_TIMEOUT} and {TASK_WORKER_HEARTBEAT})"
    )

# Notifications to applicants: e-mail through Django's SMTP backend, SMS through a provider.
EMAIL_BACKEND = env_str("MOTCUA_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("MOTCUA_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("MOTCUA_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("MOTCUA_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("MOTCUA_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MOTCUA_EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("MOTCUA_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("MOTCUA_DEFAULT_FROM_EMAIL", "motcua <no-reply@motcua.invalid>")
SMS_PROVIDER = env_str("MOTCUA_SMS_PROVIDER", "motcua.notifications.sms.LoggingProvider")
NOTIFICATION_MAX_ATTEMPTS = env_int("MOTCUA_NOTIFICATION_MAX_ATTEMPTS", 5)

# The outbox (motcua/outbox/, docs/decisions/0011-outbox.md): every dossier event becomes one
# message per destination in use, delivered in order per dossier by the task workers.
OUTBOX_DESTINATIONS = env_list("MOTCUA_OUTBOX_DESTINATIONS", ["notifications"])
OUTBOX_MAX_ATTEMPTS = env_int("MOTCUA_OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_FIRST_RETRY = env_int("MOTCUA_OUTBOX_FIRST_RETRY", 30)  # seconds; then ×4 each time
OUTBOX_LONGEST_RETRY = env_int("MOTCUA_OUTBOX_LONGEST_RETRY", 3600)
# After its own message, a delivery run takes the next ready messages of the same remote
# destination, this many at a time (0: one message per run), for at most OUTBOX_BATCH_ROUNDS.
OUTBOX_BATCH_SIZE = env_int("MOTCUA_OUTBOX_BATCH_SIZE", 100)
OUTBOX_BATCH_ROUNDS = env_int("MOTCUA_OUTBOX_BATCH_ROUNDS", 20)
OUTBOX_WEBHOOK_URL = env_str("MOTCUA_OUTBOX_WEBHOOK_URL", "")
OUTBOX_WEBHOOK_SECRET = env_str("MOTCUA_OUTBOX_WEBHOOK_SECRET", "")
OUTBOX_WEBHOOK_EVENTS = env_list("MOTCUA_OUTBOX_WEBHOOK_EVENTS", [])
OUTBOX_WEBHOOK_TIMEOUT = env_int("MOTCUA_OUTBOX_WEBHOOK_TIMEOUT", 10)
# The national public service portal (DVCQG) connector (docs/integrations/national-portal.md):
# its base URL and the paths of its endpoints, the shared secret that signs both directions
# (environment only), and the receiving one-stop of dossiers that name none.
NATIONAL_PORTAL_URL = env_str("MOTCUA_NATIONAL_PORTAL_URL", "").rstrip("/")
NATIONAL_PORTAL_SECRET = env_str("MOTCUA_NATIONAL_PORTAL_SECRET", "")
NATIONAL_PORTAL_TIMEOUT = env_int("MOTCUA_NATIONAL_PORTAL_TIMEOUT", 10)
NATIONAL_PORTAL_UNIT = env_str("MOTCUA_NATIONAL_PORTAL_UNIT", "")
NATIONAL_PORTAL_PULL_PATH = env_str("MOTCUA_NATIONAL_PORTAL_PULL_PATH", "/hoso/moi")
NATIONAL_PORTAL_STATUS_PATH = env_str("MOTCUA_NATIONAL_PORTAL_STATUS_PATH", "/hoso/dongbo")
NATIONAL_PORTAL_REMOTE_STATUS_PATH = env_str(
    "MOTCUA_NATIONAL_PORTAL_REMOTE_STATUS_PATH", "/hoso/trangthai"
)
NATIONAL_PORTAL_CATALOGUE_PATH = env_str("MOTCUA_NATIONAL_PORTAL_CATALOGUE_PATH", "/thutuc")
NATIONAL_PORTAL_ACK_PATH = env_str("MOTCUA_NATIONAL_PORTAL_ACK_PATH", "/hoso/danhan")
# How old a pushed message's X-Motcua-Timestamp may be (seconds) before it is refused.
NATIONAL_PORTAL_MAX_SKEW = env_int("MOTCUA_NATIONAL_PORTAL_MAX_SKEW", 300)

# Security: safe by default; the demo on http://127.0.0.1 turns the HTTPS-only flags off.
HTTPS = env_bool("MOTCUA_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("MOTCUA_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; frame-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)

# Throttles (docs/decisions/0006-throttles.md) keep their state in Redis when MOTCUA_REDIS_URL
# is set (run it with maxmemory-policy noeviction), in a database table otherwise; never in
# the cache, which culls.
THROTTLE_REDIS_URL = env_str("MOTCUA_REDIS_URL", "")
THROTTLE_KEY_PREFIX = env_str("MOTCUA_THROTTLE_KEY_PREFIX", "motcua:")
# Login: failures per login name and client address within the window lock it for LOCK seconds.
LOGIN_MAX_ATTEMPTS = env_int("MOTCUA_LOGIN_MAX_ATTEMPTS", 5)
LOGIN_WINDOW_SECONDS = env_int("MOTCUA_LOGIN_WINDOW_SECONDS", 900)
LOGIN_LOCK_SECONDS = env_int("MOTCUA_LOGIN_LOCK_SECONDS", LOGIN_WINDOW_SECONDS)
# Public lookup: at most this many requests per client address in any sliding window.
LOOKUP_MAX_REQUESTS = env_int("MOTCUA_LOOKUP_MAX_REQUESTS", 30)
LOOKUP_WINDOW_SECONDS = env_int("MOTCUA_LOOKUP_WINDOW_SECONDS", 60)
# Wrong second factors (phone digits) per dossier before its personal data is locked.
LOOKUP_MAX_SECOND_FACTOR_FAILURES = env_int("MOTCUA_LOOKUP_MAX_SECOND_FACTOR_FAILURES", 5)
LOOKUP_SECOND_FACTOR_LOCK_SECONDS = env_int("MOTCUA_LOOKUP_SECOND_FACTOR_LOCK_SECONDS", 3600)
# Ratings (docs/domain/ratings.md): a rating may be changed for this long after it was first
# given; a dossier may be rated until this many days after it ended; the counter's tablet
# offers a served visit for this many minutes; one device or address sends at most
# RATING_MAX_REQUESTS rating forms in any RATING_WINDOW_SECONDS.
RATING_CHANGE_MINUTES = env_int("MOTCUA_RATING_CHANGE_MINUTES", 1440)
RATING_OPEN_DAYS = env_int("MOTCUA_RATING_OPEN_DAYS", 30)
RATING_TABLET_MINUTES = env_int("MOTCUA_RATING_TABLET_MINUTES", 10)
RATING_MAX_REQUESTS = env_int("MOTCUA_RATING_MAX_REQUESTS", 10)
RATING_WINDOW_SECONDS = env_int("MOTCUA_RATING_WINDOW_SECONDS", 600)
# Online appointment booking (the hall): at most this many booking forms per client address in
# any window (docs/domain/hall.md#appointments).
HALL_BOOKING_MAX_REQUESTS = env_int("MOTCUA_HALL_BOOKING_MAX_REQUESTS", 10)
HALL_BOOKING_WINDOW_SECONDS = env_int("MOTCUA_HALL_BOOKING_WINDOW_SECONDS", 600)
# Call screens (docs/decisions/0010-hall-queue.md): at most this many live streams per web
# process hold a thread; a screen beyond them is answered at once and reconnects, so screens
# never take the threads kiosks and counters need. Keep it well under gunicorn's --threads
# (0 with sync workers: every screen then reconnects every RECONNECT seconds).
HALL_STREAMS_PER_PROCESS = env_int("MOTCUA_HALL_STREAMS_PER_PROCESS", 4)

# The citizen portal (/cong-dan/, docs/integrations/citizen-portal.md): citizens sign in with
# the province's identity provider through OpenID Connect (authorisation code with PKCE and a
# nonce; mozilla-django-oidc). Off unless MOTCUA_OIDC_CLIENT_ID and the provider's endpoints
# are set; then /cong-dan/ serves the portal, else it answers 404.
OIDC_RP_CLIENT_ID = env_str("MOTCUA_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("MOTCUA_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("MOTCUA_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("MOTCUA_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("MOTCUA_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("MOTCUA_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("MOTCUA_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("MOTCUA_OIDC_SCOPES", "openid profile")
OIDC_TIMEOUT = env_int("MOTCUA_OIDC_TIMEOUT", 10)
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "portal:citizen_callback"
# Which claims carry what (the provider's names): the person's name, their personal
# identification number, and the assurance level; the levels that count as verified.
CITIZEN_CLAIMS = {
    "name": env_str("MOTCUA_OIDC_NAME_CLAIM", "name"),
    "id_number": env_str("MOTCUA_OIDC_ID_NUMBER_CLAIM", "id_number"),
    "level": env_str("MOTCUA_OIDC_LEVEL_CLAIM", "identity_level"),
}
CITIZEN_VERIFIED_LEVELS = env_list("MOTCUA_OIDC_VERIFIED_LEVELS", ["2"])
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "motcua.portal.citizen_signin.CitizenBackend",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MOTCUA_LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
