"""Reads of personal data by someone else, each written to the access log (``DataAccess``)."""

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.accounts.permissions import (
    acting_role,
    memberships_effective,
    permission_holds_over,
    permission_require,
    territory_key,
)
from gotong.core.crypto import field_decrypt
from gotong.core.exceptions import ValidationFailed
from gotong.territory.models import RT, Kelurahan

from ..models import AccessChannel, AccessPurpose, DataAccess, Person
from ._common import KK_CONTEXT, TIER1_FIELDS, TIER2_FIELDS, VULNERABILITY_FLAGS, _audit


def person_pseudonym(person: Person) -> str:
    """A stable pseudonym shown instead of a name (anonymous mode, erased records)."""
    key = settings.GOTONG_PSEUDONYM_KEY.encode()
    digest = hmac.new(key, f"person:{person.pk}".encode(), hashlib.sha256).hexdigest()
    return f"W-{digest[:8]}"


def data_access_record(
    *,
    persons: Sequence[Person],
    actor: Any,
    role: str | None,
    fields: list[str],
    purpose: str,
    channel: str,
    tier: int,
) -> None:
    """Write one access-log row per person read by someone other than themselves."""
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
    data_access_record(
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
    shown = [
        p
        for p in persons
        if permission_holds_over(actor, "registry.view_persons", p.rt or kelurahan)
    ]
    data_access_record(
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
        data_access_record(
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
