"""Canonical bytes and tree-head signature checks: pure, no Django (the monitor uses it)."""

import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def canonical_bytes(value: Any) -> bytes:
    """UTF-8 of sorted, compact JSON: the exact bytes that are hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def tree_head_payload(*, tree_size: int, root_hash: bytes, timestamp: str) -> dict[str, Any]:
    """The signed object: ``{"tree_size", "root_hash" (hex), "timestamp"}``."""
    return {"tree_size": tree_size, "root_hash": root_hash.hex(), "timestamp": timestamp}


def tree_head_signature_valid(
    *, public_key: bytes, signature: bytes, tree_size: int, root_hash: bytes, timestamp: str
) -> bool:
    """Check a tree head signature with only the public key."""
    payload = tree_head_payload(tree_size=tree_size, root_hash=root_hash, timestamp=timestamp)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, canonical_bytes(payload))
    except (InvalidSignature, ValueError):
        return False
    return True
