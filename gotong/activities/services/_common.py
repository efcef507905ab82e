"""Helpers the activities use-case modules share: the log entry, notifications,
who is on the team, row locks and the needs an activity serves."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Membership, Role
from gotong.accounts.permissions import acting_role, permission_require
from gotong.channels.services import notification_send
from gotong.core.exceptions import NotFound
from gotong.needs.models import Need
from gotong.transparency.services import entry_record

from ..models import Activity, ActivityNeed, Assignment, AssignmentStatus


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


def _prefetched(activity: Activity) -> Activity:
    return (
        Activity.objects.select_related("rt__rw", "kelurahan")
        .prefetch_related("links__need", "signoffs", "assignments__volunteer__person")
        .get(pk=activity.pk)
    )
