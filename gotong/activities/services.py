"""Activities use-cases.

- ``activity_create``: an RT/RW head or operator plans an activity (kind, schedule, place,
  coordinator, volunteer slots per skill, resources used) serving approved needs (which
  become "matched") or a community purpose; ``activity_need_add`` serves one more need.
- ``assignment_invite`` / ``assignment_respond`` / ``assignment_check_in`` /
  ``assignment_check_out``: volunteers are invited to a slot, accept or decline, and
  record when they arrive and leave.
- ``assignment_expire``: the platform withdraws an invitation left unanswered too long.
- ``activity_transition``: every lifecycle step, checked against the one transition table
  (``transitions.py``); ``activity_start`` (needs go "in progress"), ``activity_close``
  (needs closed, public receipt), ``activity_cancel`` name the steps.
- ``activity_evidence_add``: a photo through the transparency evidence service.
- ``activity_need_deliver``: a need served is delivered (``need_deliver`` with the
  activity's evidence) and the recipient gets a one-time code.
- ``receipt_code_send`` / ``receipt_code_verify``: the recipient confirms receipt with the
  code sent to their phone; ``activity_confirm_on_behalf``: the RT head confirms for them.
- ``activity_signoff``: executor -> RT -> RW, plus K independent verifiers (independence
  and rotation rules in ``checks.py``); the last one signs the activity and its needs off.
- ``rating_submit``: the beneficiary (or the RT head for them) rates the help 1-5.
- ``conflict_declare``: a user declares a conflict of interest with a person or household.
- ``activity_policy_set``: K verifiers and the rotation limit of a kelurahan.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Membership, Role
from gotong.accounts.permissions import acting_role, permission_require
from gotong.channels.services import notification_send
from gotong.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from gotong.core.lifecycle import transition_check
from gotong.needs import services as need_services
from gotong.needs.models import Need
from gotong.needs.models import Status as NeedStatus
from gotong.registry.models import Household, Organisation, Person, Skill, Volunteer
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.models import Evidence
from gotong.transparency.services import actor_pseudonym, entry_record, evidence_upload

from . import checks
from .models import (
    Activity,
    ActivityNeed,
    ActivityPolicy,
    ActivityStatus,
    Assignment,
    AssignmentStatus,
    ConflictDeclaration,
    Kind,
    Layer,
    Rating,
    ReceiptCode,
    ResourceKind,
    ResourceLink,
    SignOff,
    Slot,
)
from .transitions import OPEN_STATUSES, TRANSITIONS

RECEIPT_CODE_TTL = dt.timedelta(minutes=15)
RECEIPT_CODE_MAX_TRIES = 5
RECEIPT_CODES_PER_NEED_PER_HOUR = 5


@dataclass(frozen=True)
class SlotIn:
    skill: Skill
    count: int


@dataclass(frozen=True)
class ResourceIn:
    kind: str
    external_id: str
    quantity: int = 1
    unit: str = "paket"
    organisation: Organisation | None = None


# --- helpers -------------------------------------------------------------------------


def _log(activity: Activity, type: str, actor: Any, role: str | None, data: dict[str, Any]) -> int:
    """Transparency entry for an activity: kind, place (RT/RW numbers), status; ids only."""
    entry = entry_record(
        kelurahan=activity.kelurahan,
        type=type,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        role=role,
        subject=activity.subject,
        data={
            "kind": activity.kind,
            "rw": activity.rt.rw.number,
            "rt": activity.rt.number,
            "status": activity.status,
            **data,
        },
    )
    return entry.index


def _notify(phones: Iterable[str], template: str, activity: Activity, **extra: Any) -> None:
    for phone in sorted({p for p in phones if p}):
        notification_send(
            recipient=phone,
            template=template,
            kelurahan=activity.kelurahan,
            context={
                "activity_id": activity.pk,
                "kind": activity.get_kind_display(),
                "status": activity.get_status_display(),
                "starts_at": timezone.localtime(activity.starts_at).strftime("%d-%m-%Y %H:%M"),
                **extra,
            },
        )


def _heads(role: str, **unit: Any) -> list[str]:
    return list(
        Membership.objects.active().filter(role=role, **unit).values_list("user__phone", flat=True)
    )


def _beneficiary_phone(need: Need) -> str:
    person = need.beneficiary_person
    if person is None:
        return ""
    if person.phone:
        return person.phone
    return person.user.phone if person.user_id and person.user else ""


def _volunteer_phones(activity: Activity) -> list[str]:
    return list(
        Assignment.objects.filter(activity=activity, status=AssignmentStatus.ACCEPTED)
        .exclude(volunteer__person__user__isnull=True)
        .values_list("volunteer__person__user__phone", flat=True)
    )


def _is_coordinator(actor: Any, activity: Activity) -> bool:
    return getattr(actor, "pk", None) is not None and actor.pk == activity.coordinator_id


def _may_manage(actor: Any, activity: Activity) -> bool:
    return actor is not None and actor.has_perm("activities.manage", activity.rt)


def _require_runner(actor: Any, activity: Activity) -> str:
    """The coordinator or an RT/RW head / operator over the activity's RT; returns the role."""
    if _is_coordinator(actor, activity):
        return "koordinator"
    permission_require(actor, "activities.manage", activity.rt)
    return acting_role(actor, "activities.manage", activity.rt)


def _require_team(actor: Any, activity: Activity) -> str:
    """The coordinator, an accepted volunteer, or a manager of the activity's RT."""
    if _is_coordinator(actor, activity):
        return "koordinator"
    if Assignment.objects.filter(
        activity=activity,
        status=AssignmentStatus.ACCEPTED,
        volunteer__person__user_id=getattr(actor, "pk", None) or 0,
    ).exists():
        return str(Role.RELAWAN)
    permission_require(actor, "activities.manage", activity.rt)
    return acting_role(actor, "activities.manage", activity.rt)


def _locked(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update()
        .select_related("rt__rw", "kelurahan", "coordinator")
        .get(pk=activity.pk)
    )


def _linked_need(activity: Activity, need: Need) -> Need:
    if not ActivityNeed.objects.filter(activity=activity, need=need).exists():
        raise NotFound(
            _("Need #%(need)s is not served by activity #%(activity)s.")
            % {"need": need.pk, "activity": activity.pk},
            {"field": "need"},
        )
    return need


def _served_needs(activity: Activity) -> list[Need]:
    return list(
        Need.objects.filter(activity_links__activity=activity)
        .select_related("rt__rw", "kelurahan", "beneficiary_person__user")
        .order_by("pk")
    )


def activity_policy(*, kelurahan: Kelurahan) -> ActivityPolicy:
    """The kelurahan's sign-off policy (defaults K=3, N=3 in 30 days when none is set)."""
    return ActivityPolicy.objects.filter(kelurahan=kelurahan).first() or ActivityPolicy(
        kelurahan=kelurahan
    )


# --- planning ------------------------------------------------------------------------


def _needs_attach(*, actor: Any, activity: Activity, needs: Sequence[Need]) -> list[str]:
    """Serve the needs: approved ones become matched (by the needs service)."""
    subjects = []
    for need in needs:
        if need.kelurahan_id != activity.kelurahan_id:
            raise NotFound(
                _("Need #%(id)s was not found in this kelurahan.") % {"id": need.pk},
                {"field": "needs"},
            )
        busy = (
            ActivityNeed.objects.filter(need=need, activity__status__in=OPEN_STATUSES)
            .exclude(activity=activity)
            .values_list("activity_id", flat=True)
            .first()
        )
        if busy is not None:
            raise Conflict(
                _("Need #%(need)s is already served by activity #%(activity)s.")
                % {"need": need.pk, "activity": busy},
                {"field": "needs", "need": need.pk},
            )
        if need.status == NeedStatus.APPROVED:
            need_services.need_transition(actor=actor, need=need, to=NeedStatus.MATCHED)
        elif need.status != NeedStatus.MATCHED:
            raise Conflict(
                _("Need #%(id)s is '%(status)s': only approved needs can be served.")
                % {"id": need.pk, "status": need.get_status_display()},
                {"field": "needs", "need": need.pk},
            )
        else:
            permission_require(actor, "needs.assign", need.rt)
        ActivityNeed.objects.create(activity=activity, need=need)
        subjects.append(f"need:{need.pk}")
    return subjects


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    rt: RT,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    coordinator: Any,
    needs: Sequence[Need] = (),
    purpose: str = "",
    place_note: str = "",
    latitude: Any = None,
    longitude: Any = None,
    slots: Sequence[SlotIn] = (),
    resources: Sequence[ResourceIn] = (),
) -> Activity:
    """Plan an activity in an RT of this kelurahan; the needs it serves become matched."""
    if rt.kelurahan_id != kelurahan.pk:
        raise ValidationFailed(_("That RT is not in this kelurahan."), {"field": "rt"})
    permission_require(actor, "activities.manage", rt)
    if kind not in Kind.values:
        raise ValidationFailed(_("Choose the kind of activity."), {"field": "kind"})
    title = " ".join((title or "").split())
    if len(title) < 3:
        raise ValidationFailed(_("Give the activity a short title."), {"field": "title"})
    if ends_at <= starts_at:
        raise ValidationFailed(_("The activity must end after it starts."), {"field": "ends_at"})
    purpose = (purpose or "").strip()
    if not needs and not purpose:
        raise ValidationFailed(
            _("Choose the needs the activity serves, or describe its community purpose."),
            {"field": "needs"},
        )
    if (latitude is None) != (longitude is None):
        raise ValidationFailed(
            _("Give both latitude and longitude, or neither."), {"field": "latitude"}
        )
    if coordinator is None or not (
        Membership.objects.active().filter(user=coordinator, kelurahan=kelurahan).exists()
    ):
        raise ValidationFailed(
            _("The coordinator must be a registered member of this kelurahan."),
            {"field": "coordinator"},
        )
    skills_seen: set[int] = set()
    for slot in slots:
        if slot.skill.kelurahan_id != kelurahan.pk or not slot.skill.is_active:
            raise ValidationFailed(_("Choose skills from the list."), {"field": "slots"})
        if slot.skill.pk in skills_seen:
            raise ValidationFailed(
                _("Each skill can have one slot; raise its number instead."), {"field": "slots"}
            )
        if not 1 <= slot.count <= 50:
            raise ValidationFailed(
                _("A slot needs between 1 and 50 volunteers."), {"field": "slots"}
            )
        skills_seen.add(slot.skill.pk)
    for resource in resources:
        if resource.kind not in ResourceKind.values:
            raise ValidationFailed(_("Choose the kind of resource."), {"field": "resources"})
        if not resource.external_id.strip() or len(resource.external_id) > 64:
            raise ValidationFailed(
                _("Give the resource's reference (at most 64 characters)."),
                {"field": "resources"},
            )
        if resource.quantity < 1:
            raise ValidationFailed(_("Quantities must be at least 1."), {"field": "resources"})
        if resource.organisation is not None and resource.organisation.kelurahan_id != kelurahan.pk:
            raise NotFound(
                _("That organisation is not registered in this kelurahan."),
                {"field": "resources"},
            )
    activity = Activity(
        kelurahan=kelurahan,
        rt=rt,
        kind=kind,
        title=title[:120],
        purpose=purpose[:300],
        starts_at=starts_at,
        ends_at=ends_at,
        place_note=(place_note or "").strip()[:200],
        latitude=latitude,
        longitude=longitude,
        coordinator=coordinator,
        created_by=actor,
    )
    activity.full_clean(exclude=["needs"])
    activity.save()
    served = _needs_attach(actor=actor, activity=activity, needs=needs)
    Slot.objects.bulk_create([Slot(activity=activity, skill=s.skill, count=s.count) for s in slots])
    ResourceLink.objects.bulk_create(
        [
            ResourceLink(
                activity=activity,
                kind=r.kind,
                external_id=r.external_id.strip(),
                quantity=r.quantity,
                unit=(r.unit or "paket").strip()[:30],
                organisation=r.organisation,
            )
            for r in resources
        ]
    )
    role = acting_role(actor, "activities.manage", rt)
    _log(
        activity,
        "activity.created",
        actor,
        role,
        {
            "needs": served,
            "community_purpose": not served,
            "coordinator": actor_pseudonym(coordinator.pk),
            "starts_at": starts_at.astimezone(dt.UTC).isoformat(),
            "slots": [{"skill": s.skill.code, "count": s.count} for s in slots],
            "resources": [
                {
                    "kind": r.kind,
                    "ref": r.external_id.strip(),
                    "quantity": r.quantity,
                    "organisation": r.organisation.pk if r.organisation else None,
                }
                for r in resources
            ],
        },
    )
    _notify([coordinator.phone], "activity_coordinator", activity)
    return activity


@transaction.atomic
def activity_need_add(*, actor: Any, activity: Activity, need: Need) -> Activity:
    """Serve one more approved need with a planned activity."""
    activity = _locked(activity)
    if activity.status != ActivityStatus.PLANNED:
        raise Conflict(_("Needs can be added only while the activity is planned."))
    permission_require(actor, "activities.manage", activity.rt)
    subjects = _needs_attach(actor=actor, activity=activity, needs=[need])
    _log(
        activity,
        "activity.need_added",
        actor,
        acting_role(actor, "activities.manage", activity.rt),
        {"needs": subjects},
    )
    return activity


# --- volunteers ----------------------------------------------------------------------


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


# --- lifecycle -----------------------------------------------------------------------


@transaction.atomic
def activity_transition(*, actor: Any, activity: Activity, to: str, reason: str = "") -> Activity:
    """Move an activity one step along its lifecycle, if the table allows it for this actor."""
    activity = _locked(activity)
    rule, reason = transition_check(
        table=TRANSITIONS,
        statuses=ActivityStatus,
        current=activity.status,
        target=to,
        reason=reason,
        actor=actor,
        refused=_("An activity that is '%(current)s' cannot become '%(target)s'."),
    )
    if rule.perm is None:
        role = "system"
    elif rule.coordinator_may and _is_coordinator(actor, activity):
        role = "koordinator"
    else:
        permission_require(actor, rule.perm, activity.rt)
        role = acting_role(actor, rule.perm, activity.rt)
    needs = _served_needs(activity)
    extra = _transition_effects(actor, activity, to, needs, reason)
    frm, now = activity.status, timezone.now()
    fields: dict[str, Any] = {"status": to, "status_changed_at": now, "updated_at": now}
    if to == ActivityStatus.IN_PROGRESS:
        fields["started_at"] = now
    elif to == ActivityStatus.SIGNED_OFF:
        fields["signed_off_at"] = now
    elif to == ActivityStatus.CLOSED:
        fields["closed_at"] = now
        fields["receipt_code"] = extra.get("receipt", "")
    # Conditional update: a concurrent step (SQLite ignores the row lock) fails here.
    if not Activity.objects.filter(pk=activity.pk, status=frm).update(**fields):
        raise Conflict(_("Someone else changed this activity just now. Reload and try again."))
    activity.refresh_from_db()
    _log(
        activity,
        f"activity.{to}",
        actor,
        role,
        {"from": frm, "reason_given": bool(reason), **extra},
    )
    _after_transition(activity, to, needs)
    return activity


def _transition_effects(
    actor: Any, activity: Activity, to: str, needs: list[Need], reason: str
) -> dict[str, Any]:
    """Move the needs served along with the activity; returns data for the log entry."""
    if to == ActivityStatus.IN_PROGRESS:
        for need in needs:
            if need.status == NeedStatus.MATCHED:
                need_services.need_transition(actor=actor, need=need, to=NeedStatus.IN_PROGRESS)
        return {}
    if to == ActivityStatus.SIGNED_OFF:
        for need in needs:
            if need.status == NeedStatus.CONFIRMED:
                need_services.need_transition(actor=None, need=need, to=NeedStatus.SIGNED_OFF)
        return {}
    if to == ActivityStatus.CLOSED:
        for need in needs:
            if need.status == NeedStatus.SIGNED_OFF:
                need_services.need_transition(actor=actor, need=need, to=NeedStatus.CLOSED)
        evidence = (
            Evidence.objects.filter(
                kelurahan=activity.kelurahan,
                subject__in=[activity.subject, *(f"need:{n.pk}" for n in needs)],
            )
            .order_by("log_index")
            .first()
        )
        return {"receipt": evidence.code} if evidence else {}
    if to == ActivityStatus.CANCELLED:
        moving = [
            n.pk for n in needs if n.status not in (NeedStatus.MATCHED, *checks.SKIPPED_NEEDS)
        ]
        if moving:
            raise Conflict(
                _("Need #%(id)s is already on its way; record its delivery instead.")
                % {"id": moving[0]},
                {"field": "status"},
            )
        for need in needs:
            if need.status == NeedStatus.MATCHED:
                need_services.need_transition(
                    actor=actor, need=need, to=NeedStatus.APPROVED, reason=reason
                )
        return {}
    return {}


def _after_transition(activity: Activity, to: str, needs: list[Need]) -> None:
    """Tell the people concerned."""
    if to == ActivityStatus.IN_PROGRESS or to == ActivityStatus.CANCELLED:
        _notify(
            [activity.coordinator.phone, *_volunteer_phones(activity)], "activity_status", activity
        )
    elif to == ActivityStatus.SIGNED_OFF:
        operators = _heads(Role.OPERATOR, kelurahan=activity.kelurahan)
        _notify([activity.coordinator.phone, *operators], "activity_status", activity)
    elif to == ActivityStatus.CLOSED:
        _notify(
            [activity.coordinator.phone, *_volunteer_phones(activity)], "activity_status", activity
        )
        for need in needs:
            _notify([_beneficiary_phone(need)], "activity_rate", activity, need_id=need.pk)


def activity_start(*, actor: Any, activity: Activity) -> Activity:
    """The coordinator or an area head starts the activity; its needs are 'in progress'."""
    return activity_transition(actor=actor, activity=activity, to=ActivityStatus.IN_PROGRESS)


def activity_cancel(*, actor: Any, activity: Activity, reason: str) -> Activity:
    """An area head or operator cancels a planned or running activity, with a reason."""
    return activity_transition(
        actor=actor, activity=activity, to=ActivityStatus.CANCELLED, reason=reason
    )


def activity_close(*, actor: Any, activity: Activity) -> Activity:
    """An operator closes a signed-off activity; its needs close; the receipt is public."""
    activity = Activity.objects.select_related("rt__rw", "kelurahan").get(pk=activity.pk)
    if activity.status == ActivityStatus.REPORTED:
        missing = checks.completeness(
            _prefetched(activity), activity_policy(kelurahan=activity.kelurahan)
        ).missing
        raise Conflict(
            _("Incomplete (belum lengkap): still missing %(missing)s.")
            % {"missing": ", ".join(missing)},
            {"field": "status", "missing": missing},
        )
    return activity_transition(actor=actor, activity=activity, to=ActivityStatus.CLOSED)


def _prefetched(activity: Activity) -> Activity:
    return (
        Activity.objects.select_related("rt__rw", "kelurahan")
        .prefetch_related("links__need", "signoffs", "assignments__volunteer__person")
        .get(pk=activity.pk)
    )


# --- proof ---------------------------------------------------------------------------


@transaction.atomic
def activity_evidence_add(
    *, actor: Any, activity: Activity, upload: Any, note: str = ""
) -> Evidence:
    """A photo of the work (from the phone camera) as evidence about the activity."""
    activity = _locked(activity)
    _require_team(actor, activity)
    if activity.status not in (ActivityStatus.IN_PROGRESS, ActivityStatus.REPORTED):
        raise Conflict(_("Evidence is added while the activity runs or waits for sign-off."))
    return evidence_upload(
        kelurahan=activity.kelurahan,
        uploader=actor,
        subject=activity.subject,
        upload=upload,
        note=note,
    )


@transaction.atomic
def activity_need_deliver(*, actor: Any, activity: Activity, need: Need) -> Need:
    """Record the delivery of a need served (the activity's photos count as its evidence);
    the recipient then gets a one-time code to confirm receipt."""
    activity = _locked(activity)
    _linked_need(activity, need)
    if activity.status != ActivityStatus.IN_PROGRESS:
        raise Conflict(_("Deliveries are recorded while the activity is in progress."))
    need = need_services.need_deliver(actor=actor, need=need, subjects=[activity.subject])
    _log(
        activity,
        "activity.need_delivered",
        actor,
        acting_role(actor, "needs.fulfil", need.rt),
        {"need": f"need:{need.pk}"},
    )
    if _beneficiary_phone(need):
        _receipt_code_issue(actor=actor, activity=activity, need=need)
    return need


def _code_hash(need_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"receipt:{need_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _receipt_code_issue(*, actor: Any, activity: Activity, need: Need) -> ReceiptCode:
    phone = _beneficiary_phone(need)
    if not phone:
        raise ValidationFailed(
            _("The recipient has no phone number: ask the RT head to confirm for them."),
            {"field": "need"},
        )
    now = timezone.now()
    recent = ReceiptCode.objects.filter(need=need, created_at__gte=now - dt.timedelta(hours=1))
    if recent.count() >= RECEIPT_CODES_PER_NEED_PER_HOUR:
        raise RateLimited(_("Too many codes for this need in the last hour. Try again later."))
    # A new code replaces the earlier ones.
    ReceiptCode.objects.filter(need=need, used_at__isnull=True).update(expires_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    receipt_code = ReceiptCode.objects.create(
        activity=activity,
        need=need,
        code_hash=_code_hash(need.pk, code),
        expires_at=now + RECEIPT_CODE_TTL,
        sent_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    notification_send(
        recipient=phone,
        template="receipt_code",
        kelurahan=activity.kelurahan,
        context={
            "code": code,
            "need_id": need.pk,
            "minutes": int(RECEIPT_CODE_TTL.total_seconds() // 60),
        },
    )
    _log(activity, "activity.receipt_code_sent", actor, None, {"need": f"need:{need.pk}"})
    return receipt_code


@transaction.atomic
def receipt_code_send(*, actor: Any, activity: Activity, need: Need) -> ReceiptCode:
    """(Re)send the recipient a 6-digit code (15 minutes, 5 tries) to confirm receipt."""
    activity = _locked(activity)
    _require_team(actor, activity)
    _linked_need(activity, need)
    need = Need.objects.select_related("beneficiary_person__user").get(pk=need.pk)
    if need.status != NeedStatus.DELIVERED:
        raise Conflict(_("A code is sent only after the delivery is recorded."), {"field": "need"})
    return _receipt_code_issue(actor=actor, activity=activity, need=need)


def receipt_code_verify(*, actor: Any, activity: Activity, need: Need, code: str) -> Need:
    """The recipient's code, entered by them or by the team at the door, confirms receipt.

    A wrong code uses up one of the tries even though the confirmation is refused, so the
    count is committed on its own before the refusal is raised.
    """
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        beneficiary = need.beneficiary_person
        if not (beneficiary is not None and beneficiary.user_id == getattr(actor, "pk", None)):
            _require_team(actor, activity)
        _linked_need(activity, need)
        receipt_code = (
            ReceiptCode.objects.select_for_update()
            .filter(need=need, activity=activity, used_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if receipt_code is None:
            raise ValidationFailed(
                _("No code was sent for this need. Send a code first."), {"field": "code"}
            )
        if receipt_code.expires_at <= now:
            raise ValidationFailed(_("The code has expired. Send a new code."), {"field": "code"})
        counted = ReceiptCode.objects.filter(
            pk=receipt_code.pk, used_at__isnull=True, tries__lt=RECEIPT_CODE_MAX_TRIES
        ).update(tries=F("tries") + 1)
        if not counted:
            raise ValidationFailed(_("Too many wrong codes. Send a new code."), {"field": "code"})
        matches = len(code) == 6 and hmac.compare_digest(
            receipt_code.code_hash, _code_hash(need.pk, code)
        )
    if not matches:
        raise ValidationFailed(
            _("The code is wrong. Ask the recipient to read it again."), {"field": "code"}
        )
    with transaction.atomic():
        if not ReceiptCode.objects.filter(pk=receipt_code.pk, used_at__isnull=True).update(
            used_at=now
        ):
            raise ValidationFailed(_("This code was already used."), {"field": "code"})
        need = need_services.need_confirm(actor=actor, need=need, by_recipient_code=True)
        activity = Activity.objects.select_related("rt__rw", "kelurahan").get(pk=activity.pk)
        _log(
            activity,
            "activity.receipt_confirmed",
            actor,
            None,
            {"need": f"need:{need.pk}", "by": "recipient_code"},
        )
        return need


@transaction.atomic
def activity_confirm_on_behalf(*, actor: Any, activity: Activity, need: Need, reason: str) -> Need:
    """The RT head confirms receipt for a recipient who cannot (no phone, frail), with a reason."""
    _linked_need(activity, need)
    if need.beneficiary_person is not None and need.beneficiary_person.user_id == actor.pk:
        return need_services.need_confirm(actor=actor, need=need)
    permission_require(actor, "needs.confirm_on_behalf", need.rt)
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Give a reason for confirming on their behalf."), {"field": "reason"}
        )
    return need_services.need_confirm(actor=actor, need=need, reason=reason)


# --- sign-off ------------------------------------------------------------------------


def _signoff_check(actor: Any, activity: Activity, layer: str) -> str:
    """Who may sign this layer now; returns the role for the log. Raises with the reason."""
    policy = activity_policy(kelurahan=activity.kelurahan)
    full = _prefetched(activity)
    state = checks.completeness(full, policy)
    if layer == Layer.EXECUTOR:
        if not _is_coordinator(actor, activity):
            raise PermissionDenied(_("Only the activity's coordinator signs as the executor."))
        if activity.status != ActivityStatus.IN_PROGRESS:
            raise Conflict(_("The executor signs off a running activity."), {"field": "layer"})
        if not state.has_evidence:
            raise ValidationFailed(_("Upload a photo as evidence first."), {"field": "evidence"})
        if state.undelivered_need_ids:
            raise ValidationFailed(
                _("Record the delivery of need #%(id)s first.")
                % {"id": state.undelivered_need_ids[0]},
                {"field": "needs"},
            )
        return "koordinator"
    if activity.status != ActivityStatus.REPORTED:
        raise Conflict(str(checks.REASONS["status"]), {"field": "layer"})
    if layer == Layer.RT:
        permission_require(actor, "activities.signoff_rt", activity.rt)
        if state.unconfirmed_need_ids:
            raise ValidationFailed(
                _("Need #%(id)s still waits for the recipient's confirmation.")
                % {"id": state.unconfirmed_need_ids[0]},
                {"field": "needs"},
            )
        return str(Role.KETUA_RT)
    if layer == Layer.RW:
        permission_require(actor, "activities.signoff_rw", activity.rt)
        if Layer.RT not in state.layers:
            raise ValidationFailed(_("The RT head signs off first."), {"field": "layer"})
        return str(Role.KETUA_RW)
    if layer == Layer.INDEPENDENT:
        facts = checks.verifier_facts(user=actor, kelurahan=activity.kelurahan, policy=policy)
        reasons = checks.independence_reasons(
            facts=facts,
            activity=full,
            parties=checks.activity_parties([full])[full.pk],
            policy=policy,
            signer_ids={s.signer_id for s in full.signoffs.all()},
        )
        if reasons:
            raise PermissionDenied(
                " ".join(r.message for r in reasons),
                {"field": "layer", "reasons": [r.code for r in reasons]},
            )
        return checks.verifier_role(facts, full) or "user"
    raise ValidationFailed(_("Choose a sign-off layer."), {"field": "layer"})


@transaction.atomic
def activity_signoff(*, actor: Any, activity: Activity, layer: str, note: str = "") -> SignOff:
    """Sign an activity's proof in one layer; the last required signature signs it off."""
    activity = _locked(activity)
    if getattr(actor, "pk", None) is None:
        raise PermissionDenied(_("Log in to sign off."))
    if SignOff.objects.filter(activity=activity, signer=actor).exists():
        raise Conflict(str(checks.REASONS["already_signed"]), {"field": "layer"})
    if (
        layer in (Layer.EXECUTOR, Layer.RT, Layer.RW)
        and SignOff.objects.filter(activity=activity, layer=layer).exists()
    ):
        raise Conflict(_("This layer is already signed."), {"field": "layer"})
    role = _signoff_check(actor, activity, layer)
    signoff = SignOff.objects.create(
        activity=activity,
        layer=layer,
        signer=actor,
        role=role,
        executor_id=activity.coordinator_id,
        note=(note or "").strip()[:300],
    )
    if layer == Layer.EXECUTOR:
        activity = activity_transition(actor=actor, activity=activity, to=ActivityStatus.REPORTED)
    independent = SignOff.objects.filter(activity=activity, layer=Layer.INDEPENDENT).count()
    index = _log(
        activity,
        "activity.signoff",
        actor,
        role,
        {"layer": layer, "independent": independent},
    )
    SignOff.objects.filter(pk=signoff.pk).update(log_index=index)
    signoff.log_index = index
    if layer == Layer.EXECUTOR:
        _notify(_heads(Role.KETUA_RT, rt=activity.rt), "activity_signoff_requested", activity)
    elif layer == Layer.RT:
        _notify(
            _heads(Role.KETUA_RW, rw_id=activity.rt.rw_id), "activity_signoff_requested", activity
        )
    _complete_if_ready(activity)
    return signoff


def _complete_if_ready(activity: Activity) -> None:
    if activity.status != ActivityStatus.REPORTED:
        return
    policy = activity_policy(kelurahan=activity.kelurahan)
    if checks.completeness(_prefetched(activity), policy).complete:
        activity_transition(actor=None, activity=activity, to=ActivityStatus.SIGNED_OFF)


# --- after closure -------------------------------------------------------------------


@transaction.atomic
def rating_submit(
    *, actor: Any, activity: Activity, need: Need, stars: int, comment: str = ""
) -> Rating:
    """The beneficiary (or the RT head for them) rates the help of a closed activity 1-5."""
    activity = Activity.objects.select_related("rt__rw", "kelurahan").get(pk=activity.pk)
    _linked_need(activity, need)
    if activity.status != ActivityStatus.CLOSED:
        raise Conflict(_("Help can be rated once the activity is closed."))
    person = need.beneficiary_person
    own = person is not None and person.user_id is not None and person.user_id == actor.pk
    if not own and need.beneficiary_household_id and getattr(actor, "pk", None):
        own = Person.objects.filter(
            household_id=need.beneficiary_household_id, user_id=actor.pk
        ).exists()
    if not own:
        permission_require(actor, "activities.rate_on_behalf", need.rt)
    if not 1 <= int(stars) <= 5:
        raise ValidationFailed(_("Give 1 to 5 stars."), {"field": "stars"})
    if Rating.objects.filter(activity=activity, need=need).exists():
        raise Conflict(_("This help has already been rated."), {"field": "stars"})
    rating = Rating.objects.create(
        kelurahan=activity.kelurahan,
        activity=activity,
        need=need,
        stars=int(stars),
        comment=(comment or "").strip()[:500],
        rated_by=actor,
        on_behalf=not own,
    )
    _log(
        activity,
        "activity.rated",
        actor,
        "warga" if own else str(Role.KETUA_RT),
        {"need": f"need:{need.pk}", "stars": rating.stars, "on_behalf": not own},
    )
    _notify([activity.coordinator.phone], "activity_rated", activity, stars=rating.stars)
    return rating


@transaction.atomic
def conflict_declare(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    person: Person | None = None,
    household: Household | None = None,
    reason: str = "",
) -> ConflictDeclaration:
    """A user declares a conflict of interest with a person or household of this kelurahan."""
    if getattr(actor, "pk", None) is None:
        raise PermissionDenied(_("Log in to declare a conflict of interest."))
    if (person is None) == (household is None):
        raise ValidationFailed(_("Choose one person or one household."), {"field": "person"})
    target_kelurahan = person.kelurahan_id if person is not None else None
    if household is not None:
        target_kelurahan = household.kelurahan_id
    if target_kelurahan != kelurahan.pk:
        raise NotFound(_("Not found in this kelurahan."), {"field": "person"})
    declaration, created = ConflictDeclaration.objects.get_or_create(
        kelurahan=kelurahan,
        user=actor,
        person=person,
        household=household,
        defaults={"reason": (reason or "").strip()[:300]},
    )
    if created:
        entry_record(
            kelurahan=kelurahan,
            type="conflict.declared",
            actor=actor,
            subject=f"conflict:{declaration.pk}",
            data={"with": "person" if person else "household"},
        )
    return declaration


def conflict_declare_for_activity(
    *, actor: Any, activity: Activity, target: str, reason: str = ""
) -> ConflictDeclaration:
    """Declare a conflict with the coordinator (``"coordinator"``) or the beneficiary of a
    need served (``"need:<id>"``) without learning who they are."""
    full = _prefetched(activity)
    if target == "coordinator":
        person = Person.objects.filter(
            kelurahan=activity.kelurahan, user_id=activity.coordinator_id
        ).first()
        if person is None:
            raise NotFound(_("The coordinator has no resident record here."), {"field": "target"})
        return conflict_declare(
            actor=actor, kelurahan=activity.kelurahan, person=person, reason=reason
        )
    for link in full.links.all():
        if target == f"need:{link.need_id}":
            need = link.need
            if need.beneficiary_household_id:
                return conflict_declare(
                    actor=actor,
                    kelurahan=activity.kelurahan,
                    household=Household.objects.get(pk=need.beneficiary_household_id),
                    reason=reason,
                )
            return conflict_declare(
                actor=actor,
                kelurahan=activity.kelurahan,
                person=need.beneficiary_person,
                reason=reason,
            )
    raise ValidationFailed(_("Choose who the conflict is with."), {"field": "target"})


@transaction.atomic
def activity_policy_set(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    verifiers_required: int,
    rotation_max: int,
    rotation_days: int = 30,
) -> ActivityPolicy:
    """Set how many independent verifiers an activity needs and the rotation limit."""
    permission_require(actor, "activities.policy", kelurahan)
    policy = activity_policy(kelurahan=kelurahan)
    policy.verifiers_required = verifiers_required
    policy.rotation_max = rotation_max
    policy.rotation_days = rotation_days
    try:
        policy.full_clean()
    except Exception as exc:
        raise ValidationFailed(_("Check the numbers of the policy."), {"field": "policy"}) from exc
    policy.save()
    entry_record(
        kelurahan=kelurahan,
        type="activity.policy_set",
        actor=actor,
        role=acting_role(actor, "activities.policy", kelurahan),
        subject=f"kelurahan:{kelurahan.pk}",
        data={
            "verifiers_required": verifiers_required,
            "rotation_max": rotation_max,
            "rotation_days": rotation_days,
        },
    )
    return policy


@transaction.atomic
def resource_link_add(
    *,
    activity: Activity,
    kind: str,
    external_id: str,
    quantity: int = 1,
    unit: str = "paket",
    organisation: Organisation | None = None,
) -> ResourceLink:
    """Attach goods, funds or a UMKM product to an activity (called by the funds app when
    goods go out or a payment for the activity is made; that app checks who may)."""
    if kind not in ResourceKind.values:
        raise ValidationFailed(_("Unknown kind of resource."), {"field": "kind"})
    return ResourceLink.objects.create(
        activity=activity,
        kind=kind,
        external_id=external_id.strip()[:64],
        quantity=max(1, quantity),
        unit=(unit or "paket").strip()[:30],
        organisation=organisation,
    )
