"""Data-subject rights (UU 27/2022): export, correction and erasure requests, erasure."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import User
from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed

from ..models import (
    REQUEST_DEADLINE,
    Consent,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    Person,
    PersonStatus,
    Volunteer,
    WelfareListing,
)
from ._common import VULNERABILITY_FLAGS, _audit, _user_or_none
from .access import person_own_tier2, person_tier1
from .people import person_update


@transaction.atomic
def person_data_export(*, actor: User, person: Person) -> dict[str, Any]:
    """Everything held about the person, for the person (UU 27/2022 right of access)."""
    if person.user_id != actor.pk:
        raise PermissionDenied(_("You can only download your own data."))
    data = person_tier1(person=person, actor=actor)
    data.update(person_own_tier2(person=person))
    household = person.household
    export: dict[str, Any] = {
        "generated_at": timezone.now().isoformat(),
        "kelurahan": person.kelurahan.name,
        "person": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()},
        "household": (
            {
                "id": household.pk,
                "address": household.address,
                "size": household.size,
                "rt": str(household.rt),
                "members": [
                    {"id": m.pk, "full_name": m.full_name, "relationship": m.relationship}
                    for m in household.members.filter(status=PersonStatus.ACTIVE)
                ],
            }
            if household
            else None
        ),
        "consents": [
            {
                "purpose": c.purpose,
                "text_version": c.text_version,
                "text": c.text,
                "channel": c.channel,
                "by_guardian": c.by_guardian,
                "granted_at": c.granted_at.isoformat(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in person.consents.order_by("granted_at", "pk")
        ],
        "volunteer": None,
        "data_accesses": [
            {
                "at": a.at.isoformat(),
                "role": a.accessor_role,
                "fields": a.fields,
                "purpose": a.purpose,
                "channel": a.channel,
            }
            for a in person.accesses.order_by("-at", "-pk")
        ],
        "requests": [
            {
                "kind": r.kind,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
                "due_at": r.due_at.isoformat(),
            }
            for r in person.requests.order_by("created_at")
        ],
    }
    volunteer = Volunteer.objects.filter(person=person).first()
    if volunteer is not None:
        export["volunteer"] = {
            "skills": sorted(volunteer.skills.values_list("code", flat=True)),
            "windows": [
                {"weekday": w.weekday, "start": w.start.isoformat(), "end": w.end.isoformat()}
                for w in volunteer.windows.all()
            ],
            "max_tasks_per_week": volunteer.max_tasks_per_week,
            "active": volunteer.is_active,
        }
    DataRequest.objects.create(
        kelurahan_id=person.kelurahan_id,
        person=person,
        rt=person.rt,
        kind=DataRequestKind.EXPORT,
        status=DataRequestStatus.DONE,
        due_at=timezone.now(),
        handled_at=timezone.now(),
    )
    _audit(
        kelurahan=person.kelurahan,
        type="person.data_exported",
        actor=actor,
        subject=f"person:{person.pk}",
        data={"consents": len(export["consents"]), "accesses": len(export["data_accesses"])},
    )
    return export


@transaction.atomic
def data_request_submit(
    *, actor: User, person: Person, kind: str, details: str = ""
) -> DataRequest:
    """The person asks for a correction or erasure; it is due in 3 x 24 hours."""
    if person.user_id != actor.pk:
        raise PermissionDenied(_("You can only make requests about your own data."))
    if kind not in (DataRequestKind.CORRECTION, DataRequestKind.ERASURE):
        raise ValidationFailed(_("Choose correction or erasure."), {"field": "kind"})
    details = (details or "").strip()
    if kind == DataRequestKind.CORRECTION and len(details) < 3:
        raise ValidationFailed(_("Say what should be corrected."), {"field": "details"})
    if len(details) > 2000:
        raise ValidationFailed(_("Please keep it under 2000 characters."), {"field": "details"})
    if DataRequest.objects.filter(person=person, kind=kind, status=DataRequestStatus.OPEN).exists():
        raise Conflict(_("You already have an open request of this kind."), {"field": "kind"})
    now = timezone.now()
    request = DataRequest.objects.create(
        kelurahan_id=person.kelurahan_id,
        person=person,
        rt=person.rt,
        kind=kind,
        details=details,
        due_at=now + REQUEST_DEADLINE,
    )
    _audit(
        kelurahan=person.kelurahan,
        type="data_request.submitted",
        actor=actor,
        subject=f"data_request:{request.pk}",
        data={"kind": kind, "person_id": person.pk, "due_at": request.due_at.isoformat()},
    )
    return request


@transaction.atomic
def data_request_resolve(
    *,
    actor: Any,
    request: DataRequest,
    approve: bool,
    response: str = "",
    changes: dict[str, Any] | None = None,
) -> DataRequest:
    """An officer answers a correction or erasure request (erasure: operators only)."""
    person = request.person
    if request.kind == DataRequestKind.ERASURE:
        permission_require(actor, "registry.erase", request.kelurahan)
    else:
        permission_require(actor, "registry.handle_requests", person.rt or request.kelurahan)
    if request.status != DataRequestStatus.OPEN:
        raise Conflict(_("This request has already been answered."), {"field": "status"})
    if not approve and len((response or "").strip()) < 3:
        raise ValidationFailed(_("Say why the request is refused."), {"field": "response"})
    if approve and request.kind == DataRequestKind.CORRECTION and changes:
        person_update(actor=actor, person=person, changes=changes)
    if approve and request.kind == DataRequestKind.ERASURE:
        person_erase(actor=actor, person=person)
        request.refresh_from_db()
    request.status = DataRequestStatus.DONE if approve else DataRequestStatus.REJECTED
    request.handled_by = _user_or_none(actor)
    request.handled_at = timezone.now()
    request.response = (response or "").strip()[:500]
    request.save(update_fields=["status", "handled_by", "handled_at", "response", "updated_at"])
    _audit(
        kelurahan=request.kelurahan,
        type="data_request.resolved",
        actor=actor,
        subject=f"data_request:{request.pk}",
        data={
            "kind": request.kind,
            "approved": approve,
            "late": request.handled_at > request.due_at,
        },
    )
    return request


@transaction.atomic
def person_erase(*, actor: Any, person: Person) -> Person:
    """Wipe a person's personal fields; the row stays as a pseudonymous id for aid history."""
    permission_require(actor, "registry.erase", person.kelurahan)
    if person.status == PersonStatus.ERASED:
        raise Conflict(_("This person's data has already been erased."), {"field": "status"})
    person.full_name = ""
    person.sex = ""
    person.birth_date = None
    person.phone = ""
    for flag in VULNERABILITY_FLAGS:
        setattr(person, flag, False)
    person.dtks_listed = WelfareListing.UNKNOWN
    person.welfare_decile = None
    person.nik_ciphertext = person.nik_index = ""
    person.health_ciphertext = person.bank_account_ciphertext = ""
    person.relationship = ""
    person.user = None
    person.status = PersonStatus.ERASED
    person.erased_at = timezone.now()
    person.save()
    for consent in Consent.objects.filter(person=person).exclude(evidence=""):
        consent.evidence.delete(save=False)
    Consent.objects.filter(person=person).update(
        evidence="", withdrawn_at=timezone.now(), updated_at=timezone.now()
    )
    DataRequest.objects.filter(person=person).update(details="")
    Volunteer.objects.filter(person=person).update(is_active=False, lat=None, lon=None)
    household = person.household
    if household is not None:
        if household.head_id == person.pk:
            household.head = None
        if not household.members.filter(status=PersonStatus.ACTIVE).exists():
            household.address = ""
            household.kk_ciphertext = household.kk_index = ""
        household.save()
    _audit(
        kelurahan=person.kelurahan,
        type="person.erased",
        actor=actor,
        subject=f"person:{person.pk}",
        data={"household_id": person.household_id},
    )
    return person
