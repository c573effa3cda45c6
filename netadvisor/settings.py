"""Settings for NET Advisor.

Everything that differs between a laptop and a hospital server is read from the
environment. The defaults run on a fresh checkout; a value that cannot be read is a
loud error at start-up, never a silent fallback.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "formtools",
    "simple_history",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "guidance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "guidance.middleware.IdleTimeoutMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "netadvisor.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "netadvisor.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Connections are kept between requests (a worker serves one at a time), and
        # checked before reuse.
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work beside a writer; IMMEDIATE transactions take the write lock
    # up front so concurrent savers queue on the busy timeout instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 15,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# `migrate` ends by publishing the guideline revisions the project ships (version 2) through
# the editors' own gates, if version 1 is the one published (guidance.installing).
INSTALL_GUIDELINE_REVISIONS = True

# Each process's own memory, never shared: a restart (a deploy) starts every cache afresh.
# Nothing uses the default cache (django-axes keeps its counts in the database).
# "template_fragments" keeps what {% cache %} renders: the history's filter form, under the
# values submitted to it, and a page of its rows, under what they show of each case. A
# fragment is rendered from what it is kept under and nothing else, so it is never stale
# and never another clinician's; it is kept until the cache is full (300 fragments of at
# most ~10 kB, a third of them then dropped, the least recently used first). The rows hold
# cases' references: keep this cache in the process, not in a cache server, which would keep
# them outside the database. In development (DEBUG) it keeps nothing, so that an edited
# template shows at once without a restart.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.dummy.DummyCache"
        if DEBUG
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
        "OPTIONS": {"MAX_ENTRIES": 300, "CULL_FREQUENCY": 3},
    },
}

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

# In development the files are served straight from the apps; in production from
# STATIC_ROOT after collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
# Files browsers ask for at the site's root (/favicon.ico), served as they are.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
WHITENOISE_AUTOREFRESH = DEBUG

# Every form of the app is laid out by django-crispy-forms, in Bootstrap 5's markup.
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# History is a record: it can be read in the admin, never reverted over or deleted there.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Security ---------------------------------------------------------------------------
# HTTPS is on whenever DEBUG is off; turn it off only to serve plain HTTP on 127.0.0.1
# (make serve, bench, load). Behind a TLS-terminating proxy, set BEHIND_PROXY=true.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# Load-balancer probes ask over plain HTTP; the health check says only "ok".
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the app append to X-Forwarded-For; the client's address is
# the one the outermost saw (guidance.security.client_address). Read only behind the proxy.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 1 or more, not {TRUSTED_PROXY_COUNT}")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Clinician sessions end after this long without a request (guidance.middleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30))
# And this long after login whatever the activity (guidance.middleware): the cookie's age
# alone would not do, as Django moves its expiry on whenever the session is saved.
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
if SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured(f"SESSION_MAX_HOURS must be 1 or more, not {SESSION_MAX_HOURS}")
SESSION_MAX_LIFETIME = timedelta(hours=SESSION_MAX_HOURS)
SESSION_COOKIE_AGE = int(SESSION_MAX_LIFETIME.total_seconds())

# Every asset is served by the app itself: no script, style, font or frame from elsewhere,
# and no inline script at all.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Login throttling: five failures for a username from one address lock that username from
# that address for 15 minutes; twenty from one address within 15 minutes, whatever the
# usernames (password spraying), lock the address. Attempts made during a lock are refused
# without being counted, so they cannot extend it.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_FAILURES_PER_ADDRESS = 20
# Axes has one limit for every parameter; guidance.security.failure_limit gives each its
# own, reading the counts in this order.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = "guidance.security.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A login forgives that username's failures from that address only (guidance.security).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # our own security log says what matters, without noise
# Axes records and locks on a keyed hash of the typed username, never the name itself: a
# password typed into the username box must not be kept (guidance.security).
AXES_USERNAME_CALLABLE = "guidance.security.lockout_username"
# The same client address as the security log: X-Forwarded-For only behind the proxy.
AXES_CLIENT_IP_CALLABLE = "guidance.security.client_address"
# Successful logins are in the security log by account id; axes' own access log would keep
# every username and session for ever, and its failure log every typed name.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "guidance:case-list"
LOGOUT_REDIRECT_URL = "guidance:home"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Failed logins, lock-outs and denied access: never a password or a case's contents.
        "netadvisor.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
