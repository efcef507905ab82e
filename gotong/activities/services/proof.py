"""Proof of the work: photos, the delivery of each need served, the recipient's one-time
receipt code, and the RT head's confirmation on a recipient's behalf."""

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import acting_role, permission_require
from gotong.channels.services import notification_send
from gotong.core.exceptions import Conflict, RateLimited, ValidationFailed
from gotong.needs import services as need_services
from gotong.needs.models import Need
from gotong.needs.models import Status as NeedStatus
from gotong.transparency.models import Evidence
from gotong.transparency.services import evidence_upload

from ..models import Activity, ActivityStatus, ReceiptCode
from ..selectors import evidence_for_delivery
from ._common import _beneficiary_phone, _linked_need, _locked, _log, _require_team

RECEIPT_CODE_TTL = dt.timedelta(minutes=15)


RECEIPT_CODE_MAX_TRIES = 5


RECEIPT_CODES_PER_NEED_PER_HOUR = 5


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
    """Record the delivery of a need served, with a photo from the team or the need's RT;
    the recipient then gets a one-time code to confirm receipt."""
    activity = _locked(activity)
    _linked_need(activity, need)
    if activity.status != ActivityStatus.IN_PROGRESS:
        raise Conflict(_("Deliveries are recorded while the activity is in progress."))
    if not evidence_for_delivery(kelurahan=activity.kelurahan, activity=activity, need=need):
        raise ValidationFailed(
            _(
                "Upload a photo of the delivery from the activity's team or the need's RT "
                "first: photos from anyone else do not count."
            ),
            {"field": "evidence"},
        )
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
