"""Needs use-cases.

- ``need_submit``: a resident, their RT head (proxy), an operator at a kiosk, or a resident
  anonymously raises a need; duplicate open needs of a household are refused unless the RT
  head overrides with a reason.
- ``need_transition``: every lifecycle step, checked against the one transition table
  (``transitions.py``): role and territory, reason, history event, transparency entry,
  notifications. ``need_verify``/``need_reject``/``need_approve``/... name the steps.
- ``need_quantities_set``: committed / in transit / delivered quantities (partial help).
- ``need_deliver``: delivery with evidence; ``need_confirm``: by the recipient or the RT.
- ``needs_reopen_due``: recurring needs reopen on schedule after delivery.
- ``needs_escalate_overdue``: needs past 50% / 100% of their target time are escalated.
"""

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Membership, Role
from gotong.accounts.permissions import acting_role, permission_require
from gotong.channels.links import page_link
from gotong.channels.services import notification_send
from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from gotong.core.lifecycle import transition_check
from gotong.registry import selectors as registry_selectors
from gotong.registry.models import ConsentPurpose, Household, Person
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.evidence_subjects import evidence_subject_allowed
from gotong.transparency.selectors import evidence_for_subject
from gotong.transparency.services import entry_record

from .models import (
    DEFAULT_TARGET_HOURS,
    OPEN_STATUSES,
    Category,
    Escalation,
    Need,
    NeedEvent,
    RaisedVia,
    ServiceLevel,
    Status,
    Urgency,
)
from .transitions import TRANSITIONS

MAX_CONSENT_PHOTO_BYTES = 10 * 1024 * 1024


def _log(need: Need, type: str, actor: Any, role: str | None, data: dict[str, Any]) -> int:
    """Transparency entry for a need: category, urgency, RW and status, never identity."""
    entry = entry_record(
        kelurahan=need.kelurahan,
        type=type,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        role=role,
        subject=f"need:{need.pk}",
        data={
            "category": need.category,
            "urgency": need.urgency,
            "rw": need.rt.rw.number,
            "status": need.status,
            **data,
        },
    )
    return entry.index


def _event(need: Need, frm: str, to: str, actor: Any, role: str, reason: str, index: int) -> None:
    NeedEvent.objects.create(
        need=need,
        from_status=frm,
        to_status=to,
        reason=reason[:500],
        log_index=index,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        role=role,
    )


def _rt_heads(rt: RT) -> list[str]:
    """Phone numbers of the RT's head(s), for notifications."""
    return list(
        Membership.objects.active()
        .filter(role=Role.KETUA_RT, rt=rt)
        .values_list("user__phone", flat=True)
    )


def _rw_heads_and_operators(rt: RT) -> list[str]:
    heads = Membership.objects.active().filter(role=Role.KETUA_RW, rw_id=rt.rw_id)
    operators = Membership.objects.active().filter(role=Role.OPERATOR, kelurahan_id=rt.kelurahan_id)
    return list(
        {
            *heads.values_list("user__phone", flat=True),
            *operators.values_list("user__phone", flat=True),
        }
    )


def _notify(phones: list[str], template: str, need: Need, **extra: Any) -> None:
    for phone in phones:
        notification_send(
            recipient=phone,
            template=template,
            kelurahan=need.kelurahan,
            context={
                "need_id": need.pk,
                "category": need.get_category_display(),
                "status": need.get_status_display(),
                "rt": str(need.rt),
                "page_url": page_link("needs:detail", slug=need.kelurahan.slug, need_id=need.pk),
                **extra,
            },
        )


def _notify_raiser(need: Need, template: str, **extra: Any) -> None:
    """Tell the person who raised the need, or the beneficiary, where it stands."""
    phones = []
    if need.raised_by is not None and need.raised_via == RaisedVia.SELF:
        phones.append(need.raised_by.phone)
    elif need.beneficiary_person is not None and need.beneficiary_person.phone:
        phones.append(need.beneficiary_person.phone)
    _notify(phones, template, need, **extra)


def _open_duplicate(
    household: Household | None, person: Person | None, category: str
) -> Need | None:
    """An open need of the same category for the same household (or, for a resident
    registered without a household, for the same person)."""
    if household is not None:
        same = Q(beneficiary_household=household)
    elif person is not None:
        same = Q(beneficiary_person=person)
    else:
        return None
    return Need.objects.filter(same, category=category, status__in=OPEN_STATUSES).first()


@transaction.atomic
def need_submit(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    rt: RT,
    category: str,
    description: str,
    urgency: str,
    needed_by: dt.datetime,
    raised_via: str = RaisedVia.SELF,
    beneficiary_person: Person | None = None,
    beneficiary_household: Household | None = None,
    people_affected: int = 1,
    quantity: int = 1,
    unit: str = "paket",
    recurrence_days: int | None = None,
    latitude: Any = None,
    longitude: Any = None,
    consent_evidence: UploadedFile | None = None,
    duplicate_override_reason: str = "",
) -> Need:
    """Raise a need in an RT of this kelurahan for a person or household of that RT."""
    if rt.kelurahan_id != kelurahan.pk:
        raise ValidationFailed(_("That RT is not in this kelurahan."), {"field": "rt"})
    if category not in Category.values:
        raise ValidationFailed(_("Choose a category."), {"field": "category"})
    if urgency not in Urgency.values:
        raise ValidationFailed(_("Choose an urgency."), {"field": "urgency"})
    if raised_via not in RaisedVia.values:
        raise ValidationFailed(_("Say how the need was raised."), {"field": "raised_via"})
    description = (description or "").strip()
    if len(description) < 10:
        raise ValidationFailed(
            _("Describe the need in a few words (at least 10 characters)."),
            {"field": "description"},
        )
    if needed_by <= timezone.now():
        raise ValidationFailed(
            _("The 'needed by' time must be in the future."), {"field": "needed_by"}
        )
    if quantity < 1 or people_affected < 1:
        raise ValidationFailed(_("Quantities must be at least 1."), {"field": "quantity"})
    if beneficiary_person is None and beneficiary_household is None:
        raise ValidationFailed(_("Choose who the help is for."), {"field": "beneficiary"})
    for member in (beneficiary_person, beneficiary_household):
        if member is not None and (member.kelurahan_id != kelurahan.pk or member.rt_id != rt.pk):
            raise ValidationFailed(
                _("The person or household must live in the chosen RT."),
                {"field": "beneficiary"},
            )
    if beneficiary_household is None and beneficiary_person is not None:
        beneficiary_household = beneficiary_person.household
    role = _check_raiser(
        actor, rt, raised_via, beneficiary_person, beneficiary_household, consent_evidence
    )
    _aid_consent_require(kelurahan, beneficiary_person, raised_via)
    duplicate = _open_duplicate(beneficiary_household, beneficiary_person, category)
    override = (duplicate_override_reason or "").strip()
    if duplicate is not None:
        if not override:
            raise Conflict(
                _(
                    "This household already has an open need of this category (#%(id)s). "
                    "Only the RT head can submit another one, with a reason."
                )
                % {"id": duplicate.pk},
                {"field": "category", "duplicate_of": duplicate.pk},
            )
        permission_require(actor, "needs.triage", rt)
    need = Need(
        kelurahan=kelurahan,
        rt=rt,
        category=category,
        description=description,
        urgency=urgency,
        people_affected=people_affected,
        needed_by=needed_by,
        latitude=latitude,
        longitude=longitude,
        beneficiary_person=beneficiary_person,
        beneficiary_household=beneficiary_household,
        raised_via=raised_via,
        raised_by=actor,
        unit=(unit or "paket").strip()[:30],
        quantity_requested=quantity,
        recurrence_days=recurrence_days,
        duplicate_override_reason=override if duplicate is not None else "",
    )
    if consent_evidence is not None:
        need.consent_evidence = consent_evidence
    need.full_clean(exclude=["consent_evidence"])
    need.save()
    index = _log(
        need,
        "need.submitted",
        actor,
        role,
        {
            "raised_via": raised_via,
            "quantity": quantity,
            "unit": need.unit,
            "duplicate_override": bool(need.duplicate_override_reason),
        },
    )
    _event(need, "", Status.SUBMITTED, actor, role, need.duplicate_override_reason, index)
    _notify(
        _rt_heads(rt),
        "need_submitted",
        need,
        page_url=page_link("needs:rt_queue", slug=need.kelurahan.slug, rt_id=rt.pk),
    )
    return need


def _aid_consent_require(kelurahan: Any, person: Person | None, raised_via: str) -> None:
    """A need for a registered person needs their aid consent in force; at a kiosk the
    signed paper form (attached) is the consent, so it is not asked twice."""
    if person is None or raised_via == RaisedVia.KIOSK:
        return
    if not registry_selectors.person_has_consent(
        kelurahan=kelurahan, person=person, purpose=ConsentPurpose.AID
    ):
        raise Conflict(
            _(
                "This person has not agreed (or no longer agrees) that their data is used "
                "for aid. Give the aid consent on the 'My data' page, or through the RT, first."
            ),
            {"field": "beneficiary", "purpose": ConsentPurpose.AID.value},
        )


def _check_raiser(
    actor: Any,
    rt: RT,
    raised_via: str,
    person: Person | None,
    household: Household | None,
    consent_evidence: UploadedFile | None,
) -> str:
    """Who may raise a need how; returns the role recorded in the log."""
    if raised_via in (RaisedVia.SELF, RaisedVia.ANONYMOUS):
        own = (person is not None and person.user_id == actor.pk) or (
            household is not None and household.members.filter(user=actor).exists()
        )
        if not own:
            raise PermissionDenied(
                _(
                    "You can raise a need for yourself or your household only; "
                    "your RT head can raise it for someone else."
                ),
                {"field": "beneficiary"},
            )
        return "warga"
    if raised_via == RaisedVia.RT_PROXY:
        permission_require(actor, "needs.triage", rt)
        return "ketua_rt"
    permission_require(actor, "needs.kiosk", rt)
    if consent_evidence is None:
        raise ValidationFailed(
            _("At a kiosk, attach a photo of the consent form signed by the resident."),
            {"field": "consent_evidence"},
        )
    if (consent_evidence.size or 0) > MAX_CONSENT_PHOTO_BYTES:
        raise ValidationFailed(_("The photo is larger than 10 MB."), {"field": "consent_evidence"})
    return acting_role(actor, "needs.kiosk", rt)


@transaction.atomic
def need_transition(*, actor: Any, need: Need, to: str, reason: str = "") -> Need:
    """Move a need one step along its lifecycle, if the table allows it for this actor."""
    need = Need.objects.select_for_update().select_related("rt__rw", "kelurahan").get(pk=need.pk)
    rule, reason = transition_check(
        table=TRANSITIONS,
        statuses=Status,
        current=need.status,
        target=to,
        reason=reason,
        actor=actor,
        refused=_("A need that is '%(current)s' cannot become '%(target)s'."),
    )
    if rule.perm is None:
        role = "system"
    elif to == Status.CANCELLED and actor is not None and need.raised_by_id == actor.pk:
        role = "warga"
    else:
        permission_require(actor, rule.perm, need.rt)
        role = acting_role(actor, rule.perm, need.rt)
    frm = need.status
    now = timezone.now()
    # Conditional update: a concurrent step on the same need (SQLite ignores the row lock)
    # finds the status changed and fails instead of skipping a step.
    fields: dict[str, Any] = {"status": to, "status_changed_at": now, "updated_at": now}
    if to == Status.DELIVERED:
        fields["delivered_at"] = now
        if need.recurrence_days:
            fields["reopens_at"] = now + dt.timedelta(days=need.recurrence_days)
    if not Need.objects.filter(pk=need.pk, status=frm).update(**fields):
        raise Conflict(_("Someone else changed this need just now. Reload and try again."))
    need.refresh_from_db()
    index = _log(need, f"need.{to}", actor, role, {"from": frm, "reason_given": bool(reason)})
    _event(need, frm, to, actor, role, reason, index)
    _notify_raiser(need, "need_status", reason=reason)
    if to in (Status.VERIFIED, Status.ESCALATED):
        _notify(_rw_heads_and_operators(need.rt), "need_status", need, reason=reason)
    return need


def need_verify(*, actor: Any, need: Need) -> Need:
    """RT head: the need is real and in their RT."""
    return need_transition(actor=actor, need=need, to=Status.VERIFIED)


def need_reject(*, actor: Any, need: Need, reason: str) -> Need:
    """RT head, RW head or operator refuses the need, with a reason."""
    return need_transition(actor=actor, need=need, to=Status.REJECTED, reason=reason)


def need_escalate(*, actor: Any, need: Need, reason: str) -> Need:
    """RT head sends the need straight to the kelurahan (beyond the RT/RW's means)."""
    return need_transition(actor=actor, need=need, to=Status.ESCALATED, reason=reason)


def need_approve(*, actor: Any, need: Need) -> Need:
    """RW head approves a verified need; an operator approves an escalated one."""
    return need_transition(actor=actor, need=need, to=Status.APPROVED)


def need_cancel(*, actor: Any, need: Need, reason: str) -> Need:
    """The person who raised it, the RT head or an operator withdraws an open need."""
    return need_transition(actor=actor, need=need, to=Status.CANCELLED, reason=reason)


# Ended needs keep the quantities they ended with.
_QUANTITIES_FROZEN = (Status.REJECTED, Status.CANCELLED, Status.CLOSED)


@transaction.atomic
def need_quantities_set(
    *, actor: Any, need: Need, committed: int, in_transit: int, delivered: int
) -> Need:
    """Record how much of the request is promised, on the way and delivered."""
    permission_require(actor, "needs.fulfil", need.rt)
    if min(committed, in_transit, delivered) < 0:
        raise ValidationFailed(_("Quantities cannot be negative."), {"field": "quantity"})
    if committed + in_transit + delivered > need.quantity_requested:
        raise ValidationFailed(
            _("Together more than the %(n)s %(unit)s requested.")
            % {"n": need.quantity_requested, "unit": need.unit},
            {"field": "quantity"},
        )
    # Conditional on the state, so a need rejected or closed meanwhile is not changed.
    changed = (
        Need.objects.filter(pk=need.pk)
        .exclude(status__in=_QUANTITIES_FROZEN)
        .update(
            quantity_committed=committed,
            quantity_in_transit=in_transit,
            quantity_delivered=delivered,
            updated_at=timezone.now(),
        )
    )
    if not changed:
        raise Conflict(
            _("This need is rejected, cancelled or closed: its quantities cannot change."),
            {"field": "status"},
        )
    need.refresh_from_db()
    _log(
        need,
        "need.quantities",
        actor,
        acting_role(actor, "needs.fulfil", need.rt),
        {
            "committed": committed,
            "in_transit": in_transit,
            "delivered": delivered,
            "requested": need.quantity_requested,
        },
    )
    return need


@transaction.atomic
def need_deliver(*, actor: Any, need: Need, subjects: list[str] | None = None) -> Need:
    """Mark a need delivered: only with photo evidence for it (or for its activity) from
    someone who may give evidence about this need (its RT or RW head, an officer who
    records fulfilment, the team of an activity serving it); other photos do not count."""
    subjects = [f"need:{need.pk}", *(subjects or [])]
    if not any(
        evidence_subject_allowed(
            user=evidence.uploader, kelurahan=need.kelurahan, subject=f"need:{need.pk}"
        )
        for s in subjects
        for evidence in evidence_for_subject(kelurahan=need.kelurahan, subject=s).select_related(
            "uploader"
        )
    ):
        raise ValidationFailed(
            _(
                "Upload a photo of the delivery from the need's RT or the team serving it "
                "first: photos from anyone else do not count."
            ),
            {"field": "evidence"},
        )
    need = need_transition(actor=actor, need=need, to=Status.DELIVERED)
    if need.quantity_delivered == 0:
        Need.objects.filter(pk=need.pk).update(
            quantity_delivered=need.quantity_requested,
            quantity_committed=0,
            quantity_in_transit=0,
        )
        need.refresh_from_db()
    return need


@transaction.atomic
def need_confirm(
    *, actor: Any, need: Need, reason: str = "", by_recipient_code: bool = False
) -> Need:
    """The recipient confirms receipt; the RT head may confirm for them, with a reason.

    ``by_recipient_code``: the recipient read out the one-time code sent to their phone
    (checked by ``activities.services.receipt_code_verify``); ``actor`` entered it.
    """
    beneficiary_user = need.beneficiary_person.user_id if need.beneficiary_person else None
    if by_recipient_code or (beneficiary_user is not None and beneficiary_user == actor.pk):
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.status != Status.DELIVERED:
            raise Conflict(_("Only a delivered need can be confirmed."), {"field": "status"})
        Need.objects.filter(pk=need.pk, status=Status.DELIVERED).update(
            status=Status.CONFIRMED, status_changed_at=timezone.now()
        )
        need.refresh_from_db()
        by = "recipient_code" if by_recipient_code else "recipient"
        index = _log(need, "need.confirmed", actor, "warga", {"from": Status.DELIVERED, "by": by})
        _event(need, Status.DELIVERED, Status.CONFIRMED, actor, "warga", "", index)
        return need
    return need_transition(actor=actor, need=need, to=Status.CONFIRMED, reason=reason)


def service_level_hours(*, kelurahan: Kelurahan, urgency: str) -> int:
    """Target hours from submission to delivery for this urgency in this kelurahan."""
    custom = ServiceLevel.objects.filter(kelurahan=kelurahan, urgency=urgency).first()
    return custom.target_hours if custom else DEFAULT_TARGET_HOURS[Urgency(urgency)]


@transaction.atomic
def needs_escalate_overdue(*, kelurahan: Kelurahan, now: dt.datetime | None = None) -> int:
    """Escalate open needs past 50% and 100% of their target to the RW head and operators."""
    now = now or timezone.now()
    targets = {u: service_level_hours(kelurahan=kelurahan, urgency=u) for u in Urgency.values}
    count = 0
    open_needs = Need.objects.filter(
        kelurahan=kelurahan, status__in=OPEN_STATUSES, escalation_level__lt=100
    ).select_related("rt__rw", "kelurahan")
    for need in open_needs:
        elapsed = (now - need.created_at).total_seconds() / 3600
        share = elapsed / targets[need.urgency]
        level = 100 if share >= 1 else 50 if share >= 0.5 else 0
        if level <= need.escalation_level:
            continue
        phones = _rw_heads_and_operators(need.rt)
        Escalation.objects.create(need=need, level=level, notified=len(phones))
        Need.objects.filter(pk=need.pk).update(escalation_level=level)
        need.escalation_level = level
        _log(
            need,
            "need.overdue",
            None,
            None,
            {"level": level, "target_hours": targets[need.urgency]},
        )
        _notify(phones, "need_overdue", need, level=level)
        count += 1
    return count


@transaction.atomic
def needs_reopen_due(*, kelurahan: Kelurahan, now: dt.datetime | None = None) -> list[Need]:
    """Recurring needs whose next round is due reopen as a new, already-approved need."""
    now = now or timezone.now()
    due = (
        Need.objects.select_for_update()
        .filter(
            kelurahan=kelurahan,
            recurrence_days__isnull=False,
            reopens_at__lte=now,
        )
        .exclude(status__in=[Status.REJECTED, Status.CANCELLED])
        .select_related("rt__rw")
    )
    created = []
    for need in due:
        if not Need.objects.filter(pk=need.pk, reopens_at=need.reopens_at).update(reopens_at=None):
            continue
        child = Need.objects.create(
            kelurahan=need.kelurahan,
            rt=need.rt,
            category=need.category,
            description=need.description,
            urgency=need.urgency,
            people_affected=need.people_affected,
            needed_by=now + dt.timedelta(days=need.recurrence_days or 1),
            beneficiary_person=need.beneficiary_person,
            beneficiary_household=need.beneficiary_household,
            raised_via=need.raised_via,
            raised_by=need.raised_by,
            unit=need.unit,
            quantity_requested=need.quantity_requested,
            recurrence_days=need.recurrence_days,
            parent=need,
            status=Status.APPROVED,
        )
        index = _log(child, "need.reopened", None, None, {"parent": f"need:{need.pk}"})
        _event(child, "", Status.APPROVED, None, "system", "", index)
        created.append(child)
    return created
