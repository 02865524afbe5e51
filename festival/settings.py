"""Settings for festival, read from environment variables.

Every setting a deployment changes comes from the environment, through the
small helpers below. Without ``DATABASE_URL`` the app uses a SQLite file next
to ``manage.py``; ``DATABASE_URL=postgres://user:password@host:5432/name``
points it at PostgreSQL.
"""

import datetime
import os
import re
import sys
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# An origin a browser may compare a framing page with: scheme, host (``*.`` for its subdomains, an IPv6 address
# in brackets), optional port; no path, no space, quote or semicolon (which would end a CSP directive). Lower
# case: not a setting.
origin_pattern = re.compile(r"https?://(\*\.)?([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")


def env_origins(name):
    """A comma-separated list of origins (``https://partner.example``); anything else stops the start-up."""
    origins = [item.rstrip("/") for item in env_list(name)]
    for origin in origins:
        if not origin_pattern.fullmatch(origin):
            raise ImproperlyConfigured(f"{name}: {origin!r} is not an origin such as https://partner.example.")
    return origins


def database_from_url(url):
    """Turn ``postgres://user:pass@host:port/name?opt=v`` or ``sqlite:///path`` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///relative.db is relative to BASE_DIR, sqlite:////abs.db absolute.
        name = path[1:] if path.startswith("//") else path.lstrip("/")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / name if name else ":memory:",
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "festival",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported; use postgres:// or sqlite://.")


DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("FESTIVAL_TESTING", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Only with DEBUG or in tests.
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 # nosec B105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(for example to the output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
            "or set DEBUG=true for local development."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before the admin so its admin classes patch in.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "csp",
    # Admin login throttling (see AXES_* below).
    "axes",
    # History of every change (films/history.py registers the models).
    "reversion",
    "films",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages for clients that accept gzip (after WhiteNoise, which serves static files compressed itself:
    # images are never compressed again). A page from the page cache comes compressed already and is left alone.
    "django.middleware.gzip.GZipMiddleware",
    # Drops NUL bytes from the query string (PostgreSQL text cannot hold one; no page needs one).
    "festival.middleware.StripNulBytesMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database outage answers 503 with Retry-After (templates/503.html) instead of a 500.
    "festival.middleware.DatabaseUnavailableMiddleware",
    # Refuses logins after repeated failures (django-axes); after the auth middleware.
    "axes.middleware.AxesMiddleware",
    # Whole public pages for anonymous visitors, keyed by the publication version (films/cache.py). Last, so
    # that a cached page still passes out through every middleware above (headers, CSP, language).
    "films.cache.PublicPageCacheMiddleware",
]

# django-axes first: it refuses a locked-out username+IP before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "festival.urls"
WSGI_APPLICATION = "festival.wsgi.application"
ASGI_APPLICATION = "festival.asgi.application"

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
            ],
        },
    },
    # The public pages' longest lists only (templates/jinja2/, rendered with ``using="jinja2"``, see
    # festival/jinja2.py); every page itself is a Django template.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "festival.jinja2.environment"},
    },
]

DATABASE_URL = env("DATABASE_URL")
DATABASES = {
    "default": database_from_url(DATABASE_URL)
    if DATABASE_URL
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "festival.sqlite3"}
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side parameter binding lets psycopg prepare a statement once it has run a few times on a
    # connection, so PostgreSQL stops planning the public pages' many-join queries on every request
    # (planning cost more than running them: 8 ms of the film page's screenings query). Turn it off
    # behind a pooler in transaction mode (PgBouncer), which cannot keep prepared statements.
    if env_bool("DATABASE_SERVER_SIDE_BINDING", True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=2)
    if env_bool("DATABASE_POOL", False):
        # psycopg's connection pool, one per process; Django requires CONN_MAX_AGE 0 with it.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": int(env("DATABASE_POOL_MIN_SIZE", "2")),
            "max_size": int(env("DATABASE_POOL_MAX_SIZE", "10")),
            "timeout": float(env("DATABASE_POOL_TIMEOUT", "10")),
        }
    else:
        # Persistent connections, checked before reuse (so a restarted server is reconnected to).
        DATABASES["default"]["CONN_MAX_AGE"] = int(env("DATABASE_CONN_MAX_AGE", "60"))
else:
    # WAL lets readers carry on while the admin writes; busy_timeout waits for a lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory by default (one app server); CACHE_URL=redis://127.0.0.1:6379/0 shares one
# Redis among several app servers.
CACHE_URL = env("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "festival.redis_cache.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL in ("", "locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "festival"}}
else:
    raise ImproperlyConfigured(f"CACHE_URL {CACHE_URL!r} is not supported; use redis://host:port/db or leave it empty.")

# Whole public pages are cached this many seconds for anonymous visitors (films/cache.py); 0 turns that off.
# Several app server processes need a shared cache (CACHE_URL=redis://...) for it.
# Off by default in the test suite, whose tests count each view's own queries; tests/test_production_page_cache.py
# turns it on.
FESTIVAL_PAGE_CACHE_SECONDS = int(env("FESTIVAL_PAGE_CACHE_SECONDS", "0" if TESTING else "300"))
# Each process also keeps the pages it served lately, up to this many bytes, so a hit reads only the version.
FESTIVAL_PAGE_CACHE_LOCAL_BYTES = int(env("FESTIVAL_PAGE_CACHE_LOCAL_BYTES", str(32 * 1024 * 1024)))
# The whole-edition exports (programme.json, schedule.xml/.json) are kept, built once for each state of what they show
# (films.cache.kept), page cache or not. Off by default in the test suite, whose tests change data without committing.
FESTIVAL_EXPORT_CACHE = env_bool("FESTIVAL_EXPORT_CACHE", not TESTING)
# How long concurrent requests for a page being rendered wait for that render before rendering it themselves.
FESTIVAL_PAGE_CACHE_WAIT_SECONDS = float(env("FESTIVAL_PAGE_CACHE_WAIT_SECONDS", "3"))
# The HTTP caches in front (Varnish with the xkey module) to tell what a change made stale: films.purge.
FESTIVAL_PURGE_URLS = env_list("FESTIVAL_PURGE_URLS")
FESTIVAL_PURGE_BACKEND = env("FESTIVAL_PURGE_BACKEND", "films.purge.VarnishXkey")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: the one list a festival changes. The first is the default and the
# language content falls back to.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("uk", _("Ukrainian")),
    ("pl", _("Polish")),
    ("de", _("German")),
    ("nl", _("Dutch")),
]
LOCALE_PATHS = [BASE_DIR / "films" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
# Dates and times in each language's own formats; English as European festivals print it (24-hour clock, day before
# month: festival/formats/en), or with a.m./p.m. and the month first when this is true.
FORMAT_MODULE_PATH = ["festival.formats"]
FESTIVAL_TWELVE_HOUR_CLOCK = env_bool("FESTIVAL_TWELVE_HOUR_CLOCK", False)
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
# The tabbed admin's jQuery UI is served from our own static files (no CDN).
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names in production (after collectstatic); plain files in development and tests.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# In development and tests WhiteNoise serves straight from the apps' static folders.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "media"))
# Without DEBUG, uploaded images are served by the app (festival/media.py) unless a web server in front
# serves /media/ itself (docs/production.md has the nginx snippet); set FESTIVAL_SERVE_MEDIA=false then.
FESTIVAL_SERVE_MEDIA = env_bool("FESTIVAL_SERVE_MEDIA", True)

# Uploads: a poster or still is at most this large, in bytes and in pixels.
FESTIVAL_IMAGE_MAX_BYTES = int(env("FESTIVAL_IMAGE_MAX_BYTES", str(15 * 1024 * 1024)))
FESTIVAL_IMAGE_MAX_PIXELS = int(env("FESTIVAL_IMAGE_MAX_PIXELS", str(40_000_000)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Planning warnings (films/warnings.py): minutes a guest needs between two venues when no travel time is
# entered for the pair; the oldest minimum age that counts as a young audience, and the local time by which
# its screenings should end.
FESTIVAL_TRAVEL_MINUTES = int(env("FESTIVAL_TRAVEL_MINUTES", "30"))
FESTIVAL_YOUNG_AUDIENCE_AGE = int(env("FESTIVAL_YOUNG_AUDIENCE_AGE", "12"))
FESTIVAL_YOUNG_AUDIENCE_ENDS_BY = env("FESTIVAL_YOUNG_AUDIENCE_ENDS_BY", "20:00")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A catalogue import that creates or changes more records than this gathers PostgreSQL's planner statistics of the
# tables it wrote, once committed (films/catalogue/importer).
FESTIVAL_ANALYZE_AFTER_RECORDS = int(env("FESTIVAL_ANALYZE_AFTER_RECORDS", "200"))

# Security headers. The Content Security Policy allows no inline script or style anywhere.
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
    }
}
# Partners' sites that may show the embeddable programme (/<lang>/<edition>/embed/programme/) in a frame, as
# CSP frame-ancestors: comma-separated origins, e.g. https://partner.example,https://www.cinema.example.
# Empty (the default): no site may frame it, like every other page (docs/production.md).
EMBED_ALLOWED_ORIGINS = env_origins("EMBED_ALLOWED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# Admin login throttling (django-axes): 5 failed logins for one username from one address lock that
# username+address out for 15 minutes (even with the right password); a successful login resets the count.
# Off in the test suite by default (Django's test client logs in without a request, which axes refuses);
# tests/test_security_login.py turns it on.
AXES_ENABLED = env_bool("AXES_ENABLED", not TESTING)
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_VERBOSE = False
if SECURE_PROXY_SSL_HEADER:
    # Behind the HTTPS proxy the visitor's address is the last one the proxy appended.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    # Every failed or refused admin login is logged (address and username, never the password).
    "loggers": {"axes": {"handlers": ["console"], "level": env("AXES_LOG_LEVEL", "WARNING"), "propagate": False}},
}
