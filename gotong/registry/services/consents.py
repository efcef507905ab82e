"""Consent per purpose: give, withdraw (what depended on it stops), and what it allows."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.channels.services import notification_send
from gotong.core.exceptions import Conflict, ValidationFailed

from ..consent import CONSENT_TEXT_VERSION, consent_text
from ..models import Consent, ConsentChannel, ConsentPurpose, Person, PersonStatus
from ._common import _audit, _self_or_perm, _user_or_none


def _consent_in_force(person: Person, purpose: str) -> Consent | None:
    return Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True).first()


@transaction.atomic
def consent_grant(
    *, actor: Any, person: Person, purpose: str, channel: str = ConsentChannel.SELF
) -> Consent:
    """The person (or their RT, as proxy) gives consent to one more purpose."""
    if purpose not in ConsentPurpose.values:
        raise ValidationFailed(_("Unknown consent purpose."), {"field": "purpose"})
    _self_or_perm(actor, person, "registry.register_household")
    if person.status != PersonStatus.ACTIVE:
        raise Conflict(_("This record is no longer active."), {"field": "person"})
    if purpose == ConsentPurpose.SENSITIVE_DATA and person.is_minor:
        raise ValidationFailed(
            _("Sensitive data of a child needs the consent of a parent or guardian."),
            {"field": "purpose"},
        )
    existing = _consent_in_force(person, purpose)
    if existing is not None:
        return existing
    consent = Consent.objects.create(
        kelurahan_id=person.kelurahan_id,
        person=person,
        purpose=purpose,
        text_version=CONSENT_TEXT_VERSION,
        text=consent_text(kelurahan_name=person.kelurahan.name, purpose=purpose),
        channel=channel,
        recorded_by=_user_or_none(actor),
    )
    _audit(
        kelurahan=person.kelurahan,
        type="consent.granted",
        actor=actor,
        subject=f"person:{person.pk}",
        data={"purpose": purpose, "text_version": CONSENT_TEXT_VERSION, "channel": channel},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, person: Person, purpose: str) -> Consent:
    """The person withdraws one purpose; what depended on it stops."""
    if purpose not in ConsentPurpose.values:
        raise ValidationFailed(_("Unknown consent purpose."), {"field": "purpose"})
    _self_or_perm(actor, person, "registry.handle_requests")
    consent = _consent_in_force(person, purpose)
    if consent is None:
        raise Conflict(_("There is no consent for this purpose to withdraw."), {"field": "purpose"})
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at", "updated_at"])
    wiped = False
    if purpose == ConsentPurpose.SENSITIVE_DATA:
        # Without consent the platform may not keep Tier-2 data.
        wiped = _tier2_wipe(person)
    _audit(
        kelurahan=person.kelurahan,
        type="consent.withdrawn",
        actor=actor,
        subject=f"person:{person.pk}",
        data={"purpose": purpose, "tier2_wiped": wiped},
    )
    return consent


def _tier2_wipe(person: Person) -> bool:
    had = bool(person.nik_ciphertext or person.health_ciphertext or person.bank_account_ciphertext)
    person.nik_ciphertext = person.nik_index = ""
    person.health_ciphertext = person.bank_account_ciphertext = ""
    person.save(
        update_fields=[
            "nik_ciphertext",
            "nik_index",
            "health_ciphertext",
            "bank_account_ciphertext",
            "updated_at",
        ]
    )
    return had


def person_consents(*, person: Person) -> set[str]:
    """The purposes a person's consent is in force for."""
    return set(
        Consent.objects.filter(person=person, withdrawn_at__isnull=True).values_list(
            "purpose", flat=True
        )
    )


def person_notify(*, person: Person, template: str, context: dict[str, Any]) -> Any:
    """Send a community notification only with consent to notifications and a number."""
    if (
        person.status != PersonStatus.ACTIVE
        or not person.phone
        or ConsentPurpose.NOTIFICATIONS not in person_consents(person=person)
    ):
        return None
    return notification_send(recipient=person.phone, template=template, context=context)
