"""Django settings. Everything that varies between installs comes from OCTAVO_* variables."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ

from octavo.config.env import secret_key, var_dir

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()

env = environ.Env()

DEBUG = env.bool("OCTAVO_DEBUG", default=False)
SECRET_KEY = secret_key()
ALLOWED_HOSTS = env.list("OCTAVO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

_database_url = os.environ.get("OCTAVO_DATABASE_URL", "").strip() or (
    f"sqlite:///{VAR_DIR / 'octavo.sqlite3'}"
)
_db = environ.Env.db_url_config(_database_url)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the desk read while an import writes; IMMEDIATE transactions take the write lock
    # up front so two desks never deadlock upgrading a read lock (docs/adr/0002); writers queue
    # on a file lock rather than polling (config/sqlite3/base.py); a worker keeps its
    # connection between requests.
    _db["ENGINE"] = "octavo.config.sqlite3"
    _db.setdefault("CONN_MAX_AGE", 60)
    _db["OPTIONS"] = {
        "timeout": 10,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=10000;PRAGMA cache_size=-20000;PRAGMA temp_store=MEMORY"
        ),
    }
elif _db["ENGINE"].startswith("django.db.backends.postgresql"):
    _db["ENGINE"] = "django.db.backends.postgresql"
    _db.setdefault("CONN_MAX_AGE", 60)
    _db.setdefault("CONN_HEALTH_CHECKS", True)
_db["TEST"] = {"NAME": os.environ.get("OCTAVO_TEST_DATABASE_NAME") or None}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_email_url = os.environ.get("OCTAVO_EMAIL_URL", "").strip()
if _email_url:
    vars().update(environ.Env.email_url_config(_email_url))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("OCTAVO_FROM_EMAIL", default="octavo@localhost")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "ninja",
    "octavo.district",
    "octavo.accounts",
    "octavo.audit",
    "octavo.catalog",
    "octavo.holdings",
    "octavo.patrons",
    "octavo.policy",
    "octavo.holds",
    "octavo.circulation",
    "octavo.fines",
    "octavo.lists",
    "octavo.notices",
    "octavo.reports",
    "octavo.interfaces.api",
    "octavo.interfaces.cli",
    "octavo.interfaces.sip2",
    "octavo.interfaces.staff",
    "octavo.interfaces.opac",
    "octavo.interfaces.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First, so that every answer under /api/ is JSON, whatever fails below it.
    "octavo.interfaces.api.middleware.ApiJsonErrors",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into HTTP 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "octavo.config.urls"
WSGI_APPLICATION = "octavo.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's own list, then the patron PIN hasher (octavo.patrons.pins: a PIN's cost is its
# failure limit, not its hash).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "octavo.patrons.pins.PinHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "staff:login"

# Ten failed staff logins from one address within ten minutes -> HTTP 429 (issue #2).
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=10)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
AXES_VERBOSE = False
# How many reverse proxies stand in front of Octavo: the client's address is then the one the
# outermost proxy saw (staff login lock-out, OPAC search and login limits).
OCTAVO_PROXY_COUNT = env.int("OCTAVO_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = OCTAVO_PROXY_COUNT or None

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "octavo_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = env.str("OCTAVO_TIME_ZONE", default="America/Los_Angeles")
# The currency fines are kept in (ISO 4217), as SIP2 kiosks are told (issue #5).
OCTAVO_CURRENCY = env.str("OCTAVO_CURRENCY", default="USD").upper()
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from the finders; an empty root is fine
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders: no collectstatic step for a one-school install.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("OCTAVO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("OCTAVO_LOG_LEVEL", default="WARNING")},
}
