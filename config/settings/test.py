"""Settings for the test suite: fast hashing, tasks run at once, messages to files."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-that-is-long-enough-for-django-checks"  # noqa: S105
GOTONG_PSEUDONYM_KEY = "test-pseudonym-key"
GOTONG_LOG_SIGNING_KEY = "dGVzdC1vbmx5LWxvZy1zaWduaW5nLWtleS0zMmJ5dGU="  # noqa: S105
GOTONG_DATA_KEYS = "1:dGVzdC1vbmx5LWRhdGEta2V5LW9mLTMyLWJ5dGVzLiE="
GOTONG_BLIND_INDEX_KEY = "test-blind-index-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
GOTONG_NOTIFICATION_BACKEND = "file"
# Tests read login, receipt and voucher codes from the file outbox, as a demo user does.
GOTONG_NOTIFICATION_CODES_IN_CLEAR = True
# Transactional tests see queued log entries appended at the commit, not a moment later.
GOTONG_LOG_DRAIN_IN_BACKGROUND = False
# One outbox directory per test run, removed when the process exits.
_OUTBOX = tempfile.TemporaryDirectory(prefix="gotong-outbox-")
GOTONG_NOTIFICATION_FILE_DIR = _OUTBOX.name
GOTONG_NOTIFICATION_BACKOFF_SECONDS = 0
# Tests upload many photos as one user; the limit's own tests turn it on.
GOTONG_EVIDENCE_UPLOADS_PER_MINUTE = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "evidence_private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "evidence_public": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# An empty, existing directory: pages find static files through the finders in tests.
_STATIC = tempfile.TemporaryDirectory(prefix="gotong-static-")
STATIC_ROOT = Path(_STATIC.name)
WHITENOISE_USE_FINDERS = True
