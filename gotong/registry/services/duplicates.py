"""Possible duplicates: similar records open a case; an operator decides it."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import Conflict, ValidationFailed

from ..models import DuplicateCase, DuplicateCaseStatus, Household, Person, PersonStatus, Volunteer
from ._common import _audit, _name_key

# Names at least this similar (rapidfuzz token-sort ratio), same birth date, same RT.
DUPLICATE_NAME_SCORE = 85


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
