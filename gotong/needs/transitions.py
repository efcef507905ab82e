"""The one transition table of a need's lifecycle.

Each allowed (from, to) pair names the permission the actor must hold over the need's RT
and whether a reason is required. ``None`` as permission means the step is taken by the
platform itself (the activities app, when sign-offs are complete), never by a person.
"""

from django.utils.translation import pgettext_lazy

from gotong.core.lifecycle import Transition

from .models import OPEN_STATUSES, Status

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (Status.SUBMITTED, Status.VERIFIED): Transition("needs.triage"),
    (Status.SUBMITTED, Status.REJECTED): Transition("needs.triage", reason_required=True),
    (Status.SUBMITTED, Status.ESCALATED): Transition("needs.triage", reason_required=True),
    (Status.VERIFIED, Status.APPROVED): Transition("needs.approve"),
    (Status.VERIFIED, Status.REJECTED): Transition("needs.approve", reason_required=True),
    (Status.ESCALATED, Status.APPROVED): Transition("needs.decide_escalated"),
    (Status.ESCALATED, Status.REJECTED): Transition("needs.decide_escalated", reason_required=True),
    (Status.APPROVED, Status.MATCHED): Transition("needs.assign"),
    (Status.MATCHED, Status.APPROVED): Transition("needs.assign", reason_required=True),
    (Status.MATCHED, Status.IN_PROGRESS): Transition("needs.fulfil"),
    (Status.IN_PROGRESS, Status.DELIVERED): Transition("needs.fulfil"),
    (Status.DELIVERED, Status.CONFIRMED): Transition("needs.confirm_on_behalf"),
    (Status.CONFIRMED, Status.SIGNED_OFF): Transition(None),
    (Status.SIGNED_OFF, Status.CLOSED): Transition("needs.close"),
    **{
        (status, Status.CANCELLED): Transition("needs.cancel", reason_required=True)
        for status in OPEN_STATUSES
    },
}


def transition_get(current: str, target: str) -> Transition | None:
    """The rule for moving from ``current`` to ``target``, or None when not allowed."""
    return TRANSITIONS.get((current, target))


def next_steps(current: str) -> list[str]:
    """Statuses reachable from ``current`` (for the 'what is next' line)."""
    return [to for (frm, to) in TRANSITIONS if frm == current and to != Status.CANCELLED]


# What the button says: the verb a person performs, not the status it leads to.
_ACTIONS: dict[str, str] = {
    Status.VERIFIED: pgettext_lazy("need action", "Verify"),
    Status.APPROVED: pgettext_lazy("need action", "Approve"),
    Status.ESCALATED: pgettext_lazy("need action", "Forward to the kelurahan"),
    Status.REJECTED: pgettext_lazy("need action", "Reject"),
    Status.MATCHED: pgettext_lazy("need action", "Mark help as assigned"),
    Status.IN_PROGRESS: pgettext_lazy("need action", "Start the delivery"),
    Status.DELIVERED: pgettext_lazy("need action", "Mark as delivered"),
    Status.CONFIRMED: pgettext_lazy("need action", "Confirm receipt"),
    Status.CLOSED: pgettext_lazy("need action", "Close"),
    Status.CANCELLED: pgettext_lazy("need action", "Cancel the request"),
}
_BACK_TO_APPROVED = pgettext_lazy("need action", "Take back the assignment")


def action_label(current: str, target: str) -> str:
    """The verb on the button that moves a need from ``current`` to ``target``."""
    if current == Status.MATCHED and target == Status.APPROVED:
        return str(_BACK_TO_APPROVED)
    return str(_ACTIONS.get(target, Status(target).label))


def is_refusal(target: str) -> bool:
    """Steps that end or divert a request (shown as secondary buttons)."""
    return target in (Status.REJECTED, Status.CANCELLED, Status.ESCALATED)
