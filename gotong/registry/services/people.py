"""Registration of residents and households (self, RT proxy, kiosk) and Tier-1 corrections."""

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role, User
from gotong.accounts.permissions import permission_holds_over, permission_require
from gotong.accounts.services import membership_create_by_system
from gotong.core.crypto import blind_index, field_decrypt, field_encrypt
from gotong.core.exceptions import Conflict, ValidationFailed
from gotong.territory.models import RT, Kelurahan

from ..consent import CONSENT_TEXT_VERSION, consent_text
from ..identity import kk_clean, nik_clean
from ..models import (
    Consent,
    ConsentChannel,
    DuplicateCase,
    Household,
    Person,
    PersonStatus,
    RegistrationChannel,
    Relationship,
    Sex,
    WelfareListing,
)
from ._common import (
    KK_CONTEXT,
    NIK_CONTEXT,
    VULNERABILITY_FLAGS,
    PersonData,
    _audit,
    _clean_phone,
    _consents_check,
    _is_minor,
    _person_build,
    _self_or_perm,
    _user_or_none,
)
from .duplicates import _duplicate_cases_open

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")


def person_data_clean(
    *, kelurahan: Kelurahan, data: PersonData, today: dt.date | None = None
) -> PersonData:
    """Check one person's data; return it normalised or raise ValidationFailed naming the field."""
    today = today or timezone.localdate()
    name = " ".join((data.full_name or "").split())
    if len(name) < 2:
        raise ValidationFailed(_("Enter the person's full name."), {"field": "full_name"})
    if len(name) > 150:
        raise ValidationFailed(
            _("The name is too long (150 characters at most)."), {"field": "full_name"}
        )
    if data.sex not in Sex.values:
        raise ValidationFailed(_("Choose male or female."), {"field": "sex"})
    if data.birth_date is None:
        raise ValidationFailed(_("Enter the birth date."), {"field": "birth_date"})
    if data.birth_date > today:
        raise ValidationFailed(_("The birth date is in the future."), {"field": "birth_date"})
    if data.birth_date.year < 1900:
        raise ValidationFailed(_("The birth date is too far in the past."), {"field": "birth_date"})
    if data.rt is None:
        raise ValidationFailed(_("Choose the RT."), {"field": "rt"})
    if data.rt.kelurahan_id != kelurahan.pk:
        raise ValidationFailed(_("That RT is not in this kelurahan."), {"field": "rt"})
    nik = nik_clean(data.nik, birth_date=data.birth_date, sex=data.sex) if data.nik.strip() else ""
    if data.dtks_listed not in WelfareListing.values:
        raise ValidationFailed(_("Choose yes, no or unknown for DTKS."), {"field": "dtks_listed"})
    if data.welfare_decile is not None and not 1 <= data.welfare_decile <= 10:
        raise ValidationFailed(
            _("The welfare decile is a number from 1 to 10."), {"field": "welfare_decile"}
        )
    if data.relationship and data.relationship not in Relationship.values:
        raise ValidationFailed(_("Unknown relationship to the head."), {"field": "relationship"})
    bank = " ".join(data.bank_account.split())
    if len(bank) > 40:
        raise ValidationFailed(_("The bank account is too long."), {"field": "bank_account"})
    health = data.health_notes.strip()
    if len(health) > 1000:
        raise ValidationFailed(
            _("The health notes are too long (1000 characters at most)."), {"field": "health_notes"}
        )
    return dataclasses.replace(
        data,
        full_name=name,
        phone=_clean_phone(data.phone),
        nik=nik,
        bank_account=bank,
        health_notes=health,
    )


def _consent_rows(
    *,
    person: Person,
    purposes: Iterable[str],
    channel: str,
    actor: Any,
    guardian: Person | None = None,
    evidence_name: str = "",
    kelurahan_name: str,
    now: dt.datetime,
    minor: bool,
) -> list[Consent]:
    return [
        Consent(
            kelurahan_id=person.kelurahan_id,
            person=person,
            purpose=purpose,
            text_version=CONSENT_TEXT_VERSION,
            text=consent_text(kelurahan_name=kelurahan_name, purpose=purpose),
            channel=channel,
            evidence=evidence_name,
            by_guardian=minor and guardian is not None,
            guardian=guardian if minor else None,
            recorded_by=_user_or_none(actor),
            granted_at=now,
        )
        for purpose in sorted(purposes)
    ]


def _nik_taken(kelurahan: Kelurahan, nik: str) -> Person | None:
    if not nik:
        return None
    return Person.objects.filter(
        kelurahan=kelurahan, nik_index=blind_index(nik, context=NIK_CONTEXT)
    ).first()


def _person_save(
    *,
    kelurahan: Kelurahan,
    data: PersonData,
    consents: set[str],
    channel: str,
    consent_channel: str,
    actor: Any,
    user: User | None = None,
    household: Household | None = None,
    guardian: Person | None = None,
    evidence_name: str = "",
    allow_merge_proposal: bool = False,
) -> Person:
    """Create one validated person with consents; refuse or propose a merge on a taken NIK."""
    existing = _nik_taken(kelurahan, data.nik)
    merge_with = None
    if existing is not None:
        if not allow_merge_proposal:
            raise Conflict(
                _("A person with this NIK is already registered in this kelurahan."),
                {"field": "nik", "reason": "duplicate_nik"},
            )
        # Operator: keep the registration without the NIK and let a person decide.
        merge_with = existing
        data = dataclasses.replace(data, nik="")
    person = _person_build(
        kelurahan=kelurahan,
        data=data,
        channel=channel,
        actor=actor,
        user=user,
        household=household,
    )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent registration with the same NIK won
        raise Conflict(
            _("A person with this NIK is already registered in this kelurahan."),
            {"field": "nik", "reason": "duplicate_nik"},
        ) from exc
    today = timezone.localdate()
    Consent.objects.bulk_create(
        _consent_rows(
            person=person,
            purposes=consents,
            channel=consent_channel,
            actor=actor,
            guardian=guardian,
            evidence_name=evidence_name,
            kelurahan_name=kelurahan.name,
            now=timezone.now(),
            minor=_is_minor(data.birth_date, today),
        )
    )
    _audit(
        kelurahan=kelurahan,
        type="person.registered",
        actor=actor,
        subject=f"person:{person.pk}",
        data={
            "channel": channel,
            "rt_id": person.rt_id,
            "household_id": person.household_id,
            "consents": sorted(consents),
            "has_nik": bool(person.nik_index),
            "by_guardian": guardian is not None and _is_minor(data.birth_date, today),
        },
    )
    if merge_with is not None:
        case = DuplicateCase.objects.create(
            kelurahan=kelurahan,
            person=person,
            candidate=merge_with,
            score=100,
            reasons=["same_nik"],
        )
        person.merge_case = case  # type: ignore[attr-defined]
        _audit(
            kelurahan=kelurahan,
            type="person.merge_proposed",
            actor=actor,
            subject=f"person:{person.pk}",
            data={"case_id": case.pk, "candidate_id": merge_with.pk, "reason": "same_nik"},
        )
    _duplicate_cases_open(person=person, actor=actor)
    return person


@transaction.atomic
def person_register_self(
    *, actor: User, kelurahan: Kelurahan, data: PersonData, consents: Iterable[str]
) -> Person:
    """A logged-in resident registers themselves; their login number is the contact."""
    if Person.objects.filter(kelurahan=kelurahan, user=actor).exists():
        raise Conflict(_("You are already registered in this kelurahan."), {"field": "user"})
    if not data.phone:
        data = dataclasses.replace(data, phone=actor.phone)
    data = person_data_clean(kelurahan=kelurahan, data=data)
    today = timezone.localdate()
    purposes = _consents_check(data=data, consents=consents, guardian_present=False, today=today)
    person = _person_save(
        kelurahan=kelurahan,
        data=data,
        consents=purposes,
        channel=RegistrationChannel.SELF,
        consent_channel=ConsentChannel.SELF,
        actor=actor,
        user=actor,
    )
    membership_create_by_system(kelurahan=kelurahan, user=actor, role=Role.WARGA, rt=person.rt)
    return person


@transaction.atomic
def household_register(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    rt: RT,
    address: str,
    kk_number: str,
    members: Sequence[PersonData],
    consents: Iterable[str],
) -> Household:
    """An RT head registers a household of their RT; the head consents (guardian of children)."""
    if rt.kelurahan_id != kelurahan.pk:
        raise ValidationFailed(_("That RT is not in this kelurahan."), {"field": "rt"})
    permission_require(actor, "registry.register_household", rt)
    address = " ".join((address or "").split())
    if len(address) < 3:
        raise ValidationFailed(_("Enter the household's address."), {"field": "address"})
    if not members:
        raise ValidationFailed(_("Add at least the head of the household."), {"field": "members"})
    today = timezone.localdate()
    cleaned = []
    for position, member in enumerate(members):
        try:
            cleaned.append(
                person_data_clean(kelurahan=kelurahan, data=dataclasses.replace(member, rt=rt))
            )
        except ValidationFailed as exc:
            exc.extra["member"] = position
            raise
    heads = [m for m in cleaned if m.relationship == Relationship.HEAD]
    if len(heads) != 1:
        raise ValidationFailed(
            _("Mark exactly one member as head of the household."), {"field": "members"}
        )
    if _is_minor(heads[0].birth_date, today):
        raise ValidationFailed(
            _("The head of the household must be an adult to consent for the family."),
            {"field": "members"},
        )
    niks = [m.nik for m in cleaned if m.nik]
    if len(niks) != len(set(niks)):
        raise ValidationFailed(_("Two members have the same NIK."), {"field": "nik"})
    purposes = set(consents)
    for member in cleaned:
        _consents_check(data=member, consents=purposes, guardian_present=True, today=today)
    kk = kk_clean(kk_number) if (kk_number or "").strip() else ""
    kk_index = blind_index(kk, context=KK_CONTEXT)
    if kk and Household.objects.filter(kelurahan=kelurahan, kk_index=kk_index).exists():
        raise Conflict(
            _("A household with this KK number is already registered in this kelurahan."),
            {"field": "kk_number", "reason": "duplicate_kk"},
        )
    household = Household.objects.create(
        kelurahan=kelurahan,
        rt=rt,
        address=address,
        size=len(cleaned),
        kk_ciphertext=field_encrypt(kk, context=KK_CONTEXT),
        kk_index=kk_index,
        created_by=_user_or_none(actor),
    )
    head_data = heads[0]
    ordered = [head_data] + [m for m in cleaned if m is not head_data]
    head: Person | None = None
    for member in ordered:
        person = _person_save(
            kelurahan=kelurahan,
            data=member,
            consents=purposes,
            channel=RegistrationChannel.RT_PROXY,
            consent_channel=ConsentChannel.RT_PROXY,
            actor=actor,
            household=household,
            guardian=head,
        )
        if head is None:
            head = person
    household.head = head
    household.save(update_fields=["head", "updated_at"])
    _audit(
        kelurahan=kelurahan,
        type="household.registered",
        actor=actor,
        subject=f"household:{household.pk}",
        data={"rt_id": rt.pk, "members": len(cleaned), "has_kk": bool(kk)},
    )
    return household


def _evidence_check(evidence: UploadedFile | None) -> UploadedFile:
    if evidence is None:
        raise ValidationFailed(
            _("A kiosk registration needs a photo of the signed consent form."),
            {"field": "evidence"},
        )
    if evidence.size is None or evidence.size > EVIDENCE_MAX_BYTES:
        raise ValidationFailed(_("The photo is larger than 5 MB."), {"field": "evidence"})
    head = evidence.read(16)
    evidence.seek(0)
    if not any(head.startswith(magic) for magic in _IMAGE_MAGIC):
        raise ValidationFailed(
            _("The consent evidence must be a JPEG, PNG or WebP photo."), {"field": "evidence"}
        )
    return evidence


@transaction.atomic
def person_register_kiosk(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    data: PersonData,
    consents: Iterable[str],
    evidence: UploadedFile | None,
    guardian: Person | None = None,
) -> Person:
    """An operator registers a resident at a kiosk, with a photo of the signed paper form."""
    permission_require(actor, "registry.register_kiosk", kelurahan)
    data = person_data_clean(kelurahan=kelurahan, data=data)
    if guardian is not None and (
        guardian.kelurahan_id != kelurahan.pk
        or guardian.status != PersonStatus.ACTIVE
        or _is_minor(guardian.birth_date, timezone.localdate())
    ):
        raise ValidationFailed(
            _("The guardian must be an adult resident registered here."), {"field": "guardian"}
        )
    purposes = _consents_check(
        data=data,
        consents=consents,
        guardian_present=guardian is not None,
        today=timezone.localdate(),
    )
    photo = _evidence_check(evidence)
    stored = default_storage.save(f"consent/{kelurahan.pk}/{timezone.now():%Y%m}/form.jpg", photo)
    return _person_save(
        kelurahan=kelurahan,
        data=data,
        consents=purposes,
        channel=RegistrationChannel.KIOSK,
        consent_channel=ConsentChannel.KIOSK,
        actor=actor,
        guardian=guardian,
        evidence_name=stored,
        allow_merge_proposal=permission_holds_over(actor, "registry.manage_duplicates", kelurahan),
    )


CORRECTABLE_FIELDS = (
    "full_name",
    "sex",
    "birth_date",
    "phone",
    "rt",
    *VULNERABILITY_FLAGS,
    "dtks_listed",
    "welfare_decile",
    "anonymous_mode",
)


@transaction.atomic
def person_update(*, actor: Any, person: Person, changes: dict[str, Any]) -> Person:
    """Correct Tier-1 fields of a person (RT head of their RT or an operator)."""
    _self_or_perm(actor, person, "registry.handle_requests")
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here."), {"fields": sorted(unknown)}
        )
    current = PersonData(
        full_name=person.full_name,
        sex=person.sex,
        birth_date=person.birth_date,
        rt=person.rt,
        phone=person.phone,
        dtks_listed=person.dtks_listed,
        welfare_decile=person.welfare_decile,
        **{f: getattr(person, f) for f in VULNERABILITY_FLAGS},
        anonymous_mode=person.anonymous_mode,
    )
    cleaned = person_data_clean(
        kelurahan=person.kelurahan, data=dataclasses.replace(current, **changes)
    )
    if person.nik_ciphertext and ("birth_date" in changes or "sex" in changes):
        nik_clean(
            field_decrypt(person.nik_ciphertext, context=NIK_CONTEXT),
            birth_date=cleaned.birth_date,
            sex=cleaned.sex,
        )
    changed = [f for f in changes if getattr(person, f) != getattr(cleaned, f)]
    for field in changed:
        setattr(person, field, getattr(cleaned, field))
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
        _audit(
            kelurahan=person.kelurahan,
            type="person.corrected",
            actor=actor,
            subject=f"person:{person.pk}",
            data={"fields": sorted(changed)},
        )
    return person
