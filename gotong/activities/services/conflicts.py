"""Conflicts of interest: a user declares one with a person or household, or with the
people of an activity without learning who they are."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from gotong.registry.models import Household, Person
from gotong.territory.models import Kelurahan
from gotong.transparency.services import entry_record

from ..models import Activity, ConflictDeclaration
from ._common import _prefetched


@transaction.atomic
def conflict_declare(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    person: Person | None = None,
    household: Household | None = None,
    reason: str = "",
) -> ConflictDeclaration:
    """A user declares a conflict of interest with a person or household of this kelurahan."""
    if getattr(actor, "pk", None) is None:
        raise PermissionDenied(_("Log in to declare a conflict of interest."))
    if (person is None) == (household is None):
        raise ValidationFailed(_("Choose one person or one household."), {"field": "person"})
    target_kelurahan = person.kelurahan_id if person is not None else None
    if household is not None:
        target_kelurahan = household.kelurahan_id
    if target_kelurahan != kelurahan.pk:
        raise NotFound(_("Not found in this kelurahan."), {"field": "person"})
    declaration, created = ConflictDeclaration.objects.get_or_create(
        kelurahan=kelurahan,
        user=actor,
        person=person,
        household=household,
        defaults={"reason": (reason or "").strip()[:300]},
    )
    if created:
        entry_record(
            kelurahan=kelurahan,
            type="conflict.declared",
            actor=actor,
            subject=f"conflict:{declaration.pk}",
            data={"with": "person" if person else "household"},
        )
    return declaration


def conflict_declare_for_activity(
    *, actor: Any, activity: Activity, target: str, reason: str = ""
) -> ConflictDeclaration:
    """Declare a conflict with the coordinator (``"coordinator"``) or the beneficiary of a
    need served (``"need:<id>"``) without learning who they are."""
    full = _prefetched(activity)
    if target == "coordinator":
        person = Person.objects.filter(
            kelurahan=activity.kelurahan, user_id=activity.coordinator_id
        ).first()
        if person is None:
            raise NotFound(_("The coordinator has no resident record here."), {"field": "target"})
        return conflict_declare(
            actor=actor, kelurahan=activity.kelurahan, person=person, reason=reason
        )
    for link in full.links.all():
        if target == f"need:{link.need_id}":
            need = link.need
            if need.beneficiary_household_id:
                return conflict_declare(
                    actor=actor,
                    kelurahan=activity.kelurahan,
                    household=Household.objects.get(pk=need.beneficiary_household_id),
                    reason=reason,
                )
            return conflict_declare(
                actor=actor,
                kelurahan=activity.kelurahan,
                person=need.beneficiary_person,
                reason=reason,
            )
    raise ValidationFailed(_("Choose who the conflict is with."), {"field": "target"})
