"""Entry types of the activities app (imported from ``ActivitiesConfig.ready``).

Every activity entry carries kind, RW and RT numbers and status; volunteers appear as
``volunteer:<id>``, the coordinator as a pseudonym. Typed texts (a resource reference, a
reason) are never in the log: the rows of this app keep them.
"""

from gotong.transparency.log_schema import (
    BOOL,
    COUNT,
    ID,
    PSEUDONYM,
    RECEIPT_CODE,
    REF,
    SLUG,
    TEXT_HASH,
    TIME,
    entry_types_declare,
    enum,
    list_of,
)

from .models import ActivityStatus, Kind, Layer, ResourceKind

_ACTIVITY = {
    "kind": enum(Kind),
    "rw": COUNT,
    "rt": COUNT,
    "status": enum(ActivityStatus),
}
_STEP = {**_ACTIVITY, "from": enum(ActivityStatus), "reason_given": BOOL, "receipt": RECEIPT_CODE}
_VOLUNTEER = {**_ACTIVITY, "volunteer": REF, "skill": SLUG}

entry_types_declare(
    {
        "activity.created": {
            **_ACTIVITY,
            "needs": list_of(REF),
            "community_purpose": BOOL,
            "coordinator": PSEUDONYM,
            "starts_at": TIME,
            "slots": list_of({"skill": SLUG, "count": COUNT}),
            "resources": list_of(
                {
                    "kind": enum(ResourceKind),
                    # Typed by the planner (a stock or product reference): hashed.
                    "ref": TEXT_HASH,
                    "quantity": COUNT,
                    "organisation": ID,
                }
            ),
        },
        **{f"activity.{status}": _STEP for status in ActivityStatus.values},
        "activity.need_added": {**_ACTIVITY, "needs": list_of(REF)},
        "activity.volunteer_invited": _VOLUNTEER,
        "activity.invitation_accepted": _VOLUNTEER,
        "activity.invitation_declined": _VOLUNTEER,
        "activity.invitation_expired": _VOLUNTEER,
        "activity.checked_in": _VOLUNTEER,
        "activity.checked_out": {**_VOLUNTEER, "minutes": COUNT},
        "activity.need_delivered": {**_ACTIVITY, "need": REF},
        "activity.receipt_code_sent": {**_ACTIVITY, "need": REF},
        "activity.receipt_confirmed": {**_ACTIVITY, "need": REF, "by": SLUG},
        "activity.signoff": {**_ACTIVITY, "layer": enum(Layer), "independent": COUNT},
        "activity.rated": {**_ACTIVITY, "need": REF, "stars": COUNT, "on_behalf": BOOL},
        "activity.policy_set": {
            "verifiers_required": COUNT,
            "rotation_max": COUNT,
            "rotation_days": COUNT,
        },
        "conflict.declared": {"with": enum(["person", "household"])},
    }
)
