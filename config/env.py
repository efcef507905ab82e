"""The one place that reads the process environment.

Every setting that differs between machines comes from here; nothing else in the
project calls ``os.environ``.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_dotenv = BASE_DIR / ".env"
if _dotenv.exists():
    environ.Env.read_env(str(_dotenv))

DEBUG: bool = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY: str = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASE_URL: str = env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
REDIS_URL: str = env.str("REDIS_URL", default="")
# No default: production refuses to start until a channel is chosen (channels.E001).
NOTIFICATION_BACKEND: str = env.str("GOTONG_NOTIFICATION_BACKEND", default="")
NOTIFICATION_FILE_DIR: str = env.str(
    "GOTONG_NOTIFICATION_FILE_DIR", default=str(BASE_DIR / "var" / "outbox")
)
PSEUDONYM_KEY: str = env.str("GOTONG_PSEUDONYM_KEY", default="")
# Ed25519 private key of the transparency log, base64 of the 32 raw bytes.
LOG_SIGNING_KEY: str = env.str("GOTONG_LOG_SIGNING_KEY", default="")
# Tier-2 field encryption: "1:<base64 of 32 bytes>,2:<...>"; the highest version encrypts.
DATA_KEYS: str = env.str("GOTONG_DATA_KEYS", default="")
# Keyed hash (HMAC) for finding duplicate NIK/KK without decrypting; never rotate it.
BLIND_INDEX_KEY: str = env.str("GOTONG_BLIND_INDEX_KEY", default="")
SECURE_SSL_REDIRECT: bool = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
