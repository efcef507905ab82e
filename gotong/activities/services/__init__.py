"""Activities use-cases, one module per group (``gotong/activities/services/<module>.py``).

- ``planning``: ``activity_create``: an RT/RW head or operator plans an activity (kind,
  schedule, place, coordinator, volunteer slots per skill, resources used) serving
  approved needs (which become "matched") or a community purpose; ``activity_need_add``
  serves one more need; ``resource_link_add`` attaches goods, funds or a UMKM product
  (called by funds and market); ``activity_policy_set``: K verifiers and the rotation
  limit of a kelurahan (the policy itself is read by ``selectors.activity_policy``).
- ``assignments``: ``assignment_invite`` / ``assignment_respond`` / ``assignment_check_in``
  / ``assignment_check_out``: volunteers are invited to a slot, accept or decline, and
  record when they arrive and leave; ``assignment_expire``: the platform withdraws an
  invitation left unanswered too long.
- ``lifecycle``: ``activity_transition``: every lifecycle step, checked against the one
  transition table (``transitions.py``); ``activity_start`` (needs go "in progress"),
  ``activity_close`` (needs closed, public receipt), ``activity_cancel`` name the steps.
- ``proof``: ``activity_evidence_add``: a photo through the transparency evidence service;
  ``activity_need_deliver``: a need served is delivered (only with a photo from the
  activity's team or a role over the need's RT) and the recipient gets a one-time code;
  ``receipt_code_send`` / ``receipt_code_verify``: the recipient confirms receipt with the
  code sent to their phone; ``activity_confirm_on_behalf``: the RT head confirms for them.
- ``signoff``: ``activity_signoff``: executor -> RT -> RW, plus K independent verifiers
  (independence and rotation rules in ``checks.py``); the last one signs the activity and
  its needs off.
- ``ratings``: ``rating_submit``: the beneficiary (or the RT head for them) rates the help
  1-5.
- ``conflicts``: ``conflict_declare``: a user declares a conflict of interest with a person
  or household; ``conflict_declare_for_activity``: with the coordinator or a beneficiary
  of an activity, without learning who they are.

Shared private helpers live in ``_common.py``.
"""

from ..selectors import activity_policy
from .assignments import (
    assignment_check_in,
    assignment_check_out,
    assignment_expire,
    assignment_invite,
    assignment_respond,
)
from .conflicts import conflict_declare, conflict_declare_for_activity
from .lifecycle import activity_cancel, activity_close, activity_start, activity_transition
from .planning import (
    ResourceIn,
    SlotIn,
    activity_create,
    activity_need_add,
    activity_policy_set,
    resource_link_add,
)
from .proof import (
    RECEIPT_CODE_MAX_TRIES,
    RECEIPT_CODE_TTL,
    RECEIPT_CODES_PER_NEED_PER_HOUR,
    activity_confirm_on_behalf,
    activity_evidence_add,
    activity_need_deliver,
    receipt_code_send,
    receipt_code_verify,
)
from .ratings import rating_submit
from .signoff import activity_signoff

__all__ = [
    "RECEIPT_CODES_PER_NEED_PER_HOUR",
    "RECEIPT_CODE_MAX_TRIES",
    "RECEIPT_CODE_TTL",
    "ResourceIn",
    "SlotIn",
    "activity_cancel",
    "activity_close",
    "activity_confirm_on_behalf",
    "activity_create",
    "activity_evidence_add",
    "activity_need_add",
    "activity_need_deliver",
    "activity_policy",
    "activity_policy_set",
    "activity_signoff",
    "activity_start",
    "activity_transition",
    "assignment_check_in",
    "assignment_check_out",
    "assignment_expire",
    "assignment_invite",
    "assignment_respond",
    "conflict_declare",
    "conflict_declare_for_activity",
    "rating_submit",
    "receipt_code_send",
    "receipt_code_verify",
    "resource_link_add",
]
