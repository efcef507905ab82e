"""Registry use-cases.

Registration
- ``person_register_self``: a logged-in resident registers themselves (channel "self").
- ``household_register``: an RT head (or RW head, operator) registers a household of their
  RT as proxy; the head gives consent, as guardian for the children.
- ``person_register_kiosk``: an operator registers a resident at the office or posyandu;
  a photo of the signed paper form is required.
- ``person_import``: CSV/XLSX import of residents and households, all-or-nothing, with a
  row-by-row report (``importing.py`` parses and checks the rows).
- ``organisation_register`` / ``organisation_decide``: UMKM, donors, groups, agencies and
  health posts sign up; an operator approves or rejects.
- ``volunteer_signup``: a registered resident offers skills and weekly time windows.
- ``skill_defaults_ensure``: the kelurahan's managed list of skills.

Duplicates
- same NIK/KK in the kelurahan: refused; for an operator, the registration is kept without
  the NIK and a "same NIK" case is opened (merge proposal).
- similar name + same birth date + same RT: a ``DuplicateCase`` for ``duplicate_case_decide``
  (unique / duplicate, deactivated never deleted / same household).

Privacy
- ``consent_grant`` / ``consent_withdraw``: per purpose, with text version and channel;
  withdrawing stops what depended on it (``person_notify`` sends nothing without consent
  to notifications; withdrawing "sensitive data" wipes the Tier-2 fields).
- ``person_view`` / ``person_list_view``: Tier-1 reads by someone else, each logged in
  ``DataAccess``; ``person_reveal``: Tier-2 reads, only with a purpose, logged.
- ``person_data_export``: everything held about the person (JSON).
- ``data_request_submit`` / ``data_request_resolve``: corrections and erasure requests,
  3 x 24 hours to answer; ``person_erase`` wipes or pseudonymises personal fields.
- ``data_keys_rotate``: re-encrypt Tier-2 columns under the newest key.

Every change writes a transparency entry (ids, counts and flags only) in its transaction.
"""

import dataclasses
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from gotong.accounts.models import Role, User
from gotong.accounts.permissions import (
    acting_role,
    memberships_effective,
    permission_require,
    territory_key,
)
from gotong.accounts.phone import phone_normalize
from gotong.accounts.services import membership_create_by_system
from gotong.channels.services import notification_send
from gotong.core.crypto import (
    CiphertextField,
    blind_index,
    data_key_current_version,
    field_decrypt,
    field_encrypt,
    field_reencrypt,
)
from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.services import entry_record

from .consent import CONSENT_TEXT_VERSION, REQUIRED_PURPOSES, consent_text
from .identity import kk_clean, nik_clean
from .models import (
    REQUEST_DEADLINE,
    AccessChannel,
    AccessPurpose,
    AvailabilityWindow,
    Consent,
    ConsentChannel,
    ConsentPurpose,
    DataAccess,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    DuplicateCase,
    DuplicateCaseStatus,
    Household,
    ImportBatch,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Person,
    PersonStatus,
    RegistrationChannel,
    Relationship,
    Sex,
    Skill,
    Volunteer,
    WelfareListing,
)

NIK_CONTEXT = "registry.person.nik"
KK_CONTEXT = "registry.household.kk"
HEALTH_CONTEXT = "registry.person.health"
BANK_CONTEXT = "registry.person.bank_account"
# Names at least this similar (rapidfuzz token-sort ratio), same birth date, same RT.
DUPLICATE_NAME_SCORE = 85
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")

DEFAULT_SKILLS = [
    ("driver", "Sopir / pengantar"),
    ("cook", "Juru masak"),
    ("nurse", "Perawat / tenaga kesehatan"),
    ("admin", "Tenaga administrasi"),
    ("carpenter", "Tukang kayu / bangunan"),
    ("teacher", "Guru / pendamping belajar"),
    ("caregiver", "Pendamping lansia"),
    ("it", "Teknologi informasi"),
]
TIER2_FIELDS = {
    "nik": ("nik_ciphertext", NIK_CONTEXT),
    "health_notes": ("health_ciphertext", HEALTH_CONTEXT),
    "bank_account": ("bank_account_ciphertext", BANK_CONTEXT),
}
TIER1_FIELDS = ["full_name", "sex", "birth_date", "rt", "phone", "vulnerability", "welfare"]
VULNERABILITY_FLAGS = (
    "is_elderly",
    "has_disability",
    "has_chronic_illness",
    "is_pregnant",
    "is_child_under_five",
    "lost_job",
)


@dataclasses.dataclass
class PersonData:
    """What a registration form, API call or import row says about one person."""

    full_name: str
    sex: str
    birth_date: dt.date | None
    rt: RT | None
    phone: str = ""
    nik: str = ""
    health_notes: str = ""
    bank_account: str = ""
    relationship: str = ""
    is_elderly: bool = False
    has_disability: bool = False
    has_chronic_illness: bool = False
    is_pregnant: bool = False
    is_child_under_five: bool = False
    lost_job: bool = False
    dtks_listed: str = WelfareListing.UNKNOWN
    welfare_decile: int | None = None
    anonymous_mode: bool = False

    @property
    def has_tier2(self) -> bool:
        return bool(self.nik.strip() or self.health_notes.strip() or self.bank_account.strip())


# --------------------------------------------------------------------------- helpers


def _user_or_none(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _audit(
    *, kelurahan: Kelurahan, type: str, actor: Any, subject: str, data: dict[str, Any]
) -> None:
    entry_record(
        kelurahan=kelurahan, type=type, actor=_user_or_none(actor), subject=subject, data=data
    )


def person_pseudonym(person: Person) -> str:
    """A stable pseudonym shown instead of a name (anonymous mode, erased records)."""
    key = settings.GOTONG_PSEUDONYM_KEY.encode()
    digest = hmac.new(key, f"person:{person.pk}".encode(), hashlib.sha256).hexdigest()
    return f"W-{digest[:8]}"


def _clean_phone(value: str, field: str = "phone") -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return phone_normalize(value)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], {"field": field}) from exc


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


def _is_minor(birth_date: dt.date | None, today: dt.date) -> bool:
    if birth_date is None:
        return False
    age = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    return age < 18


def _consents_check(
    *, data: PersonData, consents: Iterable[str], guardian_present: bool, today: dt.date
) -> set[str]:
    purposes = set(consents)
    unknown = purposes - set(ConsentPurpose.values)
    if unknown:
        raise ValidationFailed(_("Unknown consent purpose."), {"field": "consents"})
    for required in REQUIRED_PURPOSES:
        if required not in purposes:
            raise ValidationFailed(
                _("Consent for %(purpose)s is required to register.")
                % {"purpose": ConsentPurpose(required).label},
                {"field": "consents", "purpose": str(required)},
            )
    if data.has_tier2 and ConsentPurpose.SENSITIVE_DATA not in purposes:
        raise ValidationFailed(
            _("NIK, KK, health or bank data can only be kept with consent for sensitive data."),
            {"field": "consents", "purpose": ConsentPurpose.SENSITIVE_DATA.value},
        )
    if data.has_tier2 and _is_minor(data.birth_date, today) and not guardian_present:
        raise ValidationFailed(
            _(
                "Sensitive data of a child (under 18) needs the consent of a parent or guardian: "
                "register the child with their household or name the guardian."
            ),
            {"field": "consents", "purpose": ConsentPurpose.SENSITIVE_DATA.value},
        )
    return purposes


def _person_build(
    *,
    kelurahan: Kelurahan,
    data: PersonData,
    channel: str,
    actor: Any,
    user: User | None = None,
    household: Household | None = None,
) -> Person:
    """An unsaved Person with the Tier-2 fields encrypted and the NIK indexed."""
    return Person(
        kelurahan=kelurahan,
        rt=data.rt,
        household=household,
        relationship=data.relationship,
        user=user,
        full_name=data.full_name,
        sex=data.sex,
        birth_date=data.birth_date,
        phone=data.phone,
        is_elderly=data.is_elderly,
        has_disability=data.has_disability,
        has_chronic_illness=data.has_chronic_illness,
        is_pregnant=data.is_pregnant,
        is_child_under_five=data.is_child_under_five,
        lost_job=data.lost_job,
        dtks_listed=data.dtks_listed,
        welfare_decile=data.welfare_decile,
        nik_ciphertext=field_encrypt(data.nik, context=NIK_CONTEXT),
        nik_index=blind_index(data.nik, context=NIK_CONTEXT),
        health_ciphertext=field_encrypt(data.health_notes, context=HEALTH_CONTEXT),
        bank_account_ciphertext=field_encrypt(data.bank_account, context=BANK_CONTEXT),
        anonymous_mode=data.anonymous_mode,
        channel=channel,
        created_by=_user_or_none(actor),
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


def _name_key(name: str) -> str:
    return " ".join(name.lower().replace(".", " ").split())


def _similar_people(person: Person) -> list[tuple[Person, int]]:
    """Active people in the same RT with the same birth date and a similar name."""
    if person.birth_date is None or person.rt_id is None:
        return []
    others = Person.objects.filter(
        kelurahan_id=person.kelurahan_id,
        rt_id=person.rt_id,
        birth_date=person.birth_date,
        status=PersonStatus.ACTIVE,
    ).exclude(pk=person.pk)
    found = []
    for other in others:
        score = int(fuzz.token_sort_ratio(_name_key(person.full_name), _name_key(other.full_name)))
        if score >= DUPLICATE_NAME_SCORE:
            found.append((other, score))
    return found


def _duplicate_cases_open(*, person: Person, actor: Any) -> list[DuplicateCase]:
    cases = []
    for other, score in _similar_people(person):
        case = DuplicateCase.objects.create(
            kelurahan_id=person.kelurahan_id,
            person=person,
            candidate=other,
            score=score,
            reasons=["similar_name", "same_birth_date", "same_rt"],
        )
        cases.append(case)
        _audit(
            kelurahan=person.kelurahan,
            type="person.duplicate_suspected",
            actor=actor,
            subject=f"person:{person.pk}",
            data={"case_id": case.pk, "candidate_id": other.pk, "score": score},
        )
    return cases


def _may(user: Any, perm: str, unit: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(perm, unit))


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


# ---------------------------------------------------------------------- registration


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
    from django.core.files.storage import default_storage

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
        allow_merge_proposal=_may(actor, "registry.manage_duplicates", kelurahan),
    )


# --------------------------------------------------------------------- organisations


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


# ------------------------------------------------------------------------ volunteers


@transaction.atomic
def skill_defaults_ensure(*, kelurahan: Kelurahan) -> list[Skill]:
    """Create the default skill list of a kelurahan once (driver, cook, nurse, ...)."""
    have = set(Skill.objects.filter(kelurahan=kelurahan).values_list("code", flat=True))
    missing = [
        Skill(kelurahan=kelurahan, code=c, name=n) for c, n in DEFAULT_SKILLS if c not in have
    ]
    if missing:
        Skill.objects.bulk_create(missing)
        _audit(
            kelurahan=kelurahan,
            type="skill.list_created",
            actor=None,
            subject=f"kelurahan:{kelurahan.pk}",
            data={"skills": [s.code for s in missing]},
        )
    return list(Skill.objects.filter(kelurahan=kelurahan, is_active=True))


def _windows_clean(
    windows: Iterable[tuple[int, dt.time, dt.time]],
) -> list[tuple[int, dt.time, dt.time]]:
    cleaned = sorted(set(windows))
    if not cleaned:
        raise ValidationFailed(_("Give at least one weekly time window."), {"field": "windows"})
    for weekday, start, end in cleaned:
        if not 0 <= weekday <= 6:
            raise ValidationFailed(_("The day must be Monday to Sunday."), {"field": "windows"})
        if end <= start:
            raise ValidationFailed(
                _("A time window must end after it starts."), {"field": "windows"}
            )
    for (d1, _s1, e1), (d2, s2, _e2) in zip(cleaned, cleaned[1:], strict=False):
        if d1 == d2 and s2 < e1:
            raise ValidationFailed(_("Two time windows overlap."), {"field": "windows"})
    return cleaned


@transaction.atomic
def volunteer_signup(
    *,
    actor: User,
    person: Person,
    skill_codes: Iterable[str],
    windows: Iterable[tuple[int, dt.time, dt.time]],
    max_tasks_per_week: int = 2,
    lat: Any = None,
    lon: Any = None,
) -> Volunteer:
    """A registered resident signs up (or updates) as a volunteer."""
    if person.user_id != actor.pk or person.status != PersonStatus.ACTIVE:
        raise PermissionDenied(_("You can only sign yourself up as a volunteer."))
    return _volunteer_save(
        actor=actor,
        person=person,
        skill_codes=skill_codes,
        windows=windows,
        max_tasks_per_week=max_tasks_per_week,
        lat=lat,
        lon=lon,
    )


@transaction.atomic
def volunteer_register_by_system(
    *,
    person: Person,
    skill_codes: Iterable[str],
    windows: Iterable[tuple[int, dt.time, dt.time]],
    max_tasks_per_week: int = 2,
) -> Volunteer:
    """A volunteer profile without an acting user (``manage.py seed_demo``)."""
    return _volunteer_save(
        actor=None,
        person=person,
        skill_codes=skill_codes,
        windows=windows,
        max_tasks_per_week=max_tasks_per_week,
    )


def _volunteer_save(
    *,
    actor: Any,
    person: Person,
    skill_codes: Iterable[str],
    windows: Iterable[tuple[int, dt.time, dt.time]],
    max_tasks_per_week: int = 2,
    lat: Any = None,
    lon: Any = None,
) -> Volunteer:
    kelurahan = person.kelurahan
    skill_defaults_ensure(kelurahan=kelurahan)
    codes = set(skill_codes)
    skills = list(Skill.objects.filter(kelurahan=kelurahan, is_active=True, code__in=codes))
    if not codes or len(skills) != len(codes):
        raise ValidationFailed(_("Choose one or more skills from the list."), {"field": "skills"})
    cleaned = _windows_clean(windows)
    if not 1 <= max_tasks_per_week <= 21:
        raise ValidationFailed(
            _("Tasks per week must be between 1 and 21."), {"field": "max_tasks_per_week"}
        )
    if (lat is None) != (lon is None):
        raise ValidationFailed(_("Give both latitude and longitude, or neither."), {"field": "lat"})
    volunteer, created = Volunteer.objects.update_or_create(
        person=person,
        defaults={
            "kelurahan": kelurahan,
            "rt": person.rt,
            "max_tasks_per_week": max_tasks_per_week,
            "lat": lat,
            "lon": lon,
            "is_active": True,
        },
    )
    try:
        volunteer.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(messages[0], {"field": field}) from exc
    volunteer.skills.set(skills)
    volunteer.windows.all().delete()
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(volunteer=volunteer, weekday=d, start=s, end=e) for d, s, e in cleaned
    )
    if person.user is not None and person.rt is not None:
        membership_create_by_system(
            kelurahan=kelurahan, user=person.user, role=Role.RELAWAN, rt=person.rt
        )
    _audit(
        kelurahan=kelurahan,
        type="volunteer.signed_up" if created else "volunteer.updated",
        actor=actor,
        subject=f"volunteer:{volunteer.pk}",
        data={
            "person_id": person.pk,
            "skills": sorted(codes),
            "windows": len(cleaned),
            "max_tasks_per_week": max_tasks_per_week,
        },
    )
    return volunteer


# ----------------------------------------------------------------------- duplicates


@transaction.atomic
def duplicate_case_decide(*, actor: Any, case: DuplicateCase, decision: str) -> DuplicateCase:
    """An operator decides a possible duplicate: unique, duplicate or same household."""
    permission_require(actor, "registry.manage_duplicates", case.kelurahan)
    if decision not in (
        DuplicateCaseStatus.UNIQUE,
        DuplicateCaseStatus.DUPLICATE,
        DuplicateCaseStatus.SAME_HOUSEHOLD,
    ):
        raise ValidationFailed(
            _("Choose unique, duplicate or same household."), {"field": "decision"}
        )
    updated = DuplicateCase.objects.filter(pk=case.pk, status=DuplicateCaseStatus.OPEN).update(
        status=decision, decided_by=actor, decided_at=timezone.now(), updated_at=timezone.now()
    )
    if not updated:
        raise Conflict(_("This case has already been decided."), {"field": "status"})
    newer = Person.objects.select_for_update().get(pk=case.person_id)
    older = Person.objects.select_for_update().get(pk=case.candidate_id)
    if decision == DuplicateCaseStatus.DUPLICATE:
        moved_user = newer.user
        newer.status = PersonStatus.DUPLICATE
        newer.duplicate_of = older
        if moved_user is not None and older.user_id is None:
            newer.user = None
        newer.save(update_fields=["status", "duplicate_of", "user", "updated_at"])
        if moved_user is not None and older.user_id is None:
            older.user = moved_user
            older.save(update_fields=["user", "updated_at"])
        Volunteer.objects.filter(person=newer).update(is_active=False)
    elif decision == DuplicateCaseStatus.SAME_HOUSEHOLD:
        household = older.household or newer.household
        if household is None:
            home = older.rt or newer.rt
            if home is None:
                raise ValidationFailed(_("Neither record has an RT."), {"field": "rt"})
            household = Household.objects.create(kelurahan=case.kelurahan, rt=home, size=2)
        for member in (older, newer):
            if member.household_id != household.pk:
                member.household = household
                member.save(update_fields=["household", "updated_at"])
        household.size = max(household.size, household.members.count())
        household.save(update_fields=["size", "updated_at"])
    case.refresh_from_db()
    _audit(
        kelurahan=case.kelurahan,
        type="person.duplicate_decided",
        actor=actor,
        subject=f"person:{newer.pk}",
        data={"case_id": case.pk, "candidate_id": older.pk, "decision": decision},
    )
    return case


# -------------------------------------------------------------------------- consent


def _consent_in_force(person: Person, purpose: str) -> Consent | None:
    return Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True).first()


def _self_or_perm(actor: Any, person: Person, perm: str) -> None:
    if person.user_id is not None and getattr(actor, "pk", None) == person.user_id:
        return
    permission_require(actor, perm, person.rt or person.kelurahan)


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


# ---------------------------------------------------------------------- access log


def _log_access(
    *,
    persons: Sequence[Person],
    actor: Any,
    role: str | None,
    fields: list[str],
    purpose: str,
    channel: str,
    tier: int,
) -> None:
    actor_id = getattr(actor, "pk", None)
    now = timezone.now()
    DataAccess.objects.bulk_create(
        [
            DataAccess(
                kelurahan_id=p.kelurahan_id,
                person=p,
                accessor_id=actor_id,
                accessor_role=role
                or acting_role(actor, "registry.view_persons", p.rt or p.kelurahan),
                fields=fields,
                tier=tier,
                purpose=purpose,
                channel=channel,
                at=now,
            )
            for p in persons
            if p.user_id is None or p.user_id != actor_id
        ]
    )


def _may_see_name(actor: Any, person: Person) -> bool:
    """Anonymous mode: only the person and the head of their RT see who they are."""
    if not person.anonymous_mode:
        return True
    if person.user_id is not None and getattr(actor, "pk", None) == person.user_id:
        return True
    if person.rt is None:
        return False
    key = territory_key(person.rt)
    return any(
        m.role == Role.KETUA_RT and m.rt_id == person.rt_id
        for m in memberships_effective(actor, key[0])
    )


def person_tier1(*, person: Person, actor: Any) -> dict[str, Any]:
    """The Tier-1 view of a person for a viewer (anonymous mode masks name and number)."""
    visible = _may_see_name(actor, person)
    return {
        "id": person.pk,
        "pseudonym": person_pseudonym(person),
        "full_name": person.full_name if visible else "",
        "phone": person.phone if visible else "",
        "sex": person.sex,
        "birth_date": person.birth_date,
        "rt_id": person.rt_id,
        "rt_label": str(person.rt) if person.rt else "",
        "household_id": person.household_id,
        "vulnerability": [f for f in VULNERABILITY_FLAGS if getattr(person, f)],
        "dtks_listed": person.dtks_listed,
        "welfare_decile": person.welfare_decile,
        "anonymous_mode": person.anonymous_mode,
        "status": person.status,
        "has_nik": bool(person.nik_index),
    }


def person_view(
    *,
    actor: Any,
    person: Person,
    purpose: str = AccessPurpose.NEIGHBOURHOOD,
    channel: str = AccessChannel.PAGE,
) -> dict[str, Any]:
    """Tier-1 data of one person for an officer or RT/RW head; the read is logged."""
    unit = person.rt or person.kelurahan
    permission_require(actor, "registry.view_persons", unit)
    if purpose not in AccessPurpose.values:
        raise ValidationFailed(_("Choose why you need this data."), {"field": "purpose"})
    _log_access(
        persons=[person],
        actor=actor,
        role=acting_role(actor, "registry.view_persons", unit),
        fields=TIER1_FIELDS,
        purpose=purpose,
        channel=channel,
        tier=1,
    )
    return person_tier1(person=person, actor=actor)


def person_list_view(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    persons: Sequence[Person],
    rt: RT | None = None,
    channel: str = AccessChannel.PAGE,
    purpose: str = AccessPurpose.NEIGHBOURHOOD,
) -> list[dict[str, Any]]:
    """Tier-1 rows of a list for a viewer; every person shown gets an access-log row."""
    if rt is not None:
        permission_require(actor, "registry.view_persons", rt)
    shown = [p for p in persons if _may(actor, "registry.view_persons", p.rt or kelurahan)]
    _log_access(
        persons=shown,
        actor=actor,
        role=None,
        fields=["full_name", "sex", "birth_date", "rt", "vulnerability"],
        purpose=purpose,
        channel=channel,
        tier=1,
    )
    return [person_tier1(person=p, actor=actor) for p in shown]


def person_reveal(
    *,
    actor: Any,
    person: Person,
    fields: Iterable[str],
    purpose: str,
    channel: str = AccessChannel.PAGE,
) -> dict[str, str]:
    """Decrypt chosen Tier-2 fields for an officer who states why; the read is logged."""
    unit = person.rt or person.kelurahan
    permission_require(actor, "registry.reveal_sensitive", unit)
    if purpose not in AccessPurpose.values:
        raise ValidationFailed(
            _("Choose why you need to see this sensitive data."), {"field": "purpose"}
        )
    wanted = [f for f in TIER2_FIELDS if f in set(fields)] + (
        ["kk_number"] if "kk_number" in set(fields) else []
    )
    if not wanted:
        raise ValidationFailed(_("Choose which sensitive data to see."), {"field": "fields"})
    values: dict[str, str] = {}
    for name in wanted:
        if name == "kk_number":
            household = person.household
            values[name] = (
                field_decrypt(household.kk_ciphertext, context=KK_CONTEXT) if household else ""
            )
        else:
            column, context = TIER2_FIELDS[name]
            values[name] = field_decrypt(getattr(person, column), context=context)
    with transaction.atomic():
        _log_access(
            persons=[person],
            actor=actor,
            role=acting_role(actor, "registry.reveal_sensitive", unit),
            fields=wanted,
            purpose=purpose,
            channel=channel,
            tier=2,
        )
        _audit(
            kelurahan=person.kelurahan,
            type="person.sensitive_revealed",
            actor=actor,
            subject=f"person:{person.pk}",
            data={"fields": wanted, "purpose": purpose, "channel": channel},
        )
    return values


# ----------------------------------------------------------------- subject rights


def person_own_tier2(*, person: Person) -> dict[str, str]:
    """A person's own sensitive data, for themselves (no one else reads it, nothing logged)."""
    values = {
        name: field_decrypt(getattr(person, column), context=context)
        for name, (column, context) in TIER2_FIELDS.items()
    }
    values["kk_number"] = (
        field_decrypt(person.household.kk_ciphertext, context=KK_CONTEXT)
        if person.household
        else ""
    )
    return values


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


# -------------------------------------------------------------------------- import


@transaction.atomic
def person_import(
    *, actor: Any, kelurahan: Kelurahan, file_name: str, content: bytes
) -> ImportBatch:
    """Import residents and households from CSV/XLSX: every row checked, all or nothing.

    A refused file still leaves its batch (with the row report, no values) for download.
    """
    permission_require(actor, "registry.import", kelurahan)
    return _import_run(actor=actor, kelurahan=kelurahan, file_name=file_name, content=content)


@transaction.atomic
def person_import_by_system(*, kelurahan: Kelurahan, file_name: str, content: bytes) -> ImportBatch:
    """The same import without an acting user (``manage.py seed_demo``)."""
    return _import_run(actor=None, kelurahan=kelurahan, file_name=file_name, content=content)


def _import_run(*, actor: Any, kelurahan: Kelurahan, file_name: str, content: bytes) -> ImportBatch:
    from . import importing

    batch = ImportBatch(
        kelurahan=kelurahan,
        uploaded_by=_user_or_none(actor),
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
    )
    plan = importing.import_plan(kelurahan=kelurahan, file_name=file_name, content=content)
    batch.row_count = len(plan.rows)
    batch.error_count = plan.error_count
    if plan.error_count:
        batch.report = plan.report()
        batch.save()
        _audit(
            kelurahan=kelurahan,
            type="import.refused",
            actor=actor,
            subject=f"import:{batch.pk}",
            data={"rows": batch.row_count, "errors": batch.error_count},
        )
        return batch
    counts = importing.import_apply(plan=plan, kelurahan=kelurahan, actor=actor)
    batch.imported = True
    batch.report = plan.report()
    batch.save()
    _audit(
        kelurahan=kelurahan,
        type="import.completed",
        actor=actor,
        subject=f"import:{batch.pk}",
        data={"rows": batch.row_count, **counts},
    )
    return batch


# --------------------------------------------------------------------- key rotation


def _ciphertext_columns() -> list[tuple[type[Model], list[CiphertextField]]]:
    found = []
    for model in apps.get_models():
        columns = [f for f in model._meta.get_fields() if isinstance(f, CiphertextField)]
        if columns:
            found.append((model, columns))
    return found


def data_keys_rotate(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every Tier-2 column not yet under the newest key; returns rows per model."""
    version = data_key_current_version()
    prefix = f"v{version}:"
    counts: dict[str, int] = {}
    for model, columns in _ciphertext_columns():
        stale = Q()
        for column in columns:
            stale |= ~Q(**{column.name: ""}) & ~Q(**{f"{column.name}__startswith": prefix})
        label = model._meta.label
        counts[label] = 0
        while True:
            with transaction.atomic():
                rows = list(
                    model._default_manager.select_for_update()
                    .filter(stale)
                    .order_by("pk")[:batch_size]
                )
                if not rows:
                    break
                for row in rows:
                    for column in columns:
                        token = getattr(row, column.name)
                        setattr(row, column.name, field_reencrypt(token, context=column.context))
                model._default_manager.bulk_update(rows, [c.name for c in columns])
                per_kelurahan: dict[int, int] = {}
                for row in rows:
                    kid = getattr(row, "kelurahan_id", None)
                    if kid is not None:
                        per_kelurahan[kid] = per_kelurahan.get(kid, 0) + 1
                for kid, count in per_kelurahan.items():
                    _audit(
                        kelurahan=Kelurahan.objects.get(pk=kid),
                        type="data_keys.rotated",
                        actor=None,
                        subject=f"kelurahan:{kid}",
                        data={"model": label, "rows": count, "key_version": version},
                    )
                counts[label] += len(rows)
    return counts
