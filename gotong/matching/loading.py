"""From the database to the engine's plain records: needs and open activity slots become
``Demand``, volunteers become ``Resource`` (goods stocks and UMKM offers plug in here when
the funds and market apps exist). Reads only; always within one kelurahan."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from gotong.activities.models import (
    Activity,
    ActivityStatus,
    Assignment,
    AssignmentStatus,
    ConflictDeclaration,
    Slot,
)
from gotong.activities.selectors import rating_average_per_volunteer
from gotong.activities.transitions import OPEN_STATUSES as ACTIVITY_OPEN
from gotong.needs.models import URGENCY_RANK, Need
from gotong.needs.models import Status as NeedStatus
from gotong.registry.models import Person, PersonStatus, Volunteer
from gotong.territory.models import Kelurahan

from . import engine
from .models import MatchingPolicy, Proposal, ProposalStatus

BLOCK = dt.timedelta(hours=3)
HORIZON_DAYS = 7
MIN_NEED_WINDOW = dt.timedelta(hours=24)
SLOT_URGENCY = 2  # activity slots rank as a medium-urgency need
VULNERABILITY_FLAGS = (
    "is_elderly",
    "has_disability",
    "has_chronic_illness",
    "is_pregnant",
    "is_child_under_five",
    "lost_job",
)


# Proposed start times are on the half hour.
START_STEP = dt.timedelta(minutes=30)


@dataclass
class Horizon:
    """The planning horizon: 7 days from local midnight today, in 3-hour blocks."""

    start: dt.datetime
    now: dt.datetime

    @classmethod
    def from_now(cls, now: dt.datetime | None = None) -> "Horizon":
        now = now or timezone.now()
        local = timezone.localtime(now)
        return cls(start=local.replace(hour=0, minute=0, second=0, microsecond=0), now=now)

    def mask(self, start: dt.datetime, end: dt.datetime) -> int:
        return engine.window_mask(
            start.timestamp(),
            end.timestamp(),
            horizon_start=self.start.timestamp(),
            block_seconds=BLOCK.total_seconds(),
        )

    def block_start(self, block: int) -> dt.datetime:
        return self.start + block * BLOCK

    def proposed_start(self, block: int) -> dt.datetime:
        """When help in ``block`` can start: the block's start, but never in the past (a
        round at 19:30 proposes 20:00, not the 18:00 the 18-21 block begins with)."""
        soonest = self.now + (dt.datetime.min.replace(tzinfo=dt.UTC) - self.now) % START_STEP
        return max(self.block_start(block), soonest)

    def weekly_mask(self, windows: Iterable[Any]) -> int:
        """Weekly availability windows (weekday, start, end; WIB) over the horizon."""
        mask = 0
        for offset in range(HORIZON_DAYS):
            day = self.start + dt.timedelta(days=offset)
            for w in windows:
                if w.weekday == day.weekday():
                    mask |= self.mask(
                        day.replace(hour=w.start.hour, minute=w.start.minute),
                        day.replace(hour=w.end.hour, minute=w.end.minute),
                    )
        return mask


def weights_of(policy: MatchingPolicy) -> engine.Weights:
    return engine.Weights(**{p: getattr(policy, f"weight_{p}") for p in engine.PARTS})


def _point(lat: Any, lon: Any, rt: Any) -> tuple[float | None, float | None]:
    if lat is not None and lon is not None:
        return float(lat), float(lon)
    if rt is not None and rt.centroid_lat is not None and rt.centroid_lon is not None:
        return float(rt.centroid_lat), float(rt.centroid_lon)
    return None, None


def vulnerability(people: Sequence[Person]) -> tuple[float, list[str]]:
    """0..1 from the registry (flags of the household, DTKS listing and decile) and the
    groups for the fairness report."""
    groups = sorted({f for p in people for f in VULNERABILITY_FLAGS if getattr(p, f)})
    deciles = [p.welfare_decile for p in people if p.welfare_decile]
    dtks = any(p.dtks_listed == "yes" for p in people)
    decile_score = (11 - min(deciles)) / 10 if deciles else 0.0
    if dtks or (deciles and min(deciles) <= 4):
        groups.append("dtks")
    value = max(min(1.0, 0.35 * len({g for g in groups if g != "dtks"})), decile_score)
    if dtks:
        value = max(value, 0.6)
    return round(value, 4), groups or ["none"]


@dataclass
class NeedFacts:
    need: Need
    groups: list[str]


def needs_open(kelurahan: Kelurahan, only: Sequence[int] | None = None) -> list[Need]:
    """Approved needs no open activity serves yet (the round's needs)."""
    qs = (
        Need.objects.filter(kelurahan=kelurahan, status=NeedStatus.APPROVED)
        .exclude(activity_links__activity__status__in=ACTIVITY_OPEN)
        .select_related("rt__rw", "beneficiary_person", "beneficiary_household")
        .order_by("pk")
    )
    if only is not None:
        qs = qs.filter(pk__in=only)
    return list(qs)


def need_demands(
    kelurahan: Kelurahan, policy: MatchingPolicy, horizon: Horizon, needs: Sequence[Need]
) -> tuple[list[engine.Demand], dict[int, NeedFacts]]:
    """Needs as demands: skills from the category, window until needed-by, location,
    urgency, vulnerability, waiting time, help received lately, exclusions."""
    households = {
        n.beneficiary_household_id or getattr(n.beneficiary_person, "household_id", None)
        for n in needs
    } - {None}
    members: dict[int, list[Person]] = defaultdict(list)
    for p in Person.objects.filter(
        kelurahan=kelurahan, household_id__in=households, status=PersonStatus.ACTIVE
    ):
        members[p.household_id].append(p)  # type: ignore[index]
    since = horizon.now - dt.timedelta(days=policy.fairness_days)
    helped: dict[int, int] = dict(
        Need.objects.filter(
            kelurahan=kelurahan, beneficiary_household_id__in=households, delivered_at__gte=since
        )
        .values_list("beneficiary_household_id")
        .annotate(n=Count("pk"))
        .values_list("beneficiary_household_id", "n")
    )
    excluded: dict[int, set[str]] = defaultdict(set)
    for need_id, volunteer_id in Proposal.objects.filter(
        kelurahan=kelurahan,
        need__in=[n.pk for n in needs],
        status__in=[ProposalStatus.REJECTED, ProposalStatus.DECLINED, ProposalStatus.EXPIRED],
    ).values_list("need_id", "volunteer_id"):
        excluded[need_id].add(f"volunteer:{volunteer_id}")
    demands, facts = [], {}
    for need in needs:
        household = need.beneficiary_household_id or getattr(
            need.beneficiary_person, "household_id", None
        )
        people = list(members.get(household, [])) if household else []
        if need.beneficiary_person and need.beneficiary_person not in people:
            people.append(need.beneficiary_person)
        value, groups = vulnerability(people)
        lat, lon = _point(need.latitude, need.longitude, need.rt)
        until = max(need.needed_by, horizon.now + MIN_NEED_WINDOW)
        demands.append(
            engine.Demand(
                id=f"need:{need.pk}",
                skills=tuple(policy.category_skills.get(need.category, [])),
                window=horizon.mask(horizon.now, until),
                units=1,
                lat=lat,
                lon=lon,
                area=need.rt_id,
                urgency=URGENCY_RANK.get(need.urgency, 2),  # type: ignore[call-overload]
                vulnerability=value,
                waiting_days=max(0.0, (horizon.now - need.created_at).total_seconds() / 86400),
                helped_recently=helped.get(household, 0) if household else 0,
                household=household,
                person=need.beneficiary_person_id,
                excluded=frozenset(excluded.get(need.pk, set())),
            )
        )
        facts[need.pk] = NeedFacts(need=need, groups=groups)
    return demands, facts


def slots_open(kelurahan: Kelurahan, only: Sequence[int] | None = None) -> list[tuple[Slot, int]]:
    """Slots of planned activities with places not yet taken or invited, and how many."""
    qs = (
        Slot.objects.filter(
            activity__kelurahan=kelurahan,
            activity__status=ActivityStatus.PLANNED,
            activity__starts_at__gt=timezone.now(),
        )
        .select_related("activity__rt__rw", "skill")
        .annotate(
            taken=Count(
                "assignments",
                filter=Q(
                    assignments__status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED]
                ),
            )
        )
        .order_by("pk")
    )
    if only is not None:
        qs = qs.filter(pk__in=only)
    return [(s, s.count - s.taken) for s in qs if s.count > s.taken]


def slot_demands(
    kelurahan: Kelurahan, horizon: Horizon, slots: Sequence[tuple[Slot, int]]
) -> list[engine.Demand]:
    """Open activity slots as demands (Scenario C): the slot's skill, the activity's time
    and place; volunteers already invited to the activity are excluded."""
    invited: dict[int, set[str]] = defaultdict(set)
    for activity_id, volunteer_id in Assignment.objects.filter(
        activity__in={s.activity_id for s, _ in slots}
    ).values_list("activity_id", "volunteer_id"):
        invited[activity_id].add(f"volunteer:{volunteer_id}")
    for slot_id, volunteer_id in Proposal.objects.filter(
        kelurahan=kelurahan,
        slot__in=[s.pk for s, _ in slots],
        status__in=[ProposalStatus.REJECTED, ProposalStatus.DECLINED, ProposalStatus.EXPIRED],
    ).values_list("slot_id", "volunteer_id"):
        invited[-slot_id].add(f"volunteer:{volunteer_id}")
    demands = []
    for slot, free in slots:
        activity: Activity = slot.activity
        lat, lon = _point(activity.latitude, activity.longitude, activity.rt)
        demands.append(
            engine.Demand(
                id=f"slot:{slot.pk}",
                skills=(slot.skill.code,),
                window=horizon.mask(activity.starts_at, activity.ends_at),
                units=free,
                lat=lat,
                lon=lon,
                area=activity.rt_id,
                urgency=SLOT_URGENCY,
                waiting_days=max(0.0, (horizon.now - activity.created_at).total_seconds() / 86400),
                excluded=frozenset(invited.get(activity.pk, set()) | invited.get(-slot.pk, set())),
            )
        )
    return demands


def _week_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(moment)
    monday = (local - dt.timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday, monday + dt.timedelta(days=7)


def volunteers_active(kelurahan: Kelurahan, only: Sequence[int] | None = None) -> list[Volunteer]:
    qs = (
        Volunteer.objects.filter(kelurahan=kelurahan, is_active=True)
        .select_related("person", "rt")
        .prefetch_related("skills", "windows")
        .order_by("pk")
    )
    if only is not None:
        qs = qs.filter(pk__in=only)
    return list(qs)


def volunteer_resources(
    kelurahan: Kelurahan, horizon: Horizon, volunteers: Sequence[Volunteer]
) -> list[engine.Resource]:
    """Volunteers as resources: skills, weekly windows, tasks left this week, location,
    household and declared conflicts, reputation, consent (active, with a login to answer)."""
    start, end = _week_bounds(horizon.now)
    busy = dict(
        Assignment.objects.filter(
            volunteer__in=volunteers,
            status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED],
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        )
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .values_list("volunteer_id")
        .annotate(n=Count("pk"))
        .values_list("volunteer_id", "n")
    )
    pending = dict(
        Proposal.objects.filter(
            kelurahan=kelurahan, status=ProposalStatus.PROPOSED, volunteer__in=volunteers
        )
        .values_list("volunteer_id")
        .annotate(n=Count("pk"))
        .values_list("volunteer_id", "n")
    )
    users = {v.person.user_id for v in volunteers if v.person.user_id}
    conflict_households: dict[int, set[int]] = defaultdict(set)
    conflict_persons: dict[int, set[int]] = defaultdict(set)
    for declarer, person_id, household_id in ConflictDeclaration.objects.filter(
        kelurahan=kelurahan, user_id__in=users
    ).values_list("user_id", "person_id", "household_id"):
        if person_id:
            conflict_persons[declarer].add(person_id)
        if household_id:
            conflict_households[declarer].add(household_id)
    ratings = rating_average_per_volunteer(kelurahan=kelurahan)
    resources = []
    for v in volunteers:
        person = v.person
        lat, lon = _point(v.lat, v.lon, v.rt)
        rating = ratings.get(v.pk)
        user_id = person.user_id or 0
        resources.append(
            engine.Resource(
                id=f"volunteer:{v.pk}",
                kind="volunteer",
                skills=frozenset(s.code for s in v.skills.all() if s.is_active),
                capacity=v.max_tasks_per_week - busy.get(v.pk, 0) - pending.get(v.pk, 0),
                window=horizon.weekly_mask(v.windows.all()),
                lat=lat,
                lon=lon,
                area=v.rt_id,
                owner_household=person.household_id,
                conflict_households=frozenset(conflict_households.get(user_id, set())),
                conflict_persons=frozenset(conflict_persons.get(user_id, set())),
                reputation=None if rating is None else (rating[0] - 1) / 4,
                consented=v.is_active and person.status == PersonStatus.ACTIVE and user_id != 0,
            )
        )
    return resources
