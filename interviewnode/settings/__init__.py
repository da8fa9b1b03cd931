"""Settings for every environment, read from environment variables.

The defaults make a laptop run work with nothing configured: SQLite, e-mail to the console, Celery
tasks run in-process. Set DATABASE_URL / REDIS_URL / EMAIL_URL to run on real services, and use
``interviewnode.settings.production`` in production.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only-key-do-not-deploy")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "allauth",
    "allauth.account",
    "axes",
    "django_celery_beat",
    "csp",
    "interviewnode",
    "accounts",
    "questions",
    "interviews",
    "reviews",
    "notifications",
    "scheduling",
    "progress",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "interviewnode.urls"
WSGI_APPLICATION = "interviewnode.wsgi.application"

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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="interviewnode"),
            # An unreachable Redis fails a cache call within seconds instead of hanging the request.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _trusted_proxy_count() -> int:
    raw = env.str("TRUSTED_PROXY_COUNT", default="0").strip()
    if not re.fullmatch(r"[0-9]+", raw):
        raise ImproperlyConfigured(
            f"TRUSTED_PROXY_COUNT must be the number of reverse proxies in front of the app "
            f"(0 when clients connect directly); got {raw!r}."
        )
    return int(raw)


# How many reverse proxies, each appending to X-Forwarded-For, stand between clients and the app.
# Only that many entries of the header are believed (interviewnode.proxies.client_ip); 0 ignores it.
TRUSTED_PROXY_COUNT = _trusted_proxy_count()

# Content-Security-Policy (django-csp): scripts, styles, images and requests from this site only. No
# inline script at all (templates pass settings to static/dist's modules in data- attributes); the
# only inline styles are the code editor's, which CodeMirror inserts with the response's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked (account, IP) pair before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "questions:list"

# django-allauth: e-mail is the login; a new account must confirm its address.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[InterviewNode] "
# Failed logins are limited by django-axes per (account, IP); allauth's own per-account limit would
# let anyone lock a real user out from elsewhere, so only its per-IP limit stays.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip"}

# django-axes: lock an (account, IP) pair after repeated failures, never the account everywhere.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_email"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The client's address comes from interviewnode.proxies.client_ip, as for the API's rate limits.
AXES_CLIENT_IP_CALLABLE = "interviewnode.proxies.client_ip"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="InterviewNode <noreply@interviewnode.local>")
# A hung SMTP server fails the attempt (and the outbox retries it) well inside the task's time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Outbox (notifications/): failed sends are retried with backoff, then marked failed for an admin.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=5)
# A row left "sending" this long belongs to a dead worker and is sent again; longer than the task's
# hard time limit, so a live send is never taken over.
OUTBOX_STALE_SECONDS = env.int("OUTBOX_STALE_SECONDS", default=300)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous call a 401, not a 403.
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON parser with a nesting limit and no NUL characters; forms as DRF parses them.
    "DEFAULT_PARSER_CLASSES": [
        "interviewnode.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "interviewnode.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "interviewnode.schema.AutoSchema",
    "EXCEPTION_HANDLER": "interviewnode.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "interviewnode.throttling.AnonRateThrottle",
        "interviewnode.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_RATE", default="120/min"),
        "user": env("API_USER_RATE", default="1200/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "InterviewNode API",
    "DESCRIPTION": "Mock-interview practice for machine-learning roles: question bank, sessions, reviews.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from our own static files (npm's swagger-ui-dist, copied by the front-end build).
    "SWAGGER_UI_DIST": "/static/dist/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/dist/swagger-ui/favicon-32x32.png",
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies are documented as JSON. The form parsers stay for DRF's browsable API; a form
    # cannot say null, a number or a nested object, so documenting it would promise what it cannot carry.
    "PARSER_WHITELIST": ["interviewnode.parsers.JSONParser"],
}

# Celery: with REDIS_URL unset, tasks run in-process so the app works with nothing else running.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    # A web request publishes after commit: a broker that is down or hung must fail it fast (the
    # outbox sweep sends the e-mail later), never hold the request.
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

SESSION_GRACE_SECONDS = env.int("SESSION_GRACE_SECONDS", default=30)
# Candidates may cancel or reschedule a live mock up to this many hours before it starts.
BOOKING_CANCEL_CUTOFF_HOURS = env.int("BOOKING_CANCEL_CUTOFF_HOURS", default=12)
# Live future bookings one candidate may hold at a time, so nobody books a coach's whole week.
MAX_UPCOMING_BOOKINGS = env.int("MAX_UPCOMING_BOOKINGS", default=3)
# How far ahead a coach may publish a slot; slots stored further out are not on offer.
SLOT_HORIZON_DAYS = env.int("SLOT_HORIZON_DAYS", default=365)
# A coach's claim on a session not worked on for this long goes back to the review queue.
REVIEW_CLAIM_TTL_HOURS = env.int("REVIEW_CLAIM_TTL_HOURS", default=48)
# How long the counts and pages of the bank's lists are cached; any write to the bank forgets them.
QUESTION_LIST_CACHE_SECONDS = env.int("QUESTION_LIST_CACHE_SECONDS", default=600)

# Adds /api/v1/bench/baseline/ for bench/ scripts; never on in production.
BENCHMARK_ENDPOINTS = env.bool("BENCHMARK_ENDPOINTS", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
