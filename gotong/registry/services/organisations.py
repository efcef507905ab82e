"""Organisations (UMKM, donors, groups, agencies, health posts) ask to take part; an operator
decides."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import Conflict, ValidationFailed
from gotong.territory.models import RT, Kelurahan

from ..models import Organisation, OrganisationKind, OrganisationStatus
from ._common import _audit, _clean_phone, _user_or_none


@transaction.atomic
def organisation_register(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    kind: str,
    name: str,
    description: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    rt: RT | None = None,
    address_outside: str = "",
) -> Organisation:
    """A UMKM, donor, community group, agency or health post asks to take part (pending)."""
    if kind not in OrganisationKind.values:
        raise ValidationFailed(_("Choose the kind of organisation."), {"field": "kind"})
    name = " ".join((name or "").split())
    if len(name) < 2 or len(name) > 150:
        raise ValidationFailed(_("Enter the organisation's name."), {"field": "name"})
    if rt is not None and rt.kelurahan_id != kelurahan.pk:
        raise ValidationFailed(_("That RT is not in this kelurahan."), {"field": "rt"})
    address_outside = " ".join((address_outside or "").split())
    if rt is None and not address_outside:
        raise ValidationFailed(
            _("Choose the RT, or give the address when it is outside the kelurahan."),
            {"field": "address_outside"},
        )
    phone = _clean_phone(contact_phone, "contact_phone")
    if not phone and not contact_email:
        raise ValidationFailed(
            _("Give a contact number or e-mail address."), {"field": "contact_phone"}
        )
    if Organisation.objects.filter(kelurahan=kelurahan, kind=kind, name__iexact=name).exists():
        raise Conflict(
            _("An organisation of this kind with this name is already registered."),
            {"field": "name"},
        )
    organisation = Organisation(
        kelurahan=kelurahan,
        kind=kind,
        name=name,
        description=(description or "").strip(),
        contact_name=" ".join((contact_name or "").split()),
        contact_phone=phone,
        contact_email=(contact_email or "").strip(),
        rt=rt,
        address_outside="" if rt else address_outside,
        registered_by=_user_or_none(actor),
    )
    try:
        organisation.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(messages[0], {"field": field}) from exc
    organisation.save()
    _audit(
        kelurahan=kelurahan,
        type="organisation.registered",
        actor=actor,
        subject=f"organisation:{organisation.pk}",
        data={"kind": kind, "rt_id": organisation.rt_id, "outside": rt is None},
    )
    return organisation


@transaction.atomic
def organisation_decide(
    *, actor: Any, organisation: Organisation, approve: bool, note: str = ""
) -> Organisation:
    """An operator approves or rejects a pending organisation."""
    kelurahan = organisation.kelurahan
    permission_require(actor, "registry.approve_organisation", kelurahan)
    updated = Organisation.objects.filter(
        pk=organisation.pk, status=OrganisationStatus.PENDING
    ).update(
        status=OrganisationStatus.APPROVED if approve else OrganisationStatus.REJECTED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=(note or "")[:300],
        updated_at=timezone.now(),
    )
    if not updated:
        raise Conflict(_("This organisation has already been decided."), {"field": "status"})
    organisation.refresh_from_db()
    _audit(
        kelurahan=kelurahan,
        type="organisation.approved" if approve else "organisation.rejected",
        actor=actor,
        subject=f"organisation:{organisation.pk}",
        data={"kind": organisation.kind},
    )
    return organisation


@transaction.atomic
def organisation_approve_by_system(*, organisation: Organisation) -> Organisation:
    """Approve without an acting user (``manage.py seed_demo``)."""
    if organisation.status == OrganisationStatus.APPROVED:
        return organisation
    organisation.status = OrganisationStatus.APPROVED
    organisation.decided_at = timezone.now()
    organisation.save(update_fields=["status", "decided_at", "updated_at"])
    _audit(
        kelurahan=organisation.kelurahan,
        type="organisation.approved",
        actor=None,
        subject=f"organisation:{organisation.pk}",
        data={"kind": organisation.kind},
    )
    return organisation
