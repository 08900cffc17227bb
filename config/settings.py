"""Minsheng settings, read from the environment.

Environment variables (all optional for a local demo, see README):
DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DJANGO_DEBUG.
A ``.env`` file at the project root (written by ``scripts/setup.sh``) is read
first; real environment variables win over it.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path):
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip())


_load_dotenv(BASE_DIR / ".env")


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Run `make demo` (it writes one to .env) "
        "or export DJANGO_SECRET_KEY."
    )
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    # Project apps: imports flow snippets <- casemodels <- publishing <- cms; api on top.
    "snippets",
    "casemodels",
    "publishing",
    "cms",
    "api",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Third party
    "graphene_django",
    "django_q",
    "import_export",
    "axes",
    "csp",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # A lost database connection: a quick 503 with Retry-After, not a 500 (first: its process_exception runs last).
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy (config/security.py).
    "config.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: turns a sign-in lockout into the sign-in page with its message (config.security.lockout_response).
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE
        # transactions take the write lock up front so concurrent writers
        # wait (timeout) instead of failing half-way.
        # A larger page cache and memory-mapped reads keep the workbench's
        # scans of the case table off the read() path.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-32000; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # An unreachable server fails the request within seconds (a 503, config.middleware), not a hang.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3")))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work (django-q2, ORM broker: at-least-once, tasks idempotent) ----
Q_CLUSTER = {
    "name": "minsheng",
    "orm": "default",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 600,
    "retry": 900,
    "max_attempts": 3,
    "catch_up": False,
    "sync": env_bool("Q_SYNC", False),
    "label": _("Background tasks"),
}

# --- Auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
# Sign-in lockout (django-axes): after MINSHENG_LOGIN_FAILURE_LIMIT wrong passwords for one username
# from one address, that username is refused from that address (even with the right password) for
# MINSHENG_LOGIN_COOLOFF_MINUTES, counted from the last failure. Covers the Wagtail and Django admin
# sign-in pages and the API's tokenAuth (which also keeps its own throttle, api/auth/tokens.py).
# Unlock early: `manage.py axes_reset_username <username>` (or axes_reset_ip, axes_reset), or delete
# the attempt under Django admin › Axes › Access attempts (/django-admin/axes/accessattempt/).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("MINSHENG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("MINSHENG_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Failures while locked out do not extend the lockout (the account's owner gets in after the cool-off).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The same address as the public throttles: MINSHENG_TRUSTED_PROXY_COUNT decides which hop to trust.
AXES_CLIENT_IP_CALLABLE = "config.security.axes_client_address"
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# --- Language and time ------------------------------------------------------------
# Every page is Chinese whatever the browser asks for (no LocaleMiddleware);
# a staff member may still choose English in their Wagtail account settings.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

# --- Wagtail ------------------------------------------------------------------------
WAGTAIL_SITE_NAME = os.environ.get("MINSHENG_SITE_NAME", "民声 12345")
# One centre, one clock: staff cannot switch the admin to another time zone.
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "csv", "docx", "xlsx", "odt", "txt", "jpg", "png"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000

# --- GraphQL --------------------------------------------------------------------------
GRAPHENE = {"SCHEMA": "api.schema.schema"}

# --- Minsheng ---------------------------------------------------------------------------
# Case numbers are PREFIX + YYYYMMDD + a 5-digit daily sequence.
MINSHENG_CASE_NUMBER_PREFIX = os.environ.get("MINSHENG_CASE_NUMBER_PREFIX", "MS")
# Imports and exports (django-import-export; snippets.imports): exported text
# that a spreadsheet could run as a formula is escaped; uploads are limited.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_EXPORT_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
IMPORT_EXPORT_MAX_ROWS = int(os.environ.get("IMPORT_EXPORT_MAX_ROWS", "200000"))
# Historical case files are larger (100,000 cases with their texts make 40-70 MB of CSV).
MINSHENG_CASE_IMPORT_MAX_BYTES = int(os.environ.get("MINSHENG_CASE_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
# Where an import's live progress is shared between the worker and the web
# process on SQLite (PostgreSQL uses a second connection); blank: the temp dir.
IMPORT_EXPORT_PROGRESS_DIR = os.environ.get("IMPORT_EXPORT_PROGRESS_DIR", "")
# How many reverse proxies in front of the site append to X-Forwarded-For (0:
# trust REMOTE_ADDR only). Used to tell citizens apart for the tracking throttle.
MINSHENG_TRUSTED_PROXY_COUNT = int(os.environ.get("MINSHENG_TRUSTED_PROXY_COUNT", "0"))
# How long a bearer token of the API (tokenAuth) is valid, in days.
MINSHENG_API_TOKEN_DAYS = int(os.environ.get("MINSHENG_API_TOKEN_DAYS", "30"))

# --- Warning notifications (casemodels.services.outbox) -----------------------------------
# A sender per channel (dotted path), e.g. MINSHENG_SENDER_EMAIL=casemodels.services.outbox.email_sender
# or MINSHENG_SENDER_SMS=casemodels.services.outbox.HttpSmsSender; unset: in-app messages are
# marked sent and e-mail and SMS are written to the log. The SMS gateway takes a JSON POST.
MINSHENG_NOTIFICATION_SENDERS = {
    channel: os.environ[f"MINSHENG_SENDER_{channel.upper()}"]
    for channel in ("in_app", "email", "sms") if os.environ.get(f"MINSHENG_SENDER_{channel.upper()}")
}
MINSHENG_SMS_GATEWAY_URL = os.environ.get("MINSHENG_SMS_GATEWAY_URL", "")
MINSHENG_SMS_GATEWAY_TOKEN = os.environ.get("MINSHENG_SMS_GATEWAY_TOKEN", "")
MINSHENG_SMS_GATEWAY_TIMEOUT = float(os.environ.get("MINSHENG_SMS_GATEWAY_TIMEOUT", "10"))
# A mail server that hangs must not outlast the outbox's claim on a notification (5 minutes).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# Failed sends are retried after BACKOFF, 2×, 4× … seconds (at most 6 hours apart) up to MAX_ATTEMPTS
# attempts, then marked failed (the admin's outbox retries them, one or all). The defaults, 10 attempts
# 1, 2, 4 … 256 minutes apart, keep trying for about 8½ hours: a gateway or mail server down for a few
# hours loses nothing.
MINSHENG_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("MINSHENG_OUTBOX_MAX_ATTEMPTS", "10"))
MINSHENG_OUTBOX_BACKOFF_SECONDS = int(os.environ.get("MINSHENG_OUTBOX_BACKOFF_SECONDS", "60"))
# The warning sweep raises at most this many warnings per rule in one run (oldest cases first):
# a backlog (the first sweep, a new rule) is worked off in short runs, one after the other.
MINSHENG_SWEEP_BATCH = int(os.environ.get("MINSHENG_SWEEP_BATCH", "250"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's search-index updates run as django-tasks; one INFO line each is noise.
        "django_tasks": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
        # weasyprint logs every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# --- Security headers (config/security.py holds the Content-Security-Policy of each part of the site) ---
# No page is framed, except Wagtail's previews in the admin (they set SAMEORIGIN themselves).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# django-csp: the policy itself is chosen per request by config.security.SecurityHeadersMiddleware.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"]}}
# Hosts the public pages may frame (embedded videos), comma-separated, e.g. https://player.bilibili.com
MINSHENG_CSP_FRAME_SRC = [
    s.strip() for s in os.environ.get("MINSHENG_CSP_FRAME_SRC", "").split(",") if s.strip()
]
SESSION_COOKIE_HTTPONLY = True
# Behind an HTTPS reverse proxy (production), set DJANGO_HTTPS=true: secure
# cookies, HSTS, redirects to https, and the proxy's X-Forwarded-Proto trusted.
if env_bool("DJANGO_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
