"""Who may hand in evidence about an activity, or about a need an activity serves
(registered with transparency from ``ready``).

- ``activity:N``: its coordinator and accepted volunteers, or an RT/RW head or officer over
  its RT (``activities.manage``).
- ``need:N``: the coordinator or an accepted volunteer of an activity serving the need (the
  needs app allows the roles over the need's RT).
"""

from typing import Any

from gotong.accounts.permissions import permission_holds_over
from gotong.territory.models import Kelurahan
from gotong.transparency.evidence_subjects import evidence_subject_register

from .selectors import activity_get, activity_team_includes, need_served_by_team_of


def activity_evidence_allowed(*, user: Any, kelurahan: Kelurahan, subject_id: int) -> bool:
    """The activity's team, or a manager over its RT (NotFound outside this kelurahan)."""
    activity = activity_get(kelurahan=kelurahan, pk=subject_id)
    return activity_team_includes(activity=activity, user=user) or permission_holds_over(
        user, "activities.manage", activity.rt
    )


def need_evidence_by_team_allowed(*, user: Any, kelurahan: Kelurahan, subject_id: int) -> bool:
    """The team of an activity serving the need."""
    return need_served_by_team_of(kelurahan=kelurahan, need_id=subject_id, user=user)


evidence_subject_register("activity", activity_evidence_allowed)
evidence_subject_register("need", need_evidence_by_team_allowed)
