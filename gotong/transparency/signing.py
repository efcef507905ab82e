"""The deployment's Ed25519 private key, which signs tree heads."""

import base64
import os
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .canonical import canonical_bytes, tree_head_payload


def _key_from_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.b64encode(os.urandom(32)).decode())
        path.chmod(0o600)
    return base64.b64decode(path.read_text().strip())


@cache
def signing_key() -> Ed25519PrivateKey:
    """The private key from settings, or from the local key file (demo)."""
    encoded = settings.GOTONG_LOG_SIGNING_KEY
    if encoded:
        raw = base64.b64decode(encoded)
    elif settings.GOTONG_LOG_SIGNING_KEY_FILE:
        raw = _key_from_file(Path(settings.GOTONG_LOG_SIGNING_KEY_FILE))
    else:
        raise ImproperlyConfigured("Set GOTONG_LOG_SIGNING_KEY to sign the transparency log.")
    if len(raw) != 32:
        raise ImproperlyConfigured("GOTONG_LOG_SIGNING_KEY must be 32 bytes, base64-encoded.")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_bytes() -> bytes:
    return signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def tree_head_sign(*, tree_size: int, root_hash: bytes, timestamp: str) -> bytes:
    payload = tree_head_payload(tree_size=tree_size, root_hash=root_hash, timestamp=timestamp)
    return signing_key().sign(canonical_bytes(payload))
