"""Django settings for Digipunt, read from the environment (see .env.example)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from core.logging import logging_config
from digipunt.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DIGIPUNT_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    # Without a key only development (DEBUG, or the Makefile's DIGIPUNT_INSECURE_DEV_KEY) and the
    # test suite may start; anywhere else a missing key stops the process here.
    if not (DEBUG or env_bool("DIGIPUNT_INSECURE_DEV_KEY", False) or "pytest" in sys.modules):
        raise ImproperlyConfiguredEnv("SECRET_KEY must be set (or DEBUG=true in development)")
    SECRET_KEY = "django-insecure-development-only-never-in-production-0123456789"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widget templates, for the project's form renderer
    # Django's tasks framework (django-tasks) and its database backend: queued messages.
    "django_tasks",
    "django_tasks_db",
    "territory",
    "network",
    "accounts",
    "audit",
    "notifications",
    "throttling",
    "questions",
    "appointments",
    "referrals",
    "lending",
    "learning",
    "funding",
    "privacy",
    # The top layer: the pages that span every domain (staff home, a site's "today").
    "workspace",
    # Above the domains too: rollups, dashboards and the public report of the whole network.
    "insights",
]

AUTH_USER_MODEL = "accounts.User"
# Argon2id first (OWASP ASVS); the others only so that older hashes can still be checked.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# OWASP ASVS 5: long passphrases welcome, checked against common passwords, no composition
# rules, no forced rotation.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

MIDDLEWARE = [
    # First: every log line of a request carries its id (X-Request-ID), method and path.
    "core.logging.RequestLogContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response, static files too.
    "core.security_headers.SecurityHeadersMiddleware",
    # 304 Not Modified for a request whose If-None-Match matches the page's ETag.
    "django.middleware.http.ConditionalGetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    # Above everything that reads the database: a 503 page when it does not answer (core.outage).
    "core.outage.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.sessions.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A form sent twice gets the first submission's answer (core.once, `{% once %}`).
    "core.once.SubmitOnceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "digipunt.urls"
WSGI_APPLICATION = "digipunt.wsgi.application"

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
                "digipunt.context_processors.site_context",
            ],
            # {% fixed_url %} and {% asset %}: {% url %} and {% static %} worked out once.
            "builtins": ["core.template_tags"],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL switches to PostgreSQL (postgres://user@host/db).
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'digipunt.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", DEFAULT_SQLITE))}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
# A kept connection is checked before a request reuses it: after a database restart the next
# request gets a new connection instead of an error on the dead one (core/outage.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a writer writes; IMMEDIATE avoids "database is locked" upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
# An optional read replica (a streaming standby of the PostgreSQL primary): the dashboards'
# figures read there (core.db_router.reporting), everything else and every write the primary.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = {
        **dj_database_url.parse(env_str("DATABASE_REPLICA_URL", "")),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},  # tests read the test database through this alias
    }
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
# Every form field is drawn by templates/forms/field.html (see core.forms.FormRenderer).
FORM_RENDERER = "core.forms.FormRenderer"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One process: memory. Several processes (production): a cache they share, so that a page
# rendered by one is served by all and a change seen by one reaches all (core.public_cache):
# CACHE_BACKEND=database (run `manage.py createcachetable` once) or redis://host:6379/0 (with the
# `redis` package installed).
CACHE_BACKEND = env_str("CACHE_BACKEND", "memory")


def _cache(name: str, max_entries: int) -> dict[str, object]:
    if CACHE_BACKEND == "database":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": f"digipunt_cache_{name}",
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        }
    if CACHE_BACKEND.startswith(("redis://", "rediss://")):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_BACKEND,
            "KEY_PREFIX": name,
        }
    if CACHE_BACKEND != "memory":
        raise ImproperlyConfiguredEnv(
            f"CACHE_BACKEND: memory, database or redis://…, not {CACHE_BACKEND!r}"
        )
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": f"digipunt-{name}",
        "OPTIONS": {"MAX_ENTRIES": max_entries},
    }


CACHES = {
    "default": _cache("default", 1000),
    # Whole public pages (core.public_cache): a results page is about 30 KB in memory.
    "pages": _cache("pages", 5000),
    # Fragments of public pages (result cards, the filter menu): apart from the pages, so that a
    # flood of new searches, each a page stored once, does not push out the cards they all reuse.
    "fragments": _cache("fragments", 10000),
}
# Part of every cached page's key: a deploy with other templates or translations starts afresh.
# Deploys may set RELEASE (a version or commit); otherwise the newest template or catalogue.
PAGE_CACHE_RELEASE = env_str("RELEASE", "") or str(
    max(
        (
            int(path.stat().st_mtime)
            for pattern in ("templates/**/*", "locale/*/LC_MESSAGES/*.mo")
            for path in BASE_DIR.glob(pattern)
        ),
        default=0,
    )
)

LANGUAGE_CODE = "nl"
LANGUAGES = [
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("DIGIPUNT_MANIFEST_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# In development and tests WhiteNoise serves straight from the finders (no collectstatic needed),
# so an empty STATIC_ROOT is expected there and not worth a warning on every start.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers; production values are documented in docs/operations.md.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Content-Security-Policy (core/security_headers.py): extra sources as directive=source items,
# report-only while trying a change out, and where browsers report violations.
CSP_EXTRA_SOURCES = env_list("CSP_EXTRA_SOURCES", [])
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
CSP_REPORT_URI = env_str("CSP_REPORT_URI", "")
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (see docs/operations.md).
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Staff sessions (shared computers at Digipunten): idle and absolute limits, in seconds.
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60)
STAFF_SESSION_MAX_SECONDS = env_int("STAFF_SESSION_MAX_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_SECONDS
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace:home"
# Failed sign-ins allowed per account and per address within the window before a pause.
LOGIN_FAILURES_ALLOWED = env_int("LOGIN_FAILURES_ALLOWED", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 30 * 60)
# Per address it is higher: volunteers of one Digipunt often share one public address.
LOGIN_FAILURES_ALLOWED_PER_ADDRESS = env_int("LOGIN_FAILURES_ALLOWED_PER_ADDRESS", 20)
# Across every address, an account is paused only after this many failures, and never for a
# browser in which its owner signed in before (a stranger cannot lock staff out).
LOGIN_FAILURES_ALLOWED_PER_ACCOUNT = env_int("LOGIN_FAILURES_ALLOWED_PER_ACCOUNT", 50)
# How long a browser is remembered as one where its owner signed in (the "known browser" cookie).
LOGIN_KNOWN_BROWSER_DAYS = env_int("LOGIN_KNOWN_BROWSER_DAYS", 90)
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)

# Flash messages ("Saved: …", which may name a resident) live in the session, never in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Rate limits of public forms and password reset (throttling.services): "attempts/seconds" per
# address, phone number or email address, counted in the database (shared by every process).
RATE_LIMITS = {
    # Online booking: a burst from one address, a day from one address, one phone or email.
    "booking-address": env_str("RATE_LIMIT_BOOKING_ADDRESS", "4/600"),
    "booking-address-day": env_str("RATE_LIMIT_BOOKING_ADDRESS_DAY", "20/86400"),
    "booking-contact": env_str("RATE_LIMIT_BOOKING_CONTACT", "3/86400"),
    # Course registrations (one person often registers for a few courses at once).
    "registration-address": env_str("RATE_LIMIT_REGISTRATION_ADDRESS", "8/600"),
    "registration-address-day": env_str("RATE_LIMIT_REGISTRATION_ADDRESS_DAY", "30/86400"),
    "registration-contact": env_str("RATE_LIMIT_REGISTRATION_CONTACT", "6/86400"),
    # The anonymous skills self-check.
    "self-check-address": env_str("RATE_LIMIT_SELF_CHECK_ADDRESS", "20/3600"),
    # Password reset: emails sent per address and per email address.
    "password-reset-address": env_str("RATE_LIMIT_PASSWORD_RESET_ADDRESS", "5/3600"),
    "password-reset-email": env_str("RATE_LIMIT_PASSWORD_RESET_EMAIL", "3/3600"),
}
for _name, _value in RATE_LIMITS.items():
    _allowed, _slash, _seconds = _value.partition("/")
    if not (_allowed.isdigit() and _seconds.isdigit() and int(_allowed) > 0 and int(_seconds) > 0):
        raise ImproperlyConfiguredEnv(
            f"RATE_LIMIT_{_name.upper().replace('-', '_')}: attempts/seconds like 4/600, "
            f"not {_value!r}"
        )
# A public form sent back sooner than this after it was shown is asked again (no puzzle: a person
# simply sends it once more); a form shown longer ago than the maximum is asked again too.
FORM_MIN_SECONDS = env_int("FORM_MIN_SECONDS", 3)
FORM_MAX_SECONDS = env_int("FORM_MAX_SECONDS", 12 * 60 * 60)

# Email: the console in development; SMTP (or a provider's SMTP relay) from the environment.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Digipunt <no-reply@digipunt.invalid>")

# SMS to residents (notifications.sms): the console in development; a provider in production.
SMS_BACKEND = env_str("SMS_BACKEND", "notifications.sms.ConsoleBackend")
# An empty value (as in .env.example) means the default, not the current directory.
SMS_FILE_PATH = Path(env_str("SMS_FILE_PATH", "") or VAR_DIR / "sms")
SMS_API_URL = env_str("SMS_API_URL", "https://api.twilio.com")
SMS_ACCOUNT_SID = env_str("SMS_ACCOUNT_SID", "")
SMS_AUTH_TOKEN = env_str("SMS_AUTH_TOKEN", "")
SMS_FROM = env_str("SMS_FROM", "")
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10)
# Text messages go only to mobile numbers of these countries (ISO codes); "BE,NL" widens it.
SMS_ALLOWED_REGIONS = env_list("SMS_ALLOWED_REGIONS", ["BE"])

# Retention of residents' personal data (privacy.retention, run daily by purge_personal_data):
# an appointment's name, phone and email go this many days after it started; a referral's this
# many days after it was closed (and twice as many after it was sent, when nobody closed it).
RETENTION_APPOINTMENT_DAYS = env_int("RETENTION_APPOINTMENT_DAYS", 30)
RETENTION_REFERRAL_DAYS = env_int("RETENTION_REFERRAL_DAYS", 90)
# A borrower's name and contact details go this many days after their last loan was closed
# (brought back or lost); the loans and the devices' history stay.
RETENTION_BORROWER_DAYS = env_int("RETENTION_BORROWER_DAYS", 365)
# Course participants: their name and contact details are erased this many days after the session
# ended (attendance and counts stay).
RETENTION_PARTICIPANT_DAYS = env_int("RETENTION_PARTICIPANT_DAYS", 60)


def _rate(name: str, raw: str) -> float:
    """A share between 0 and 1 read from the environment, or a loud refusal."""
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name}: a share between 0 and 1, not {raw!r}") from None
    if not 0 <= value <= 1:
        raise ImproperlyConfiguredEnv(f"{name}: a share between 0 and 1, not {raw!r}")
    return value


# Coverage (insights.coverage): the share of residents estimated to be digitally vulnerable,
# from the Barometer digitale inclusie 2024 (Koning Boudewijnstichting: 40 % of 16-74 year-olds),
# with overrides per region as "REFNIS:rate" pairs ("04000:0.45,02000:0.38"); a municipality
# with fewer opening hours per 10,000 residents than the minimum is shown as a gap.
DIGITALLY_VULNERABLE_RATE = _rate(
    "DIGITALLY_VULNERABLE_RATE", env_str("DIGITALLY_VULNERABLE_RATE", "0.40")
)
DIGITALLY_VULNERABLE_RATE_SOURCE = "Barometer digitale inclusie 2024, Koning Boudewijnstichting"
DIGITALLY_VULNERABLE_RATE_BY_REGION: dict[str, float] = {
    _refnis.strip(): _rate("DIGITALLY_VULNERABLE_RATE_BY_REGION", _value)
    for _refnis, _sep, _value in (
        _pair.partition(":") for _pair in env_list("DIGITALLY_VULNERABLE_RATE_BY_REGION", [])
    )
}
try:
    COVERAGE_MIN_HOURS_PER_10000 = float(env_str("COVERAGE_MIN_HOURS_PER_10000", "2.0"))
except ValueError:
    raise ImproperlyConfiguredEnv("COVERAGE_MIN_HOURS_PER_10000 must be a number") from None
# A locality farther than this from the nearest open Digipunt is a gap.
COVERAGE_MAX_DISTANCE_KM = env_int("COVERAGE_MAX_DISTANCE_KM", 5)

# The impact estimate (insights.impact): a social return per euro invested in digital skills,
# with its source. The default is the UK finding of Cebr for Good Things Foundation (2022):
# £9.48 returned for every £1 invested in basic digital skills. It is shown as an estimate, with
# the ratio and the source beside the figure; set a Belgian ratio here once there is one.
try:
    IMPACT_RETURN_PER_EURO = float(env_str("IMPACT_RETURN_PER_EURO", "9.48"))
except ValueError:
    raise ImproperlyConfiguredEnv("IMPACT_RETURN_PER_EURO must be a number") from None
IMPACT_RETURN_SOURCE = env_str(
    "IMPACT_RETURN_SOURCE",
    "Cebr for Good Things Foundation (2022), The economic impact of digital inclusion in the UK",
)
IMPACT_RETURN_URL = env_str(
    "IMPACT_RETURN_URL",
    "https://www.goodthingsfoundation.org/policy-and-research/research-and-evidence/research-2022/economic-impact",
)

# The public finder.
FINDER_PAGE_SIZE = env_int("FINDER_PAGE_SIZE", 10)
# Tile server for the optional results map. Empty disables the map button.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
# The phone number shown when nothing matches nearby (a central help line).
HELPLINE_PHONE = env_str("HELPLINE_PHONE", "1700")
HELPLINE_LABEL = env_str("HELPLINE_LABEL", "Vlaamse Infolijn 1700")

# Queued work (notifications.tasks: every email and SMS). `immediate` runs each task in the
# process that queues it, once the transaction has committed (development, tests); `database`
# stores it for `manage.py db_worker` (production; docs/operations.md).
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfiguredEnv(f"TASKS_BACKEND: immediate or database, not {TASKS_BACKEND!r}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}

# Secret links: whoever holds one sees (and may change) a resident's booking, loan or course
# place, or takes over a staff invitation or password reset. Each <secret> part of these routes
# (after the language prefix) is written as [secret] in every log line (core.logging); the
# nginx example in deploy/nginx/ and tests/core/test_logging.py follow this list, and that test
# fails when a URL with a token is missing here.
SECRET_URL_ROUTES = [
    "appointments/<secret>/",
    "loans/<secret>/",
    "courses/registration/<secret>/",
    "staff/invitation/<secret>/",
    "staff/password/reset/<secret>/<secret>/",
]
# Logs go to standard error, one line a record, secret links, email addresses and phone numbers
# redacted (core.logging): `json` in production (deploy/production.env.example), `text` to read.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = logging_config(
    log_format=LOG_FORMAT, level=env_str("LOG_LEVEL", "INFO"), secret_routes=SECRET_URL_ROUTES
)
