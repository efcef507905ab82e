"""Settings shared by every environment. Environment-specific values come from config.env."""

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from config import env as environment

BASE_DIR = environment.BASE_DIR
SECRET_KEY = environment.SECRET_KEY
DEBUG = environment.DEBUG
ALLOWED_HOSTS = environment.ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = environment.CSRF_TRUSTED_ORIGINS

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
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # gotong.core before django_tasks_db: its db_worker (re-queues dead tasks) wins.
    "gotong.core",
    "django_tasks",
    "django_tasks_db",
    "csp",
    # Serves the API docs (Swagger UI) from django-ninja's own static files, not a CDN.
    "ninja",
    "gotong.territory",
    "gotong.accounts",
    "gotong.channels",
    "gotong.transparency",
    "gotong.registry",
    "gotong.needs",
    "gotong.activities",
    "gotong.matching",
    "gotong.funds",
    "gotong.market",
    "gotong.dashboard",
    "gotong.insights",
    "gotong.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gotong.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "gotong.web.middleware.SecurityHeadersMiddleware",
    "gotong.territory.middleware.TenantMiddleware",
    # Axes must be last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "gotong.web.context_processors.tenant",
                "gotong.web.navigation.navigation",
            ],
        },
    },
]

DATABASES = {"default": environment.env.db_url_config(environment.DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:landing"

# django-axes: lock a phone number + IP pair after 5 failed password logins for 30 minutes,
# counted together over every password door (officer login and admin login): the key is
# the normalised E.164 number whatever the form calls the field (gotong/accounts/lockout.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "phone"
AXES_USERNAME_CALLABLE = "gotong.accounts.lockout.lockout_username"
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Gotong Royong"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"
# Evidence photos (gotong.transparency). Originals are private: never served, so keep
# MEDIA_ROOT/private out of any web server's reach. Public copies (metadata stripped,
# resized) are served by the app at /k/<slug>/bukti/<code>/foto.jpg. In production point
# both aliases at an S3-compatible store (docs/ARCHITECTURE.md, "Evidence and receipts").
STORAGES["evidence_private"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT / "private" / "evidence")},
}
STORAGES["evidence_public"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT / "public" / "evidence")},
}
GOTONG_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# What a phone camera makes; larger frames are refused before they are decoded.
GOTONG_EVIDENCE_MAX_PIXELS = 40_000_000
# Uploads a user may try per minute (429 beyond; 0 = no limit).
GOTONG_EVIDENCE_UPLOADS_PER_MINUTE = 10
GOTONG_EVIDENCE_PUBLIC_MAX_SIDE = 1280
# Perceptual hashes at most this many bits apart (of 64) count as the same picture.
GOTONG_EVIDENCE_PHASH_MAX_DISTANCE = 6

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

if environment.REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": environment.REDIS_URL,
        }
    }

# Notification delivery (gotong.channels).
GOTONG_NOTIFICATION_BACKEND = environment.NOTIFICATION_BACKEND
GOTONG_NOTIFICATION_FILE_DIR = environment.NOTIFICATION_FILE_DIR
GOTONG_NOTIFICATION_MAX_ATTEMPTS = 5
# Backends write bearer codes (login, receipt, voucher) in clear only in DEBUG or when this
# says so explicitly: the local demo and the tests. A deploy check refuses it (channels.E003).
GOTONG_NOTIFICATION_CODES_IN_CLEAR = False
GOTONG_NOTIFICATION_BACKOFF_SECONDS = 30

# Transparency log (gotong.transparency): signing key set per environment; a file is used
# when the key is empty (local demo only).
GOTONG_LOG_SIGNING_KEY = ""
GOTONG_LOG_SIGNING_KEY_FILE: Path | None = None
GOTONG_TREE_HEAD_INTERVAL_SECONDS = 60
# Queued log entries (the funds ledger's) are appended by a background thread of the
# writing process this long after the commit, in batches; False appends at the commit.
GOTONG_LOG_DRAIN_IN_BACKGROUND = True
GOTONG_LOG_DRAIN_DELAY_MS = 200

# Task crash recovery (gotong.core.scheduling): a task row RUNNING longer than its lease
# is dead (its worker stopped); the worker re-queues it and --schedule restarts its chain.
# A lease must be longer than the task's slowest honest run, or it may run twice.
GOTONG_TASK_LEASE_SECONDS = 600
GOTONG_TASK_LEASES = {
    "gotong.transparency.tasks.tree_heads_publish_task": 120,
    "gotong.channels.tasks.message_deliver_task": 300,
    "gotong.dashboard.tasks.dashboard_refresh_task": 1800,
}

# Login codes for residents (gotong.accounts).
GOTONG_LOGIN_CODE_TTL_SECONDS = 300
GOTONG_LOGIN_CODE_MAX_TRIES = 5
GOTONG_LOGIN_CODE_PER_PHONE_PER_HOUR = 5
GOTONG_LOGIN_CODE_PER_IP_PER_HOUR = 20

# Security headers (tightened further in production.py).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
GOTONG_PERMISSIONS_POLICY = "camera=(self), geolocation=(self), microphone=(), payment=()"

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
