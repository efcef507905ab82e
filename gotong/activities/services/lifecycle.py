"""An activity's lifecycle: every step through the one transition table, with the needs
it serves moving along; start, cancel and close name the steps."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.accounts.permissions import acting_role, permission_require
from gotong.core.exceptions import Conflict
from gotong.core.lifecycle import transition_check
from gotong.needs import services as need_services
from gotong.needs.models import Need
from gotong.needs.models import Status as NeedStatus
from gotong.transparency.models import Evidence

from .. import checks
from ..models import Activity, ActivityStatus
from ..selectors import activity_policy
from ..transitions import TRANSITIONS
from ._common import (
    _beneficiary_phone,
    _heads,
    _is_coordinator,
    _locked,
    _log,
    _notify,
    _prefetched,
    _served_needs,
    _volunteer_phones,
)


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
