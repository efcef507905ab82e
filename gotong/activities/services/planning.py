"""Planning an activity: create it with its slots and resources, serve one more need,
attach a resource later, and set the kelurahan's sign-off policy."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Membership
from gotong.accounts.permissions import acting_role, permission_require
from gotong.core.exceptions import Conflict, NotFound, ValidationFailed
from gotong.needs import services as need_services
from gotong.needs.models import Need
from gotong.needs.models import Status as NeedStatus
from gotong.registry.models import Organisation, Skill
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.services import actor_pseudonym, entry_record

from ..models import (
    Activity,
    ActivityNeed,
    ActivityPolicy,
    ActivityStatus,
    Kind,
    ResourceKind,
    ResourceLink,
    Slot,
)
from ..selectors import activity_policy
from ..transitions import OPEN_STATUSES
from ._common import _locked, _log, _notify


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
