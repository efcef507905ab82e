"""Entry types of the territory app (imported from ``TerritoryConfig.ready``)."""

from gotong.transparency.log_schema import BOOL, COUNT, HASH, REF, code, entry_types_declare

entry_types_declare(
    {
        "kelurahan.created": {
            "region_code": code(r"[0-9]{2}(?:\.[0-9]{2,4}){0,3}", 13),
            "demo": BOOL,
        },
        "rw.created": {"number": COUNT},
        "rt.created": {"number": COUNT, "rw": REF},
        "rw.geometry_set": {"boundary_sha256": HASH},
    }
)
