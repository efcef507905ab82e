"""Entry types of the transparency app (imported from ``TransparencyConfig.ready``)."""

from .log_schema import (
    COORDINATE,
    HASH,
    RECEIPT_CODE,
    TEXT_HASH,
    TIME,
    entry_types_declare,
    enum,
    record,
)
from .photos import EXTENSIONS

entry_types_declare(
    {
        # A photo handed in as evidence: hashes, never the photo; the typed note only as
        # its SHA-256 (the note stays on the private Evidence row).
        "evidence.recorded": {
            "receipt": RECEIPT_CODE,
            "media_type": enum(EXTENSIONS),
            "sha256": HASH,
            "public_sha256": HASH,
            "phash": HASH,
            "captured_at": TIME,
            "gps": record({"lat": COORDINATE, "lon": COORDINATE}),
            "note": TEXT_HASH,
        },
    }
)
