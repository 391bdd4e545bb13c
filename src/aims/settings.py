"""Settings, read from the environment (AIMS_*). The defaults make `make run` work with no server:
SQLite under ./var/, a secret key generated there on first run, DEBUG off."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("AIMS_VAR_DIR", Path.cwd() / "var")).resolve()


def envbool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker and systemd credentials)."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return None


def _secret_key() -> str:
    key = envsecret("AIMS_SECRET_KEY")
    if key:
        return key
    # Generated once into ./var/ so sessions survive restarts; never committed (var/ is ignored).
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("AIMS_DEBUG", False)
ALLOWED_HOSTS = envlist("AIMS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("AIMS_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("AIMS_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "aims.core",
    "aims.inventory",
    "aims.governance",
    "aims.risk",
    "aims.compliance",
    "aims.lifecycle",
    "aims.monitoring",
    "aims.assurance",
    "aims.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "aims.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aims.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "aims.core.middleware.SessionTimeoutMiddleware",
    "aims.core.middleware.MfaEnforcementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "aims.core.middleware.CurrentOrganizationMiddleware",
]

ROOT_URLCONF = "aims.urls"
WSGI_APPLICATION = "aims.wsgi.application"
ASGI_APPLICATION = "aims.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "aims.core.context_processors.organization",
                "aims.core.context_processors.navigation",
                "aims.core.oidc.context",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'aims.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("AIMS_DATABASE_URL", _default_db), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker and the web process read while the other writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["aims.core.auth.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Failed logins: after this many failures for one account or one address within the window, refuse.
AIMS_LOGIN_FAILURE_LIMIT = envint("AIMS_LOGIN_FAILURE_LIMIT", 5)
AIMS_LOGIN_FAILURE_WINDOW = envint("AIMS_LOGIN_FAILURE_WINDOW", 900)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("AIMS_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("AIMS_STATIC_ROOT") or None  # only for `collectstatic` behind a web server
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded files are written to a temp file, fsynced and renamed: a crash never leaves a short
    # file under a name a row points to (aims.core.storage).
    "default": {"BACKEND": "aims.core.storage.DurableFileSystemStorage"},
    # Whitenoise serves the vendored assets straight from the package (no collectstatic step), so
    # a fresh clone serves pages with no build; names are stable, so browsers revalidate them.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
AIMS_MAX_UPLOAD_BYTES = envint("AIMS_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
AIMS_IMPORT_MAX_ROWS = envint("AIMS_IMPORT_MAX_ROWS", 50_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = AIMS_MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Larger uploads are spooled here rather than in the system's /tmp, so what a killed process leaves
# is swept when `aims serve` starts (aims.core.storage.sweep), like partial files under MEDIA_ROOT.
FILE_UPLOAD_TEMP_DIR: str | None = str(VAR_DIR / "tmp" / "uploads")
try:
    os.makedirs(FILE_UPLOAD_TEMP_DIR, exist_ok=True)
except OSError:  # a read-only var folder: the system's temp folder
    FILE_UPLOAD_TEMP_DIR = None
# Temp and orphan files younger than this are left alone by the sweep (an upload in progress in
# another process); a crash's leftovers are older.
AIMS_UPLOAD_SWEEP_GRACE_SECONDS = envint("AIMS_UPLOAD_SWEEP_GRACE_SECONDS", 15 * 60)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if envbool("AIMS_TASKS_IMMEDIATE"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Security. Cookies are Secure unless explicitly served over plain HTTP (the local quick start).
AIMS_HTTPS = envbool("AIMS_HTTPS", False)
SESSION_COOKIE_SECURE = AIMS_HTTPS
CSRF_COOKIE_SECURE = AIMS_HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
AIMS_SESSION_IDLE_SECONDS = envint("AIMS_SESSION_IDLE_SECONDS", 30 * 60)
AIMS_SESSION_ABSOLUTE_SECONDS = envint("AIMS_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = AIMS_SESSION_ABSOLUTE_SECONDS
PASSWORD_RESET_TIMEOUT = envint("AIMS_PASSWORD_RESET_SECONDS", 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = AIMS_HTTPS and envbool("AIMS_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("AIMS_HSTS_SECONDS", 31536000) if AIMS_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = AIMS_HTTPS
SECURE_HSTS_PRELOAD = AIMS_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("AIMS_BEHIND_PROXY") else None

# Webhooks to private or loopback addresses are refused (server-side request forgery) unless allowed.
AIMS_WEBHOOK_ALLOW_PRIVATE = envbool("AIMS_WEBHOOK_ALLOW_PRIVATE", False)

EMAIL_BACKEND = os.environ.get("AIMS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("AIMS_FROM_EMAIL", "aims@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("AIMS_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
