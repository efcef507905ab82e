"""Registry reads, always within one kelurahan.

These return rows; showing Tier-1 data of a person to someone else goes through
``services.person_view`` / ``person_list_view`` (which log the read) and Tier-2 data
through ``services.person_reveal``.
"""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.accounts.permissions import memberships_effective
from gotong.core.exceptions import NotFound
from gotong.territory.models import RT, RW, Kelurahan

from .models import (
    Consent,
    DataAccess,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    DuplicateCase,
    DuplicateCaseStatus,
    Household,
    ImportBatch,
    Organisation,
    OrganisationStatus,
    Person,
    PersonStatus,
    Skill,
    Volunteer,
)

# Public statistics hide any cell with fewer people than this (Tier 0).
SMALL_CELL = 5


def person_list(
    *,
    kelurahan: Kelurahan,
    rt: RT | None = None,
    rw: RW | None = None,
    status: str | None = PersonStatus.ACTIVE,
) -> QuerySet[Person]:
    """People of this kelurahan, optionally of one RT or RW."""
    qs = Person.objects.filter(kelurahan=kelurahan).select_related("rt", "rt__rw")
    if status is not None:
        qs = qs.filter(status=status)
    if rt is not None:
        qs = qs.filter(rt=rt)
    if rw is not None:
        qs = qs.filter(rt__rw=rw)
    return qs.order_by("rt__rw__number", "rt__number", "full_name", "pk")


def person_list_for_viewer(*, kelurahan: Kelurahan, user: Any) -> QuerySet[Person]:
    """Active people in the units where the viewer may see residents (RT, RW or kelurahan)."""
    units = Q(pk__in=[])
    for m in memberships_effective(user, kelurahan.pk):
        if m.role in (Role.OPERATOR, Role.LURAH, Role.ADMIN):
            units = Q()
            break
        if m.role == Role.KETUA_RW and m.rw_id:
            units |= Q(rt__rw_id=m.rw_id)
        if m.role == Role.KETUA_RT and m.rt_id:
            units |= Q(rt_id=m.rt_id)
    return person_list(kelurahan=kelurahan).filter(units)


def person_get(*, kelurahan: Kelurahan, pk: int) -> Person:
    """One person of this kelurahan, or NotFound."""
    try:
        return Person.objects.select_related("rt", "rt__rw", "household", "kelurahan").get(
            kelurahan=kelurahan, pk=pk
        )
    except Person.DoesNotExist as exc:
        raise NotFound(_("Person not found in this kelurahan."), {"id": pk}) from exc


def person_for_user(*, kelurahan: Kelurahan, user: Any) -> Person | None:
    """The logged-in user's own record in this kelurahan (None when not registered)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Person.objects.select_related("rt", "rt__rw", "household", "kelurahan")
        .filter(kelurahan=kelurahan, user=user)
        .exclude(status=PersonStatus.ERASED)
        .first()
    )


def person_require_for_user(*, kelurahan: Kelurahan, user: Any) -> Person:
    """The user's own record, or NotFound with a hint to register."""
    person = person_for_user(kelurahan=kelurahan, user=user)
    if person is None:
        raise NotFound(_("You are not registered in this kelurahan yet."), {"field": "person"})
    return person


def household_get(*, kelurahan: Kelurahan, pk: int) -> Household:
    """One household of this kelurahan, or NotFound."""
    try:
        return Household.objects.select_related("rt", "rt__rw", "head").get(
            kelurahan=kelurahan, pk=pk
        )
    except Household.DoesNotExist as exc:
        raise NotFound(_("Household not found in this kelurahan."), {"id": pk}) from exc


def household_list(*, kelurahan: Kelurahan, rt: RT | None = None) -> QuerySet[Household]:
    """Households of this kelurahan (optionally one RT) with their registered member count."""
    qs = Household.objects.filter(kelurahan=kelurahan).select_related("rt", "rt__rw")
    if rt is not None:
        qs = qs.filter(rt=rt)
    return qs.annotate(
        member_count=Count("members", filter=Q(members__status=PersonStatus.ACTIVE))
    ).order_by("rt__rw__number", "rt__number", "pk")


def organisation_list(
    *, kelurahan: Kelurahan, status: str | None = OrganisationStatus.APPROVED, kind: str = ""
) -> QuerySet[Organisation]:
    """Organisations of this kelurahan (approved ones by default)."""
    qs = Organisation.objects.filter(kelurahan=kelurahan).select_related("rt", "rt__rw")
    if status is not None:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "name", "pk")


def organisation_get(*, kelurahan: Kelurahan, pk: int) -> Organisation:
    """One organisation of this kelurahan, or NotFound."""
    try:
        return Organisation.objects.select_related("kelurahan", "rt").get(
            kelurahan=kelurahan, pk=pk
        )
    except Organisation.DoesNotExist as exc:
        raise NotFound(_("Organisation not found in this kelurahan."), {"id": pk}) from exc


def skill_list(*, kelurahan: Kelurahan) -> QuerySet[Skill]:
    """The kelurahan's managed list of volunteer skills."""
    return Skill.objects.filter(kelurahan=kelurahan, is_active=True).order_by("name")


def volunteer_list(
    *, kelurahan: Kelurahan, skill_code: str = "", active: bool = True
) -> QuerySet[Volunteer]:
    """Volunteers of this kelurahan, optionally with one skill."""
    qs = (
        Volunteer.objects.filter(kelurahan=kelurahan, is_active=active)
        .select_related("person", "rt", "rt__rw")
        .prefetch_related("skills", "windows")
    )
    if skill_code:
        qs = qs.filter(skills__code=skill_code)
    return qs.order_by("rt__rw__number", "rt__number", "pk")


def volunteer_for_person(*, kelurahan: Kelurahan, person: Person) -> Volunteer | None:
    """The volunteer profile of a person, if any."""
    return (
        Volunteer.objects.filter(kelurahan=kelurahan, person=person)
        .prefetch_related("skills", "windows")
        .first()
    )


def person_has_consent(*, kelurahan: Kelurahan, person: Person, purpose: str) -> bool:
    """Whether the person's consent to ``purpose`` is in force (given, not withdrawn)."""
    return Consent.objects.filter(
        person=person,
        person__kelurahan=kelurahan,
        purpose=purpose,
        withdrawn_at__isnull=True,
    ).exists()


def people_concerned_consenting(
    *, kelurahan: Kelurahan, person_ids: set[int], household_ids: set[int], purpose: str
) -> tuple[set[int], set[int]]:
    """Of the given people and households, those who hold ``purpose`` in force: a household
    counts when every member of it does (and it has members). One query for each."""
    people = set(
        Consent.objects.filter(
            kelurahan=kelurahan,
            person_id__in=person_ids,
            purpose=purpose,
            withdrawn_at__isnull=True,
        ).values_list("person_id", flat=True)
    )
    members = Person.objects.filter(kelurahan=kelurahan, household_id__in=household_ids)
    refusing = members.exclude(
        Exists(
            Consent.objects.filter(
                person_id=OuterRef("pk"), purpose=purpose, withdrawn_at__isnull=True
            )
        )
    )
    households = set(members.values_list("household_id", flat=True)) - set(
        refusing.values_list("household_id", flat=True)
    )
    return people, households


def consent_list_for_person(*, kelurahan: Kelurahan, person: Person) -> QuerySet[Consent]:
    """Every consent of a person, in force and withdrawn."""
    return Consent.objects.filter(kelurahan=kelurahan, person=person).order_by(
        "purpose", "-granted_at", "-pk"
    )


def data_access_list_for_person(
    *, kelurahan: Kelurahan, person: Person, limit: int = 200
) -> QuerySet[DataAccess]:
    """'Who saw my data': reads of a person's data by others, newest first."""
    return DataAccess.objects.filter(kelurahan=kelurahan, person=person).order_by("-at", "-pk")[
        :limit
    ]


def data_request_queue(*, kelurahan: Kelurahan, user: Any) -> QuerySet[DataRequest]:
    """Open requests for the user: all for operators, corrections in their RT for RT heads."""
    units = Q(pk__in=[])
    for m in memberships_effective(user, kelurahan.pk):
        if m.role in (Role.OPERATOR, Role.ADMIN):
            units = Q()
            break
        if m.role == Role.KETUA_RT and m.rt_id:
            units |= Q(rt_id=m.rt_id, kind=DataRequestKind.CORRECTION)
    return (
        DataRequest.objects.filter(kelurahan=kelurahan, status=DataRequestStatus.OPEN)
        .filter(units)
        .select_related("person", "rt", "rt__rw")
        .order_by("due_at", "pk")
    )


def data_request_overdue_count(*, kelurahan: Kelurahan) -> int:
    """Open requests past their 3 x 24 hour deadline."""
    return DataRequest.objects.filter(
        kelurahan=kelurahan, status=DataRequestStatus.OPEN, due_at__lt=timezone.now()
    ).count()


def data_request_get(*, kelurahan: Kelurahan, pk: int) -> DataRequest:
    """One data request of this kelurahan, or NotFound."""
    try:
        return DataRequest.objects.select_related("person", "person__rt", "kelurahan").get(
            kelurahan=kelurahan, pk=pk
        )
    except DataRequest.DoesNotExist as exc:
        raise NotFound(_("Request not found in this kelurahan."), {"id": pk}) from exc


def data_request_list_for_person(*, kelurahan: Kelurahan, person: Person) -> QuerySet[DataRequest]:
    """A person's own requests, newest first."""
    return DataRequest.objects.filter(kelurahan=kelurahan, person=person).order_by(
        "-created_at", "-pk"
    )


def duplicate_case_list(
    *, kelurahan: Kelurahan, status: str = DuplicateCaseStatus.OPEN
) -> QuerySet[DuplicateCase]:
    """Possible duplicates waiting for a decision."""
    return (
        DuplicateCase.objects.filter(kelurahan=kelurahan, status=status)
        .select_related("person", "candidate", "person__rt", "person__rt__rw")
        .order_by("-score", "pk")
    )


def duplicate_case_get(*, kelurahan: Kelurahan, pk: int) -> DuplicateCase:
    """One duplicate case of this kelurahan, or NotFound."""
    try:
        return DuplicateCase.objects.select_related("kelurahan", "person", "candidate").get(
            kelurahan=kelurahan, pk=pk
        )
    except DuplicateCase.DoesNotExist as exc:
        raise NotFound(_("Case not found in this kelurahan."), {"id": pk}) from exc


def import_batch_get(*, kelurahan: Kelurahan, pk: int) -> ImportBatch:
    """One import of this kelurahan, or NotFound."""
    try:
        return ImportBatch.objects.get(kelurahan=kelurahan, pk=pk)
    except ImportBatch.DoesNotExist as exc:
        raise NotFound(_("Import not found in this kelurahan."), {"id": pk}) from exc


def registry_statistics(*, kelurahan: Kelurahan) -> dict[str, Any]:
    """Tier-0 public counts; any count below 5 people is shown as suppressed (None)."""

    def cell(n: int) -> int | None:
        return n if n >= SMALL_CELL else None

    persons = Person.objects.filter(kelurahan=kelurahan, status=PersonStatus.ACTIVE)
    totals = persons.aggregate(
        residents=Count("pk"),
        elderly=Count("pk", filter=Q(is_elderly=True)),
        disability=Count("pk", filter=Q(has_disability=True)),
        under_five=Count("pk", filter=Q(is_child_under_five=True)),
    )
    return {
        **{k: cell(v) for k, v in totals.items()},
        "households": cell(Household.objects.filter(kelurahan=kelurahan).count()),
        "volunteers": cell(Volunteer.objects.filter(kelurahan=kelurahan, is_active=True).count()),
        "organisations": Organisation.objects.filter(
            kelurahan=kelurahan, status=OrganisationStatus.APPROVED
        ).count(),
    }
