"""Volunteers of an activity: invitation, answer, expiry, check-in and check-out."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from gotong.registry.models import Volunteer

from ..models import Activity, ActivityStatus, Assignment, AssignmentStatus, Slot
from ._common import _locked, _log, _notify, _require_runner


def _week_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(moment)
    monday = (local - dt.timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday, monday + dt.timedelta(days=7)


@transaction.atomic
def assignment_invite(
    *, actor: Any, activity: Activity, slot: Slot, volunteer: Volunteer
) -> Assignment:
    """Invite a volunteer with the slot's skill; their weekly capacity is respected."""
    activity = _locked(activity)
    role = _require_runner(actor, activity)
    if activity.status not in (ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS):
        raise Conflict(_("Volunteers can be invited only before or during the activity."))
    if slot.activity_id != activity.pk:
        raise NotFound(_("That slot is not part of this activity."), {"field": "slot"})
    if volunteer.kelurahan_id != activity.kelurahan_id or not volunteer.is_active:
        raise NotFound(_("That volunteer is not active in this kelurahan."), {"field": "volunteer"})
    if not volunteer.skills.filter(pk=slot.skill_id).exists():
        raise ValidationFailed(
            _("This volunteer has not listed the skill '%(skill)s'.") % {"skill": slot.skill.name},
            {"field": "volunteer"},
        )
    if volunteer.person.user_id is None:
        raise ValidationFailed(
            _("This volunteer has no login yet, so they cannot answer an invitation."),
            {"field": "volunteer"},
        )
    if Assignment.objects.filter(activity=activity, volunteer=volunteer).exists():
        raise Conflict(_("This volunteer is already invited."), {"field": "volunteer"})
    taken = Assignment.objects.filter(
        slot=slot, status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED]
    ).count()
    if taken >= slot.count:
        raise Conflict(
            _("All %(n)s places of this slot are taken or invited.") % {"n": slot.count},
            {"field": "slot"},
        )
    start, end = _week_bounds(activity.starts_at)
    busy = (
        Assignment.objects.filter(
            volunteer=volunteer,
            status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED],
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        )
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .count()
    )
    if busy >= volunteer.max_tasks_per_week:
        raise Conflict(
            _("This volunteer already has %(n)s tasks that week (their limit).")
            % {"n": volunteer.max_tasks_per_week},
            {"field": "volunteer"},
        )
    assignment = Assignment.objects.create(
        activity=activity, slot=slot, volunteer=volunteer, invited_by=actor
    )
    _log(
        activity,
        "activity.volunteer_invited",
        actor,
        role,
        {"volunteer": f"volunteer:{volunteer.pk}", "skill": slot.skill.code},
    )
    _notify(
        [volunteer.person.user.phone] if volunteer.person.user else [],
        "activity_invitation",
        activity,
        skill=slot.skill.name,
    )
    return assignment


def _own_assignment(actor: Any, assignment: Assignment) -> None:
    if getattr(actor, "pk", None) is None or assignment.volunteer.person.user_id != actor.pk:
        raise PermissionDenied(_("Only the invited volunteer can do this."))


@transaction.atomic
def assignment_respond(*, actor: Any, assignment: Assignment, accept: bool) -> Assignment:
    """The invited volunteer accepts or declines."""
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("volunteer__person", "slot__skill", "activity__rt__rw")
        .get(pk=assignment.pk)
    )
    _own_assignment(actor, assignment)
    activity = assignment.activity
    if assignment.status != AssignmentStatus.INVITED:
        raise Conflict(_("You have already answered this invitation."))
    if activity.status not in (ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS):
        raise Conflict(_("This activity no longer takes volunteers."))
    target = AssignmentStatus.ACCEPTED if accept else AssignmentStatus.DECLINED
    if accept:
        accepted = Assignment.objects.filter(
            slot=assignment.slot, status=AssignmentStatus.ACCEPTED
        ).count()
        if accepted >= assignment.slot.count:
            raise Conflict(_("This slot is already full."))
    if not Assignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.INVITED).update(
        status=target, responded_at=timezone.now(), updated_at=timezone.now()
    ):
        raise Conflict(_("You have already answered this invitation."))
    assignment.refresh_from_db()
    _log(
        activity,
        f"activity.invitation_{'accepted' if accept else 'declined'}",
        actor,
        str(Role.RELAWAN),
        {"volunteer": f"volunteer:{assignment.volunteer_id}", "skill": assignment.slot.skill.code},
    )
    _notify(
        [activity.coordinator.phone],
        "activity_answer",
        activity,
        answer=str(_("accepted") if accept else _("declined")),
        skill=assignment.slot.skill.name,
    )
    return assignment


@transaction.atomic
def assignment_expire(*, assignment: Assignment) -> Assignment:
    """The platform withdraws an invitation left unanswered too long (matching's timeout),
    so the place can be offered to someone else."""
    now = timezone.now()
    if Assignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.INVITED).update(
        status=AssignmentStatus.DECLINED, responded_at=now, updated_at=now
    ):
        assignment.refresh_from_db()
        activity = Activity.objects.select_related("rt__rw", "kelurahan").get(
            pk=assignment.activity_id
        )
        _log(
            activity,
            "activity.invitation_expired",
            None,
            None,
            {
                "volunteer": f"volunteer:{assignment.volunteer_id}",
                "skill": assignment.slot.skill.code,
            },
        )
    return assignment


def _my_assignment(actor: Any, activity: Activity) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update()
        .filter(
            activity=activity,
            status=AssignmentStatus.ACCEPTED,
            volunteer__person__user_id=getattr(actor, "pk", None) or 0,
        )
        .first()
    )
    if assignment is None:
        raise PermissionDenied(_("Only a volunteer who accepted a slot can check in or out."))
    return assignment


@transaction.atomic
def assignment_check_in(*, actor: Any, activity: Activity) -> Assignment:
    """A volunteer who accepted records their arrival (the activity must be running)."""
    activity = _locked(activity)
    assignment = _my_assignment(actor, activity)
    if activity.status != ActivityStatus.IN_PROGRESS:
        raise Conflict(_("Check in when the activity has started."))
    now = timezone.now()
    if not Assignment.objects.filter(pk=assignment.pk, checked_in_at__isnull=True).update(
        checked_in_at=now, updated_at=now
    ):
        raise Conflict(_("You have already checked in."))
    assignment.refresh_from_db()
    _log(
        activity,
        "activity.checked_in",
        actor,
        str(Role.RELAWAN),
        {"volunteer": f"volunteer:{assignment.volunteer_id}"},
    )
    return assignment


@transaction.atomic
def assignment_check_out(*, actor: Any, activity: Activity) -> Assignment:
    """A volunteer who checked in records when they left."""
    activity = _locked(activity)
    assignment = _my_assignment(actor, activity)
    if assignment.checked_in_at is None:
        raise Conflict(_("Check in first."))
    now = timezone.now()
    if not Assignment.objects.filter(pk=assignment.pk, checked_out_at__isnull=True).update(
        checked_out_at=now, updated_at=now
    ):
        raise Conflict(_("You have already checked out."))
    assignment.refresh_from_db()
    _log(
        activity,
        "activity.checked_out",
        actor,
        str(Role.RELAWAN),
        {
            "volunteer": f"volunteer:{assignment.volunteer_id}",
            "minutes": int((now - assignment.checked_in_at).total_seconds() // 60)
            if assignment.checked_in_at
            else 0,
        },
    )
    return assignment
