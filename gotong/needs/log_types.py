"""Entry types of the needs app (imported from ``NeedsConfig.ready``).

Every need entry carries category, urgency, RW and status; never the description, the
beneficiary or a typed reason (only whether a reason was given).
"""

from gotong.transparency.log_schema import (
    BOOL,
    COUNT,
    REF,
    TEXT_HASH,
    entry_types_declare,
    enum,
)

from .models import Category, RaisedVia, Status, Urgency

_NEED = {
    "category": enum(Category),
    "urgency": enum(Urgency),
    "rw": COUNT,
    "status": enum(Status),
}
_STEP = {**_NEED, "from": enum(Status), "reason_given": BOOL}

entry_types_declare(
    {
        "need.submitted": {
            **_NEED,
            "raised_via": enum(RaisedVia),
            "quantity": COUNT,
            # The unit is typed by the person who raised the need ("paket", "liter"): only
            # its hash is public; the need row keeps the text.
            "unit": TEXT_HASH,
            "duplicate_override": BOOL,
        },
        **{f"need.{status}": _STEP for status in Status.values if status != Status.SUBMITTED},
        "need.confirmed": {**_STEP, "by": enum(["recipient", "recipient_code"])},
        "need.quantities": {
            **_NEED,
            "committed": COUNT,
            "in_transit": COUNT,
            "delivered": COUNT,
            "requested": COUNT,
        },
        "need.overdue": {**_NEED, "level": COUNT, "target_hours": COUNT},
        "need.reopened": {**_NEED, "parent": REF},
    }
)
