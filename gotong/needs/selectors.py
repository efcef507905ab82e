"""Needs reads: queues, board, a resident's own needs, and a need's story in plain words."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.accounts.permissions import memberships_effective
from gotong.core.exceptions import NotFound
from gotong.registry.models import ConsentPurpose
from gotong.registry.selectors import people_concerned_consenting, person_for_user
from gotong.territory.models import RT, RW, Kelurahan

from .models import OPEN_STATUSES, URGENCY_RANK, Need, NeedEvent, Status
from .services import service_level_hours
from .transitions import next_steps

_URGENCY_ORDER = Case(
    *[When(urgency=u, then=Value(rank)) for u, rank in URGENCY_RANK.items()],
    output_field=IntegerField(),
)


def _with_duplicates(qs: QuerySet[Need]) -> QuerySet[Need]:
    # Same household; a resident registered without a household is matched as a person.
    same = Q(beneficiary_household=OuterRef("beneficiary_household")) | Q(
        beneficiary_household__isnull=True,
        beneficiary_person=OuterRef("beneficiary_person"),
    )
    other_open = Need.objects.filter(
        same, category=OuterRef("category"), status__in=OPEN_STATUSES
    ).exclude(pk=OuterRef("pk"))
    return qs.annotate(has_duplicate=Exists(other_open))


def need_get(*, kelurahan: Kelurahan, pk: int) -> Need:
    """One need of this kelurahan, or NotFound."""
    need = (
        Need.objects.select_related(
            "rt__rw", "kelurahan", "beneficiary_person", "beneficiary_household", "raised_by"
        )
        .filter(kelurahan=kelurahan, pk=pk)
        .first()
    )
    if need is None:
        raise NotFound(_("Need #%(id)s was not found in this kelurahan.") % {"id": pk})
    return need


def need_queue_for_rt(*, kelurahan: Kelurahan, rt: RT) -> QuerySet[Need]:
    """RT head's triage queue: submitted needs of the RT, most urgent and oldest first."""
    qs = Need.objects.filter(kelurahan=kelurahan, rt=rt, status=Status.SUBMITTED)
    return (
        _with_duplicates(qs)
        .select_related("rt__rw", "beneficiary_person", "beneficiary_household")
        .annotate(urgency_rank=_URGENCY_ORDER)
        .order_by("urgency_rank", "created_at", "pk")
    )


def need_queue_for_rw(*, kelurahan: Kelurahan, rw: RW) -> QuerySet[Need]:
    """RW head's approval queue: needs verified by the RTs of the RW."""
    return (
        Need.objects.filter(kelurahan=kelurahan, rt__rw=rw, status=Status.VERIFIED)
        .select_related("rt__rw")
        .annotate(urgency_rank=_URGENCY_ORDER)
        .order_by("urgency_rank", "created_at", "pk")
    )


def need_waiting_count(*, kelurahan: Kelurahan, rt: RT | None = None, rw: RW | None = None) -> int:
    """How many needs wait for this RT head (submitted) or this RW head (verified by its RTs)."""
    if rt is not None:
        return Need.objects.filter(kelurahan=kelurahan, rt=rt, status=Status.SUBMITTED).count()
    return Need.objects.filter(kelurahan=kelurahan, rt__rw=rw, status=Status.VERIFIED).count()


def need_board(
    *,
    kelurahan: Kelurahan,
    status: str = "",
    category: str = "",
    rw_number: int | None = None,
    urgency: str = "",
    open_only: bool = False,
) -> QuerySet[Need]:
    """The operator's board for the whole kelurahan, with filters."""
    qs = Need.objects.filter(kelurahan=kelurahan)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if category:
        qs = qs.filter(category=category)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if rw_number is not None:
        qs = qs.filter(rt__rw__number=rw_number)
    return (
        _with_duplicates(qs)
        .select_related("rt__rw")
        .annotate(urgency_rank=_URGENCY_ORDER)
        .order_by("urgency_rank", "-created_at", "-pk")
    )


def need_list_for_user(*, kelurahan: Kelurahan, user: Any) -> QuerySet[Need]:
    """'Permohonan saya': needs the user raised or that are for them or their household."""
    person = person_for_user(kelurahan=kelurahan, user=user)
    condition = Q(raised_by=user)
    if person is not None:
        condition |= Q(beneficiary_person=person)
        if person.household_id:
            condition |= Q(beneficiary_household_id=person.household_id)
    return (
        Need.objects.filter(kelurahan=kelurahan)
        .filter(condition)
        .select_related("rt__rw")
        .order_by("-created_at", "-pk")
    )


def need_open_in_areas_of(*, kelurahan: Kelurahan, user: Any, limit: int = 200) -> list[Need]:
    """Open needs in the RTs the user heads (or the RW, or the whole kelurahan for its
    officers), newest first; callers still check the exact permission per need."""
    if not getattr(user, "is_authenticated", False):
        return []
    condition = Q(pk__in=[])
    for membership in memberships_effective(user, kelurahan.pk):
        if membership.role == Role.KETUA_RT:
            condition |= Q(rt_id=membership.rt_id)
        elif membership.role == Role.KETUA_RW:
            condition |= Q(rt__rw_id=membership.rw_id)
        elif membership.role in (Role.OPERATOR, Role.ADMIN):
            condition |= Q(kelurahan=kelurahan)
    return list(
        Need.objects.filter(kelurahan=kelurahan, status__in=OPEN_STATUSES)
        .filter(condition)
        .select_related("rt__rw")
        .order_by("-created_at", "-pk")[:limit]
    )


def need_events(*, need: Need) -> QuerySet[NeedEvent]:
    """The need's history, oldest first."""
    return need.events.select_related("actor").order_by("at", "pk")


@dataclass
class NeedStory:
    """Where a need stands, in plain words, for the person who raised it."""

    status_label: str
    next_label: str
    due_at: dt.datetime
    overdue: bool
    progress: str
    events: list[NeedEvent]


_NEXT_WORDS = {
    Status.SUBMITTED: _("Next: the RT head checks the need."),
    Status.VERIFIED: _("Next: the RW head approves it."),
    Status.ESCALATED: _("Next: the kelurahan office decides."),
    Status.APPROVED: _("Next: help (volunteers, goods, a UMKM) is assigned."),
    Status.MATCHED: _("Next: the help sets off."),
    Status.IN_PROGRESS: _("Next: delivery, with a photo as evidence."),
    Status.DELIVERED: _("Next: the recipient (or the RT head) confirms receipt."),
    Status.CONFIRMED: _("Next: the RT, RW and independent verifiers sign off."),
    Status.SIGNED_OFF: _("Next: the need is closed and its receipt published."),
}


def need_story(*, need: Need) -> NeedStory:
    """Status, next step, expected time and history, for the status page."""
    target = service_level_hours(kelurahan=need.kelurahan, urgency=need.urgency)
    due = need.created_at + dt.timedelta(hours=target)
    done = need.delivered_at is not None or need.status in (Status.REJECTED, Status.CANCELLED)
    progress = _("%(delivered)s of %(requested)s %(unit)s delivered") % {
        "delivered": need.quantity_delivered,
        "requested": need.quantity_requested,
        "unit": need.unit,
    }
    return NeedStory(
        status_label=str(need.get_status_display()),
        next_label=str(_NEXT_WORDS.get(Status(need.status), "")) if next_steps(need.status) else "",
        due_at=due,
        overdue=not done and timezone.now() > due,
        progress=str(progress),
        events=list(need_events(need=need)),
    )


def need_counts_by_status(*, kelurahan: Kelurahan) -> dict[str, int]:
    """How many needs are in each status (board header)."""
    rows = Need.objects.filter(kelurahan=kelurahan).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def delivery_hours(*, kelurahan: Kelurahan) -> list[float]:
    """Hours from submission to delivery of every delivered need (for the dashboard)."""
    return [
        (delivered - created).total_seconds() / 3600
        for created, delivered in Need.objects.filter(
            kelurahan=kelurahan, delivered_at__isnull=False
        ).values_list("created_at", "delivered_at")
        if delivered is not None
    ]


def need_visible_to(user: Any, need: Need) -> bool:
    """May this user open the need's page? Raiser, beneficiary, area roles, officers."""
    if not getattr(user, "is_authenticated", False):
        return False
    if need.raised_by_id == user.pk:
        return True
    person = need.beneficiary_person
    if person is not None and person.user_id == user.pk:
        return True
    household = need.beneficiary_household
    if household is not None and household.members.filter(user=user).exists():
        return True
    return bool(
        user.has_perm("needs.view_area", need.rt)
        or user.has_perm("needs.view_board", need.kelurahan)
    )


def needs_photos_public(*, kelurahan: Kelurahan, need_ids: set[int]) -> set[int]:
    """Of ``need_ids``, the needs whose evidence photos the public may see: the resident it
    is for (or every member of the household it is for) allowed their face in evidence
    photos ("photos" consent, in force now). A need without a registered beneficiary is
    kept private: nobody could have allowed it."""
    rows = list(
        Need.objects.filter(kelurahan=kelurahan, pk__in=need_ids).values_list(
            "pk", "beneficiary_person_id", "beneficiary_household_id"
        )
    )
    people, households = people_concerned_consenting(
        kelurahan=kelurahan,
        person_ids={person for _pk, person, _household in rows if person is not None},
        household_ids={household for _pk, _person, household in rows if household is not None},
        purpose=ConsentPurpose.PHOTOS,
    )
    return {
        pk
        for pk, person, household in rows
        if (person is not None and person in people)
        or (person is None and household is not None and household in households)
    }
