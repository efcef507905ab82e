"""Field encryption for sensitive (Tier 2) data and blind indexes to find duplicates.

- ``field_encrypt`` / ``field_decrypt``: AES-256-GCM with a random 96-bit nonce. A stored
  token reads ``v<version>:<base64(nonce + ciphertext + tag)>``; the key version lets old
  rows be read while new rows use the newest key (``manage.py rotate_data_keys``
  re-encrypts). The ``context`` (e.g. ``"registry.person.nik"``) is bound as associated
  data, so a token copied into another column does not decrypt.
- ``blind_index``: HMAC-SHA256 of a normalised value under a separate key, to find equal
  NIK/KK numbers without decrypting. It never rotates (changing it would orphan every index).
- ``CiphertextField``: a text column that holds tokens; the rotation command finds every
  such column in every app.

Keys come from settings ``GOTONG_DATA_KEYS`` (``"1:<base64 32 bytes>,2:<...>"``) and
``GOTONG_BLIND_INDEX_KEY``, read from the environment in ``config/env.py``.
"""

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

NONCE_BYTES = 12


class DecryptionFailed(Exception):
    """A token is malformed, its key version is unknown, or it was tampered with."""


@lru_cache(maxsize=8)
def _keyring(spec: str) -> tuple[int, dict[int, AESGCM]]:
    keys: dict[int, AESGCM] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        version_text, _, key_text = part.partition(":")
        try:
            version = int(version_text)
            key = base64.b64decode(key_text, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise ImproperlyConfigured(
                "GOTONG_DATA_KEYS must read '1:<base64>,2:<base64>'."
            ) from exc
        if len(key) != 32 or version < 1:
            raise ImproperlyConfigured(
                "Each GOTONG_DATA_KEYS entry needs a version >= 1 and exactly 32 key bytes."
            )
        keys[version] = AESGCM(key)
    if not keys:
        raise ImproperlyConfigured("GOTONG_DATA_KEYS is empty.")
    return max(keys), keys


def _keys() -> tuple[int, dict[int, AESGCM]]:
    return _keyring(getattr(settings, "GOTONG_DATA_KEYS", ""))


def data_key_current_version() -> int:
    """The key version that encrypts new values (the highest configured)."""
    return _keys()[0]


def field_encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt a value with the newest key; empty stays empty (nothing to protect)."""
    if plaintext == "":
        return ""
    version, keys = _keys()
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys[version].encrypt(nonce, plaintext.encode(), context.encode())
    return f"v{version}:{base64.b64encode(nonce + sealed).decode()}"


def token_version(token: str) -> int | None:
    """The key version of a stored token (None for an empty or malformed token)."""
    head, sep, _ = token.partition(":")
    if not sep or not head.startswith("v") or not head[1:].isdigit():
        return None
    return int(head[1:])


def field_decrypt(token: str, *, context: str) -> str:
    """Decrypt a stored token; raise DecryptionFailed (never with the value) when it fails."""
    if token == "":
        return ""
    version = token_version(token)
    keys = _keys()[1]
    if version is None or version not in keys:
        raise DecryptionFailed(f"unknown key version in a {context} token")
    try:
        raw = base64.b64decode(token.partition(":")[2], validate=True)
        plain = keys[version].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except (binascii.Error, ValueError, InvalidTag) as exc:
        raise DecryptionFailed(f"a {context} token does not decrypt") from exc
    return plain.decode()


def field_reencrypt(token: str, *, context: str) -> str:
    """The same value under the newest key (unchanged when it already uses it)."""
    if token == "" or token_version(token) == data_key_current_version():
        return token
    return field_encrypt(field_decrypt(token, context=context), context=context)


@lru_cache(maxsize=4)
def _index_key(secret: str) -> bytes:
    if not secret:
        raise ImproperlyConfigured("GOTONG_BLIND_INDEX_KEY is empty.")
    return hashlib.sha256(b"gotong-blind-index:" + secret.encode()).digest()


def blind_index(value: str, *, context: str) -> str:
    """A keyed hash (hex) of a normalised value, to find equal values without decrypting."""
    if value == "":
        return ""
    key = _index_key(getattr(settings, "GOTONG_BLIND_INDEX_KEY", ""))
    message = f"{context}\x00{value.strip()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class CiphertextField(models.TextField):
    """A column holding ``field_encrypt`` tokens for one ``context``; never plaintext.

    Services encrypt and decrypt explicitly (a read of Tier-2 data is a logged act, not a
    side effect of loading a row); ``manage.py rotate_data_keys`` finds these columns.
    """

    def __init__(self, *args: Any, context: str = "", **kwargs: Any) -> None:
        self.context = context
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, path, args, kwargs
