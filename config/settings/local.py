"""Settings for `make run` and development on one machine (embedded SQLite)."""

from config import env as environment

from .base import *  # noqa: F403

DEBUG = environment.env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = environment.SECRET_KEY or "local-development-only-secret-key-not-for-production-use"
ALLOWED_HOSTS = environment.ALLOWED_HOSTS
GOTONG_PSEUDONYM_KEY = environment.PSEUDONYM_KEY or "local-development-pseudonym-key"
# The demo generates its own log signing key once, in var/keys/ (not committed).
GOTONG_LOG_SIGNING_KEY = environment.LOG_SIGNING_KEY
GOTONG_LOG_SIGNING_KEY_FILE = BASE_DIR / "var" / "keys" / "log-signing.key"  # noqa: F405
# Fixed development keys: the demo database is synthetic, so these protect nothing real.
GOTONG_DATA_KEYS = environment.DATA_KEYS or "1:bG9jYWwtZGV2ZWxvcG1lbnQtZGF0YS1rZXktMzJieXQ="
GOTONG_BLIND_INDEX_KEY = environment.BLIND_INDEX_KEY or "local-development-blind-index-key"
# Residents' login codes go to var/outbox/ so a demo user can read them without a phone:
# the demo says explicitly that the file outbox may hold codes in clear (never production).
GOTONG_NOTIFICATION_BACKEND = environment.env.str("GOTONG_NOTIFICATION_BACKEND", default="file")
GOTONG_NOTIFICATION_CODES_IN_CLEAR = True
