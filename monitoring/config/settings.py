"""Settings of the portal.

Everything that differs between the embedded default (``make run``: SQLite, Celery
eager, local files) and the production shape (PostgreSQL, Redis, Celery workers) is
read from the environment through :func:`monitoring.config.env.env`, so that no variable set
means the embedded default and a variable set wrong stops the start.
"""

import datetime as dt
from pathlib import Path

from celery.schedules import crontab
from whitenoise.compress import Compressor

from monitoring.config.env import env, secret_key
from monitoring.config.extensions import EXTENSIONS

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env("DEBUG", "bool", default=True)

# The key signs sessions, CSRF tokens and personal links: production (DEBUG off) brings its
# own; the embedded default generates one on its first run and keeps it in .secret_key (not in
# git). A published, empty or short key stops the start, DEBUG or not (monitoring.config.env.secret_key).
SECRET_KEY = secret_key(debug=DEBUG, key_file=BASE_DIR / ".secret_key")

ALLOWED_HOSTS = env("ALLOWED_HOSTS", "list", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS", "list", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    # The cycle, left to right: an app imports only from the apps before it.
    "monitoring",
    "deficits",
    "iom",
    "indicators",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "monitoring.shared.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "monitoring.shared.security.ControlCharactersMiddleware",
    # A lookup that finds nothing (a stale page's item id) answers 404, not 500.
    "monitoring.shared.security.NotFoundMiddleware",
    # A form's door opened with GET (a bookmark, the login's «next» after a session ran out): a Russian page.
    "monitoring.shared.security.MethodNotAllowedPage",
    # A letter or report asked for before the issuing body's blank is set up: the setup-needed page.
    "reports.issuer_middleware.RequisitesMissingMiddleware",
    # Lets django-simple-history record who made a change saved during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "monitoring.config.urls"

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
                "monitoring.shared.context_processors.portal",
                "reports.context_processors.notices",
            ],
        },
    },
]

WSGI_APPLICATION = "monitoring.config.wsgi.application"
ASGI_APPLICATION = "monitoring.config.asgi.application"

DATABASES = {
    "default": env(
        "DATABASE_URL",
        "database",
        default={"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"},
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two requests writing at once (a double click on «Согласовать») must queue, not fail with
    # "database is locked": a transaction takes the write lock when it begins (IMMEDIATE), and
    # a writer waits up to 20 s for it. PostgreSQL needs neither.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "monitoring.User"
# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): 5 failed logins for one username from one address lock that
# pair out for 15 minutes. The pair, not the address alone: a school's staff often share one
# NAT address, and one person's typos must not lock out the colleagues; not the username
# alone: a stranger must not be able to lock a known official out from elsewhere. 5 tries
# leave room for a keyboard layout mistake; 15 minutes make guessing hopeless (about 480
# tries a day per pair) and is short enough to need no unlocking by staff. Failed attempts
# are kept in the database (visible in the admin), a success resets the pair's count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "monitoring.shared.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "monitoring.shared.security.client_ip"
# The reverse proxies (addresses or networks) whose X-Forwarded-For is believed; from anyone
# else the header is ignored and the socket address counts (monitoring.shared.security.client_ip).
TRUSTED_PROXIES = env("TRUSTED_PROXIES", "list", default=[])

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
# The portal's own catalog: the Russian plural forms of every count it prints (ngettext). Compiled
# in pure Python by `make messages`; the .mo is committed, so `make run` needs no gettext tools.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names need `collectstatic`; the embedded default serves
        # the source files as they are so that `make run` needs no build step.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Source maps (6 MB of them come with the API docs' Swagger UI and ReDoc) are read by a
# developer's browser tools only: compressing them cost collectstatic about a minute of CPU.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# The cache carries job progress between workers and web processes: Redis when there is one.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
        if env("REDIS_URL", default="")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery: Redis when REDIS_URL is set, otherwise tasks run eagerly in the caller.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# Without a broker, slow work a page starts (an import's apply, the annual report) runs in a thread of
# the web process rather than inside the request (monitoring.shared.dispatch.send_beside_on_commit);
# tests turn it off (their ``beside`` fixture holds the work back instead).
EAGER_TASKS_IN_BACKGROUND = env("EAGER_TASKS_IN_BACKGROUND", "bool", default=CELERY_TASK_ALWAYS_EAGER)
# Autodiscovery reads each app's tasks.py; the intake room keeps its tasks in its own module.
CELERY_IMPORTS = ("monitoring.intake.tasks",)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 25
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers reconnect through a broker outage of any length (the default gives up after 100 tries).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TIMEZONE = TIME_ZONE
# Daily notices (plan deadlines, findings, issued letters, overdue measures): run by `celery beat`
# each morning (CELERY_TIMEZONE), before people open the portal.
CELERY_BEAT_SCHEDULE = {
    "reports-daily-notices": {
        "task": "reports.tasks.send_daily_notices",
        "schedule": crontab(hour=7, minute=0),
    },
    # Every minute: work a broker outage left waiting is sent again (monitoring.shared.dispatch),
    # and computations whose worker was killed are marked failed (indicators.services).
    "monitoring-redispatch-waiting": {"task": "monitoring.tasks.redispatch_waiting_task", "schedule": crontab()},
    "indicators-fail-stale-runs": {"task": "indicators.tasks.fail_stale_runs", "schedule": crontab()},
    # Questionnaire campaigns: their links again to those who have not answered (once in 24 h).
    "deficits-campaign-reminders": {
        "task": "deficits.tasks.campaign_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
}
# Municipalities per step of an indicator computation; 0 computes the region in one step
# per direction. A country-size database fans out over workers with e.g. 10.
INDICATOR_CHUNK_MUNICIPALITIES = env("INDICATOR_CHUNK_MUNICIPALITIES", "int", default=0)
# A running computation none of whose steps showed a sign of life for this long lost its
# worker (no honest step outlives its 25-minute hard limit by that much): it is marked failed.
INDICATOR_RUN_STALE_SECONDS = env("INDICATOR_RUN_STALE_SECONDS", "int", default=40 * 60)
# An applied import's COPY of 10,000 rows or more has its table's foreign keys dropped and
# re-added (one validating join instead of a check per row: a region's first import 8.9 ->
# 6.6 s). Dropping a key locks the table and the tables it references (periods, schools,
# teachers…) until the commit, so pages wait for the rest of the import, some 3 s for a
# region. False keeps the row-by-row checks and pages never wait (monitoring/shared/bulk.py).
IMPORT_BULK_FOREIGN_KEYS = env("IMPORT_BULK_FOREIGN_KEYS", "bool", default=True)

REST_FRAMEWORK = {
    # Systems sign in with a token (`Authorization: Token …`), people's browsers with their
    # session. The token class comes first so that an anonymous call gets 401 with a
    # WWW-Authenticate header rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "monitoring.shared.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "monitoring.shared.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["monitoring.shared.api.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "monitoring.shared.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "monitoring.shared.api.exception_handler",
    # Per address for anonymous calls (they reach only the schema and its docs pages, whose
    # generation is costly; elsewhere DRF answers 401 before any throttle), per user for tokens
    # and sessions: 20 requests a second sustained lets a system page through a region's
    # indicator values (50-500 rows a page) in minutes, while a runaway loop is stopped.
    # Counted in the cache, which is Redis (shared by all web processes) in production.
    # API_THROTTLE=off only for the API fuzzer, which sends far more from one address.
    "DEFAULT_THROTTLE_CLASSES": (
        ["rest_framework.throttling.AnonRateThrottle", "rest_framework.throttling.UserRateThrottle"]
        if env("API_THROTTLE", "bool", default=True)
        else []
    ),
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "1200/min"},
}
# django-rest-knox: tokens never expire by themselves (systems run unattended); institute
# staff revoke them. Only the hash is stored.
KNOX_TOKEN_MODEL = "monitoring.ApiToken"
# Knox's own migrations create its default token table even when the model is swapped for
# ours; that orphan table's foreign key to users would block flushing the user table.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": "monitoring.ApiToken",
    "TOKEN_TTL": None,
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API портала мониторинга профессионального развития педагогов",
    "DESCRIPTION": (
        "Обмен данными с системами региона. Вход по токену (заголовок `Authorization: Token <токен>`, "
        "токены выпускает специалист института) или по сессии браузера. Каждый ответ ограничен "
        "областью видимости владельца токена. Ошибки: JSON с полями `code` (машинный код) и `detail` "
        "(сообщение на русском)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs pages load Swagger UI and ReDoc from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ImportKindEnum": "monitoring.models.ImportKind",
        "AddresseeKindEnum": "reports.models.AddresseeKind",
        "SchoolKindEnum": "monitoring.models.SchoolKind",
        "ImportStatusEnum": "monitoring.models.ImportStatus",
        "DiagnosticKindEnum": "deficits.models.DiagnosticKind",
        "DiagnosticStatusEnum": "deficits.models.DiagnosticStatus",
        "ProgramKindEnum": "iom.models.ProgramKind",
        "ActivityKindEnum": "iom.models.ActivityKind",
        "EnrollmentStatusEnum": "iom.models.EnrollmentStatus",
        "RouteStatusEnum": "iom.models.RouteStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "monitoring.shared.schema.add_error_responses",
    ],
}

# Upload bounds: the data-package import checks sizes itself before opening a file;
# these keep Django from buffering more than that in the first place.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portal@localhost")
# The portal's own address, for links in e-mails (a mail has no request to take a host from):
# by default the first allowed host, over https in production.
PORTAL_URL = env(
    "PORTAL_URL",
    default=("http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0]}"),
).rstrip("/")

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): everything from the portal itself. No inline script
# anywhere (page behaviour is in static/js/, chart data travels in json_script blocks, which
# are data, not code); style attributes are allowed (Bootstrap progress bars, Django admin,
# DRF's pages use them) but <style> elements and external sheets are not. Bootstrap's icons
# are data: SVGs. The API docs views relax this for Swagger UI/ReDoc (monitoring/config/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features the portal never uses, off for it and for anything it frames
# (monitoring.shared.security.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Audit history (django-simple-history) of what people edit; see monitoring/models/history.py.
# Reverting from the admin would bypass the services' rules (a letter's workflow, a closed
# period): the history is read, never replayed.
SIMPLE_HISTORY_REVERT_DISABLED = True
if not DEBUG:
    # Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT", "bool", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS", "int", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes announces itself ("AXES: BEGIN version …") at every start, so every
    # management command printed it; its warnings and its login records still come through.
    "loggers": {"axes.apps": {"level": "WARNING"}},
}

# Every extension point (what runs after an import, a computation, an issued letter; the data
# package's sheets; the demo's steps) is declared in monitoring/config/extensions.py.
PORTAL_EXTENSIONS = EXTENSIONS
