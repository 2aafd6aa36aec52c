"""Tawrid's one settings file. Every value that differs between machines comes from the environment
(or from a `.env` file beside this project, for development); `.env.example` documents each one."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Development gets a fixed throw-away key; any deployment (DEBUG off) must provide its own.
SECRET_KEY = env.str("SECRET_KEY", default="") or ("insecure-development-key-never-use-in-production" if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "auditlog",
    "axes",
    "django_tasks_db",
    "tawrid.core",
    "tawrid.accounts",
    "tawrid.nomenclature",
    "tawrid.demo",
    "tawrid.specs",
    "tawrid.imports",
    "tawrid.catalog",
    "tawrid.demand",
    "tawrid.matching",
    "tawrid.sourcing",
    "tawrid.insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tawrid.core.middleware.PrivateNoStoreMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks: turns a sign-in refused for too many failures into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tawrid.core.context_processors.navigation",
            ],
        },
    }
]

# SQLite under var/ needs no set-up; production sets DATABASE_URL to PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'tawrid.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server and the task worker write the same file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The throttle first: it refuses locked accounts and addresses before any password is checked.
AUTHENTICATION_BACKENDS = ["tawrid.accounts.throttle.ThrottleBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French first, then Arabic (right to left) and English. Dates in Casablanca, money in MAD.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "tawrid_language"
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True
CURRENCY = "MAD"
# Arabic dates day first and numbers grouped by three (Django's Arabic formats leave both to the US defaults).
FORMAT_MODULE_PATH = ["tawrid.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
REFERENCE_DATA_DIR = BASE_DIR / "data" / "reference"

# Development prints e-mails on the console; a deployment sends them through an SMTP server (EMAIL_URL).
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS", False),
    "use_ssl": _email.get("EMAIL_USE_SSL", False),
}
_mailer_options: dict = {}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _mailer_options = {k: v for k, v in _smtp_options.items() if v}
elif _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):  # filemail:////dir: one file per message
    _mailer_options = {"file_path": _email["EMAIL_FILE_PATH"]}
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mailer_options}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tawrid <no-reply@tawrid.ma>")

# Background work: Django's tasks framework, on a database-backed queue that `tawrid worker` drains.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Security. Cookies and HSTS follow DEBUG so that a deployment is safe without extra settings.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Behind a TLS-terminating proxy, `tawrid serve` (waitress) believes X-Forwarded-Proto and X-Forwarded-For from
# TRUSTED_PROXY only (one address, or * for any) and drops them from every other peer; it then hands Django the
# client's scheme and address. The proxy must set both headers itself (docs/deployment.md).
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
TRUSTED_PROXY = env.str("TRUSTED_PROXY", default="127.0.0.1")
# For other WSGI servers: Django reads the header itself (waitress has already removed untrusted ones).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # bm25s sets its own logger to DEBUG and reports every index it builds: noise in the workers' logs.
    # axes reports each step of every sign-in at INFO; its warnings (failures, locks) are what matters.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "bm25s": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Sign-in throttling (django-axes, tawrid.accounts.throttle): after LOGIN_FAILURE_LIMIT failed sign-ins (passwords
# or API tokens) for one account or from one address, both are refused for LOGIN_COOLOFF_MINUTES after the last
# failure. Counted in the database, so every server process sees the same counts.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, and per address
AXES_USERNAME_CALLABLE = "tawrid.accounts.throttle.username_of"
AXES_LOCKOUT_CALLABLE = "tawrid.accounts.throttle.lockout_response"
# The client's address is REMOTE_ADDR only: behind the proxy, waitress sets it from X-Forwarded-For when (and
# only when) the trusted proxy sent it; reading the header here would let anyone choose their address.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_RESET_ON_SUCCESS = False  # a success must not wipe an address's failures against other accounts
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure, with its address (admin site)
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are already in User.last_login; no row per sign-in
AXES_VERBOSE = False

# Master keys that seal the offers of consultations (tawrid.sourcing.sealing), comma-separated, the sealing key
# first; older keys after it still unseal. Empty: derived from SECRET_KEY, for development only — a deployment
# refuses to start without its own keys, or a copy of the database and the .env would unseal every offer.
SEALING_KEYS = [key.strip() for key in env.list("TAWRID_SEALING_KEYS", default=[]) if key.strip()]
if any(len(key) < 32 for key in SEALING_KEYS):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Every TAWRID_SEALING_KEYS entry must be at least 32 characters long.")
if not SEALING_KEYS and not DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "TAWRID_SEALING_KEYS must be set when DEBUG is off: one or more random strings of at least 32 characters, "
        "comma-separated (see .env.example and docs/deployment.md)."
    )

# Personal API tokens: how many days a new one lives unless its owner says otherwise.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=365)
OCDS_OCID_PREFIX = env.str("OCDS_OCID_PREFIX", default="ocds-tawrid")  # OCDS ocid prefix: register one to publish
SOURCING_STANDSTILL_DAYS = env.int("SOURCING_STANDSTILL_DAYS", default=10)  # days between an award and its orders

# Tests: SQLite tests use a file (not memory) so that a real worker process and the browser's live server
# see the same database as the test; PostgreSQL tests get a fresh database named after DATABASE_URL's.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # One file per test run, so that two runs on one machine never share (or delete) each other's database.
    DATABASES["default"]["TEST"]["NAME"] = str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")
