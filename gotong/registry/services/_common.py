"""Private helpers and shared definitions of the registry services (no use-case lives here)."""

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import User
from gotong.accounts.permissions import permission_require
from gotong.accounts.phone import phone_normalize
from gotong.core.crypto import blind_index, field_encrypt
from gotong.core.exceptions import ValidationFailed
from gotong.territory.models import RT, Kelurahan
from gotong.transparency.services import entry_record

from ..consent import REQUIRED_PURPOSES
from ..models import ConsentPurpose, Household, Person, WelfareListing

NIK_CONTEXT = "registry.person.nik"
KK_CONTEXT = "registry.household.kk"
HEALTH_CONTEXT = "registry.person.health"
BANK_CONTEXT = "registry.person.bank_account"
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


def _user_or_none(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _audit(
    *, kelurahan: Kelurahan, type: str, actor: Any, subject: str, data: dict[str, Any]
) -> None:
    entry_record(
        kelurahan=kelurahan, type=type, actor=_user_or_none(actor), subject=subject, data=data
    )


def _clean_phone(value: str, field: str = "phone") -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return phone_normalize(value)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], {"field": field}) from exc


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


def _name_key(name: str) -> str:
    return " ".join(name.lower().replace(".", " ").split())


def _self_or_perm(actor: Any, person: Person, perm: str) -> None:
    if person.user_id is not None and getattr(actor, "pk", None) == person.user_id:
        return
    permission_require(actor, perm, person.rt or person.kelurahan)
