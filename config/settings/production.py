"""Production settings: secrets come from the environment, HTTPS everywhere."""

from django.core.exceptions import ImproperlyConfigured

from config import env as environment

from .base import *  # noqa: F403

DEBUG = False
if not environment.SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
if not environment.PSEUDONYM_KEY:
    raise ImproperlyConfigured("GOTONG_PSEUDONYM_KEY must be set in production.")
if not environment.DATA_KEYS:
    raise ImproperlyConfigured("GOTONG_DATA_KEYS must be set in production.")
if not environment.BLIND_INDEX_KEY:
    raise ImproperlyConfigured("GOTONG_BLIND_INDEX_KEY must be set in production.")
if not environment.LOG_SIGNING_KEY:
    raise ImproperlyConfigured("GOTONG_LOG_SIGNING_KEY must be set in production.")
SECRET_KEY = environment.SECRET_KEY
GOTONG_LOG_SIGNING_KEY = environment.LOG_SIGNING_KEY
GOTONG_PSEUDONYM_KEY = environment.PSEUDONYM_KEY
GOTONG_DATA_KEYS = environment.DATA_KEYS
GOTONG_BLIND_INDEX_KEY = environment.BLIND_INDEX_KEY

SECURE_SSL_REDIRECT = environment.SECURE_SSL_REDIRECT
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
