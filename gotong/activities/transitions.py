"""The one transition table of an activity's lifecycle.

Each allowed (from, to) pair names the permission the actor must hold over the activity's
RT, whether the coordinator may take the step without that role, and whether a reason is
required. ``None`` as permission: the platform takes the step (all sign-offs are in).

    planned -> in_progress -> reported (executor signed) -> signed_off -> closed
    planned / in_progress -> cancelled
"""

from gotong.core.lifecycle import Transition

from .models import ActivityStatus

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS): Transition(
        "activities.manage", coordinator_may=True
    ),
    # The executor's sign-off (layer "executor"): the coordinator says the work is done.
    (ActivityStatus.IN_PROGRESS, ActivityStatus.REPORTED): Transition(
        "activities.manage", coordinator_may=True
    ),
    (ActivityStatus.REPORTED, ActivityStatus.SIGNED_OFF): Transition(None),
    (ActivityStatus.SIGNED_OFF, ActivityStatus.CLOSED): Transition("activities.close"),
    (ActivityStatus.PLANNED, ActivityStatus.CANCELLED): Transition(
        "activities.manage", reason_required=True
    ),
    (ActivityStatus.IN_PROGRESS, ActivityStatus.CANCELLED): Transition(
        "activities.manage", reason_required=True
    ),
}

OPEN_STATUSES = [ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS, ActivityStatus.REPORTED]
