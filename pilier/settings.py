"""Pilier settings: one file, driven by environment variables.

DATABASE_URL   default: SQLite under var/; a postgres:// URL selects PostgreSQL
SECRET_KEY     default: generated once into var/secret_key (never committed)
DEBUG          default: false
ALLOWED_HOSTS  comma-separated; default: localhost names
EMAIL_URL      default: consolemail:// (mails printed on the console)
"""

import os
import secrets
import tempfile
from pathlib import Path

import environ
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from pilier.lib.private_files import make_private

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PILIER_VAR_DIR", default=str(BASE_DIR / "var")))
# Readable by the owner only, from now on (umask 077) and what is already there (docs/limits.md).
FILE_UPLOAD_TEMP_DIR = VAR_DIR / "tmp"  # uploads over 2.5 MB while their request lasts; deleted after it
make_private(VAR_DIR, upload_temp_dir=FILE_UPLOAD_TEMP_DIR)

env = environ.Env()


def _secret_key() -> str:
    if env.str("SECRET_KEY", default=""):
        return env.str("SECRET_KEY")
    # Generated once per installation and kept out of the repository (var/ is ignored).
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates, for FORM_RENDERER below
    "axes",
    "simple_history",
    "ninja",
    "pilier.accounts",
    "pilier.clients",
    "pilier.policies",
    "pilier.couplings",
    "pilier.couplings.clients",  # label client_imports: the management-software client export
    "pilier.couplings.mypension",  # the MyPension PDF: draft, review, policies
    "pilier.analysis",
    "pilier.backups",  # manage.py backup / restore (docs/backup.md)
    "pilier.followup",  # PRO follow-up and its yearly dashboard
    "pilier.accountants",  # the accountants' directory, the accountant on a file and their portal
    "pilier.team",  # the log of staff management (who changed a role, deactivated an account, when)
    "pilier.portal",  # the client portal, invitations, the Team section of a file
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "pilier.lib.observability.RequestLogMiddleware",  # first: a request id and one JSON line for every request
    "pilier.health.HealthCheckMiddleware",  # /healthz before the host check and the HTTPS redirect (probes)
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "pilier.lib.uploads.RequestSizeMiddleware",  # before the CSRF check reads the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pilier.accounts.middleware.OfficeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "pilier.lib.busy.BusyDatabaseMiddleware",  # last: a view that found the database busy answers 503, not 500
]

ROOT_URLCONF = "pilier.urls"
WSGI_APPLICATION = "pilier.wsgi.application"

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
                "pilier.accounts.context_processors.office",
            ],
            "builtins": ["pilier.templatetags.pilier"],
        },
    }
]
# Fields drawn by templates/forms/field.html ({{ form.x.as_field_group }}): label, widget, help text and
# errors, the widget described by the last two (aria-describedby) and marked aria-invalid when in error.
FORM_RENDERER = "pilier.lib.forms_renderer.FormRenderer"

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'pilier.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids
    # "database is locked" on write transactions that start with a read.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        }
    )
    # Tests on a file, as in production: an in-memory database shares one cache between threads,
    # where concurrent writers fail at once instead of waiting their turn.
    # One file per test process, so that parallel runs never share one.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"pilier-test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clients:list"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes): per account, for a while. The account is its
# address in its one spelling (stripped, lower case: every spelling counts against it). Each failure
# is recorded with the client's address, but the lock is on the account alone: a lock by address
# would lock a whole office behind one NAT address, and one by account and address together is
# never reached before the account's own (same limit).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "pilier.accounts.limits.lockout_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False
# The client's address, for the lockout's records and the API's rate limit: REMOTE_ADDR, or behind
# a reverse proxy the last address of X-Forwarded-For (the one the proxy appended).
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
AXES_CLIENT_IP_CALLABLE = "pilier.accounts.limits.client_ip"
# Invalid bearer tokens from one client address: past this many in a minute, 429 until the minute
# ends. A valid token is never counted nor slowed.
API_INVALID_TOKENS_PER_MINUTE = env.int("API_INVALID_TOKENS_PER_MINUTE", default=30)

# Audit trail (django-simple-history): histories are read object by object (the object's id is
# indexed); an index on the date alone would only slow down every write.
SIMPLE_HISTORY_DATE_INDEX = False

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["pilier.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic puts the files WhiteNoise serves (STATIC_ROOT; a container keeps them in its image).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# collectstatic compresses each file it keeps (gzip and brotli, ~40 s of CPU for the API docs' bundles and
# their source maps): only the hashed names the pages use are kept, and source maps (read by a developer's
# browser tools only) stay uncompressed.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Pilier <no-reply@localhost>")

# Security: strict unless DEBUG; each can be relaxed by its own variable (e.g. behind a
# proxy that terminates TLS, SECURE_SSL_REDIRECT=false).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Content-Security-Policy (django-csp) and Permissions-Policy (django-permissions-policy), on every
# response, DEBUG or not: the pages load only their own scripts, styles and images (no inline
# script, no style attribute, no eval); htmx is told not to inject its indicator <style> (base.html).
# The PDF is drawn by WeasyPrint on the server, where no CSP applies. django-csp leaves out only
# Django's own debug pages (the yellow 404/500 of DEBUG, which need their inline CSS and JS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}
# Features that no page uses, denied to the pages and to anything they might embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    "security.W021",  # HSTS preload is the operator's choice
    # The issue asks to lock the *account* after repeated failures; locking by IP as well
    # would lock a whole office behind one NAT address.
    "axes.W006",
]

# One JSON line per request on stdout (pilier/lib/observability.py, docs/operations.md); Django's own error
# lines ("Internal Server Error") as JSON there too, without their raw path; the rest to stderr at LOG_LEVEL.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "pilier.lib.observability.RequestIdFilter"}},
    "formatters": {"json": {"()": "pilier.lib.observability.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {"class": "pilier.lib.observability.StdoutHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "pilier.request": {
            "handlers": ["requests"],
            "level": env.str("REQUEST_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
        "django.request": {"handlers": ["requests"], "level": "ERROR", "propagate": False},
    },
}

# Errors to Sentry only when SENTRY_DSN is set, personal data scrubbed (pilier/lib/observability.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from pilier.lib.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

MEDIA_ROOT = VAR_DIR / "media"  # uploaded files (portfolio imports): private, never served

# Background jobs: django-tasks with its database backend; `make run` starts one worker.
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}
# /healthz fails when no worker beat for that many seconds (0: reported, never failing; docs/operations.md).
HEALTH_WORKER_MAX_AGE = env.int("HEALTH_WORKER_MAX_AGE", default=60)

# Shared between the web server and the worker (import progress): a folder under var/ by default.
CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

# Request bodies (docs/limits.md; the reverse proxy's own limit should be UPLOAD_MAX_MB + 1 MB). Each
# is refused with a 413 before it is read: a portfolio file (the import page, the API's multipart), the
# records pushed as JSON to the API, and every other body (forms, the API's JSON).
_MB = 1024 * 1024
UPLOAD_MAX_BYTES = int(env.float("UPLOAD_MAX_MB", default=200) * _MB)
IMPORT_JSON_MAX_BYTES = int(env.float("IMPORT_JSON_MAX_MB", default=50) * _MB)
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env.float("REQUEST_MAX_MB", default=1) * _MB)
FILE_UPLOAD_HANDLERS = [
    "pilier.lib.uploads.LimitedUploadHandler",  # first: stops at the limit, whatever Content-Length said
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200  # a larger `limit` is a 422 (pilier/lib/pagination.py)
NINJA_PAGINATION_CLASS = "pilier.lib.pagination.LimitOffset"
CLIENTS_PER_PAGE = 25
