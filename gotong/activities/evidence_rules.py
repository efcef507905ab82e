"""Who may hand in evidence about an activity, or about a need an activity serves
(registered with transparency from ``ready``).

- ``activity:N``: its coordinator and accepted volunteers, or an RT/RW head or officer over
  its RT (``activities.manage``).
- ``need:N``: the coordinator or an accepted volunteer of an activity serving the need (the
  needs app allows the roles over the need's RT).
"""

from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gotong.accounts.permissions import permission_holds_over
from gotong.needs.evidence_rules import need_label
from gotong.needs.selectors import needs_photos_public
from gotong.territory.models import Kelurahan
from gotong.transparency.evidence_subjects import (
    evidence_photo_rule_register,
    evidence_subject_register,
)

from .models import Activity
from .selectors import (
    activity_get,
    activity_ids_on_team_of,
    activity_list_for_user,
    activity_team_includes,
    activity_visible_to,
    need_served_by_team_of,
    needs_served_by_activities,
    needs_served_by_team_of,
)
from .transitions import OPEN_STATUSES

SUBJECTS_MAX = 200


def activity_evidence_allowed(*, user: Any, kelurahan: Kelurahan, subject_id: int) -> bool:
    """The activity's team, or a manager over its RT (NotFound outside this kelurahan)."""
    activity = activity_get(kelurahan=kelurahan, pk=subject_id)
    return activity_team_includes(activity=activity, user=user) or permission_holds_over(
        user, "activities.manage", activity.rt
    )


def need_evidence_by_team_allowed(*, user: Any, kelurahan: Kelurahan, subject_id: int) -> bool:
    """The team of an activity serving the need."""
    return need_served_by_team_of(kelurahan=kelurahan, need_id=subject_id, user=user)


def activity_label(activity: Activity) -> str:
    """How an activity is named in the evidence select: its title and date."""
    return _("Activity: %(title)s · %(date)s") % {
        "title": activity.title,
        "date": date_format(timezone.localtime(activity.starts_at), "j M Y"),
    }


def activity_evidence_subjects(*, user: Any, kelurahan: Kelurahan) -> list[tuple[str, str]]:
    """Open activities the user is on the team of or manages, newest first."""
    candidates = list(
        activity_list_for_user(kelurahan=kelurahan, user=user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("rt__rw")[:SUBJECTS_MAX]
    )
    on_team = activity_ids_on_team_of(activities=candidates, user=user)
    return [
        (activity.subject, activity_label(activity))
        for activity in candidates
        if activity.pk in on_team or permission_holds_over(user, "activities.manage", activity.rt)
    ]


def need_evidence_by_team_subjects(*, user: Any, kelurahan: Kelurahan) -> list[tuple[str, str]]:
    """Open needs served by an open activity the user is on the team of."""
    return [
        (f"need:{need.pk}", need_label(need))
        for need in needs_served_by_team_of(kelurahan=kelurahan, user=user, limit=SUBJECTS_MAX)
    ]


evidence_subject_register("activity", activity_evidence_allowed, activity_evidence_subjects)
evidence_subject_register("need", need_evidence_by_team_allowed, need_evidence_by_team_subjects)


def activity_photos_public(*, kelurahan: Kelurahan, subject_ids: set[int]) -> set[int]:
    """Of ``subject_ids``, the activities whose photos the public may see: every need it
    serves may show its beneficiaries (``needs_photos_public``). An activity that serves
    no need (kerja bakti) is about no particular resident and is public."""
    served: dict[int, set[int]] = {pk: set() for pk in subject_ids}
    for activity_id, need_id in needs_served_by_activities(
        kelurahan=kelurahan, activity_ids=subject_ids
    ):
        served[activity_id].add(need_id)
    public_needs = needs_photos_public(
        kelurahan=kelurahan, need_ids=set().union(*served.values()) if served else set()
    )
    return {pk for pk, needs in served.items() if needs <= public_needs}


def activity_photo_viewer(*, user: Any, kelurahan: Kelurahan, subject_id: int) -> bool:
    """Whoever may open the activity's page (its team, the residents it serves, the heads
    over it, officers and verifiers) sees its photos even when they are not public."""
    return activity_visible_to(user, activity_get(kelurahan=kelurahan, pk=subject_id))


evidence_photo_rule_register("activity", activity_photos_public, activity_photo_viewer)
